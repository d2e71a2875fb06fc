"""Prospect races with real threads on PostgreSQL (SQLite ignores select_for_update)."""

import pytest

from salesflow.core.errors import AppError
from salesflow.crm.models import Customer
from salesflow.reception import services
from salesflow.reception.models import Prospect

from ..concurrency import run_together
from ..conftest import fresh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def test_two_concurrent_customer_files_for_one_prospect_make_one_customer(org, people, make_prospect):
    for attempt in range(3):
        prospect = make_prospect(name=f"并发建档{attempt}号有限公司", phone=f"1370000{attempt:04d}")
        before = Customer.objects.count()

        def file(pk=prospect.pk):
            # E4 twice at once (a double click): one customer file, one refusal.
            return services.prospect_submit_file(by=fresh(org.rep), prospect_id=pk, confirm_duplicates=True)

        results, errors = run_together(file, file)
        assert sum(r is not None for r in results) == 1, errors
        failure = next(e for e in errors if e is not None)
        assert isinstance(failure, AppError) and failure.code == "invalid_transition", repr(failure)
        assert Customer.objects.count() == before + 1
        winner = next(r for r in results if r is not None)
        assert Prospect.objects.get(pk=prospect.pk).customer_id == winner.customer_id


def test_a_win_and_a_drop_at_once_leave_one_consistent_outcome(org, people, filed):
    from salesflow.deals import services as deals

    prospect = filed()
    opp = deals.opportunity_create(by=fresh(org.rep), customer_id=prospect.customer_id, data={"name": "并发成交"})
    results, errors = run_together(
        lambda: deals.opportunity_win(by=fresh(org.rep), opportunity_id=opp.pk),
        lambda: services.prospect_drop(by=fresh(org.supervisor), prospect_id=prospect.pk, reason="客户改主意"))
    assert errors[0] is None, repr(errors[0])
    prospect.refresh_from_db()
    customer = Customer.objects.get(pk=prospect.customer_id)
    # R15 (issue #13): every won customer is served after the deal, whatever became of the prospect.
    assert customer.service_owner == people.service
    if prospect.status == "dropped":
        assert errors[1] is None  # the drop came first; the win still served the customer
    else:
        assert prospect.status == "handed_over" and customer.service_owner == people.service
        assert isinstance(errors[1], AppError)
