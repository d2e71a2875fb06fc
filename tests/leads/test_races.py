"""Pool races with real threads on PostgreSQL (SQLite ignores select_for_update)."""

import pytest

from salesflow.core.errors import AppError
from salesflow.leads import services
from salesflow.leads.models import Lead
from salesflow.pool.models import PoolPolicy

from ..concurrency import run_together
from ..conftest import fresh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def _pool_lead(org, name):
    return services.lead_create(by=fresh(org.supervisor), data={"name": name}, confirm_duplicates=True)


def test_two_reps_claim_the_same_lead(org):
    for attempt in range(3):
        lead = _pool_lead(org, f"抢单测试{attempt}有限公司")
        results, errors = run_together(lambda lead=lead: services.lead_claim(by=fresh(org.rep), lead=lead),
                                       lambda lead=lead: services.lead_claim(by=fresh(org.rep_b), lead=lead))
        assert sum(r is not None for r in results) == 1
        failure = next(e for e in errors if e is not None)
        assert isinstance(failure, AppError), repr(failure)
        winner = next(r for r in results if r is not None)
        assert Lead.objects.get(pk=lead.pk).owner_id == winner.owner_id


def test_one_rep_claiming_the_last_slot_twice_at_once(org):
    PoolPolicy.objects.create(unit=org.east_team, claim_cap=1)
    first, second = _pool_lead(org, "最后名额甲有限公司"), _pool_lead(org, "最后名额乙有限公司")
    results, errors = run_together(lambda: services.lead_claim(by=fresh(org.rep), lead=first),
                                   lambda: services.lead_claim(by=fresh(org.rep), lead=second))
    assert sum(r is not None for r in results) == 1
    assert Lead.objects.filter(owner=org.rep).count() == 1
    failure = next(e for e in errors if e is not None)
    assert getattr(failure, "code", None) == "lead_claim_cap_reached", repr(failure)


def test_round_robin_cursor_under_concurrent_assignments(org):
    leads = [_pool_lead(org, f"轮询并发{i}有限公司") for i in range(2)]
    results, errors = run_together(*[
        (lambda lead=lead: services.lead_assign(by=fresh(org.supervisor), lead=lead, mode="round_robin",
                                                team=org.east_team)) for lead in leads])
    assert errors == [None, None]
    assert {r.owner_id for r in results} == {org.rep.pk, org.rep_b.pk}
