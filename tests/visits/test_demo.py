"""The demo's visits: plans for this month, week and day at every review status, three months of located logs,
and a rep whose Today page is full (planned visits, overdue follow-ups, a lead to contact). Idempotent."""

import pytest

from salesflow.org.models import User
from salesflow.visits import selectors
from salesflow.visits.models import PlanPeriod, VisitLog, VisitPlan

pytestmark = pytest.mark.django_db


def test_build_visits_demo():
    from salesflow.demo import build_demo

    build_demo()
    rep = User.objects.get(username="rep")
    assert set(VisitPlan.objects.filter(owner=rep).values_list("period", flat=True)) == set(PlanPeriod.values)
    assert {"draft", "submitted", "approved", "adjusted"} <= set(VisitPlan.objects.values_list("status", flat=True))
    logs = VisitLog.objects.count()
    assert logs > 300
    assert VisitLog.objects.filter(latitude__isnull=True).exists()
    located = VisitLog.objects.filter(latitude__isnull=False)
    assert located.count() > logs // 2
    assert all(18 < float(lat) < 41 and 100 < float(lon) < 123
               for lat, lon in located.values_list("latitude", "longitude"))
    assert VisitLog.objects.filter(planned_visit__isnull=False).exists()
    assert VisitLog.objects.filter(opportunity__isnull=False).exists()
    today = selectors.today_for(user=rep)
    assert len(today.planned) >= 2
    assert any(late for _c, late in today.followups) and today.overdue_count >= 2
    assert today.leads and today.lead_followups
    build_demo()
    assert VisitLog.objects.count() == logs
