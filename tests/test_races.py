"""Races on purpose, with real threads on PostgreSQL (style.md #13; SQLite ignores select_for_update)."""

from decimal import Decimal

import pytest
from django.db import connection

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import AppError
from salesflow.crm import services
from salesflow.crm.models import Customer
from tests.concurrency import run_together

from .conftest import fresh
from .factories import credit_code

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def test_same_credit_code_at_the_same_moment(org):
    code = credit_code(4242)

    def create(by, name):
        return lambda: services.customer_create(by=fresh(by), data={"name": name, "credit_code": code},
                                                confirm_duplicates=True)

    for _attempt in range(3):
        Customer.objects.filter(credit_code=code).delete()
        results, errors = run_together(create(org.rep, "甲方竞速有限公司"), create(org.rep_b, "乙方竞速有限公司"))
        assert Customer.objects.filter(credit_code=code).count() == 1
        assert sum(r is not None for r in results) == 1
        failure = next(e for e in errors if e is not None)
        assert isinstance(failure, AppError), repr(failure)  # never a raw IntegrityError
        assert failure.code == "customer_credit_code_taken"


def test_concurrent_reassign_leaves_a_consistent_chain(org):
    def reassign(owner):
        return lambda: services.customer_reassign(by=fresh(org.manager), customer=org.cust_rep, owner=fresh(owner))

    results, errors = run_together(reassign(org.rep_b), reassign(org.rep3))
    assert errors == [None, None]
    c = Customer.objects.get(pk=org.cust_rep.pk)
    assert c.owner_id in {org.rep_b.pk, org.rep3.pk}
    assert c.unit_id == type(org.rep).objects.get(pk=c.owner_id).unit_id
    first, second = AuditEvent.objects.filter(action="customer.reassigned", customer_id=c.pk).order_by("id")
    # Serialised by the row lock: the second saw the first's result as its "before".
    assert first.before["owner"] == org.rep.pk
    assert second.before["owner"] == first.after["owner"]
    assert second.after["owner"] == c.owner_id


def test_concurrent_updates_lose_nothing(org):
    def update(data, by=org.rep):
        return lambda: services.customer_update(by=fresh(by), customer=org.cust_rep, data=data)

    # The credit limit is the supervisor's to set (issue #15); the rep edits the rest at the same moment.
    results, errors = run_together(update({"notes": "并发备注"}), update({"credit_limit": "7777.77"}, org.supervisor),
                                   update({"city": "上海"}))
    assert errors == [None, None, None]
    c = Customer.objects.get(pk=org.cust_rep.pk)
    assert c.notes == "并发备注" and c.credit_limit == Decimal("7777.77") and c.city == "上海"
    assert AuditEvent.objects.filter(action="customer.updated", customer_id=c.pk).count() == 3
