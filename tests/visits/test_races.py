"""Two reminder sweeps at once (two workers) on PostgreSQL: every item is told exactly once."""

import datetime as dt

import pytest

from salesflow.notifications.models import Notification
from salesflow.visits.models import VisitReminder
from salesflow.visits.services import reminders_sweep

from ..concurrency import run_together
from ..factories import CustomerFactory
from .conftest import WEDNESDAY, at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def test_two_concurrent_sweeps_send_one_notice_per_item(org, make_plan):
    make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY},
                     {"target": "宝山潜在客户", "planned_on": WEDNESDAY}])
    for i in range(6):
        CustomerFactory(name=f"并发跟进{i}有限公司", owner=org.rep if i % 2 else org.rep_b,
                        next_followup_on=WEDNESDAY)
    now = at(WEDNESDAY, 8)
    for attempt in range(3):
        results, errors = run_together(lambda: reminders_sweep(now=now), lambda: reminders_sweep(now=now))
        assert errors == [None, None], errors
        if attempt == 0:
            assert sum(r["sent"] for r in results) == 8
        else:
            assert [r["sent"] for r in results] == [0, 0]
    assert VisitReminder.objects.count() == 8
    assert Notification.objects.count() == 8
    titles = list(Notification.objects.values_list("user_id", "title"))
    assert len(set(titles)) == 8
    assert dt.date(2026, 5, 13) == WEDNESDAY
