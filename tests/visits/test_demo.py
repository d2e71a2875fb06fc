"""The demo's visits: plans for this month, week and day at every review status, three months of located logs,
and a rep whose Today page is full (planned visits, overdue follow-ups, a lead to contact). Idempotent."""

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.crm.models import Customer
from salesflow.org.models import User
from salesflow.visits import selectors
from salesflow.visits.models import PlanPeriod, VisitLog, VisitPlan, WorkLog

pytestmark = pytest.mark.django_db


def test_build_visits_demo():
    from salesflow.demo import build_demo

    build_demo()
    rep = User.objects.get(username="rep")
    assert set(VisitPlan.objects.filter(owner=rep).values_list("period", flat=True)) == set(PlanPeriod.values)
    assert {"draft", "submitted", "prepared", "approved", "adjusted"} <= set(
        VisitPlan.objects.values_list("status", flat=True))
    # R17: the supervisor prepared some plans that the manager then fixed, others still wait for the meeting.
    assert AuditEvent.objects.filter(action="visit_plan.prepared").exists()
    # Daily work logs at every stage, some overdue and some handed in late.
    assert {"draft", "submitted", "reviewed"} <= set(WorkLog.objects.values_list("status", flat=True))
    assert WorkLog.objects.filter(owner=rep).count() >= 8
    today_ = selectors.local_today()
    assert any(log.overdue(today_) for log in WorkLog.objects.filter(status="draft"))
    assert any(log.submitted_late for log in WorkLog.objects.exclude(status="draft"))
    # Target-customer sheets filled in on the file and after visits.
    assert Customer.objects.exclude(needs="").count() >= 30
    assert AuditEvent.objects.filter(action="customer.sheet_updated", note__startswith="Visit").exists() or \
        AuditEvent.objects.filter(action="customer.sheet_updated").exclude(note="建档时填写").exists()
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
    work_logs = WorkLog.objects.count()
    build_demo()
    assert VisitLog.objects.count() == logs and WorkLog.objects.count() == work_logs
