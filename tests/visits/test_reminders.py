"""Morning reminders in the bell: planned visits and follow-ups due today, once per item per day."""

import datetime as dt

from salesflow.core import scheduler
from salesflow.crm.models import Customer
from salesflow.notifications.models import Notification
from salesflow.visits.models import VisitReminder
from salesflow.visits.services import reminders_sweep
from salesflow.visits.tasks import send_visit_reminders

from ..conftest import fresh
from ..factories import CustomerFactory
from .conftest import WEDNESDAY, at


def test_the_reminder_sweep_is_scheduled():
    assert any(task is send_visit_reminders for _every, task in scheduler.PERIODIC)


def _due_setup(org, make_plan, log_visit):
    from salesflow.leads import services as leads

    plan = make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY},
                            {"target": "宝山潜在客户", "planned_on": WEDNESDAY},
                            {"customer_id": org.cust_rep.pk, "planned_on": "2026-05-14"}])  # tomorrow: not yet
    make_plan(period="day", items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY}])  # same customer
    due = CustomerFactory(name="今天该跟进有限公司", owner=org.rep, next_followup_on=WEDNESDAY)
    CustomerFactory(name="明天跟进有限公司", owner=org.rep, next_followup_on=dt.date(2026, 5, 14))
    CustomerFactory(name="别人的客户有限公司", owner=org.rep2, next_followup_on=WEDNESDAY)
    lead = leads.lead_create(by=fresh(org.rep), owner=fresh(org.rep), data={"name": "跟进线索有限公司"},
                             confirm_duplicates=True)
    log_visit(lead_id=lead.pk, when=at(dt.date(2026, 5, 6)), next_followup_on=WEDNESDAY)
    return plan, due, lead


def test_each_item_is_told_once_even_when_the_sweep_runs_twice(org, make_plan, log_visit, time_machine):
    _plan, due, lead = _due_setup(org, make_plan, log_visit)
    time_machine.move_to(at(WEDNESDAY, 6, 0), tick=False)
    assert reminders_sweep() == {"sent": 0}  # before the morning reminder time
    time_machine.move_to(at(WEDNESDAY, 8, 0), tick=False)
    assert reminders_sweep() == {"sent": 5}
    assert reminders_sweep() == {"sent": 0}
    send_visit_reminders.enqueue()  # the scheduled task: same rows, nothing new
    titles = sorted(Notification.objects.filter(user=org.rep).values_list("title", flat=True))
    assert titles == sorted([
        "Planned visit today: 上海星辰机械有限公司",  # once, though it is in the week's and the day's plan
        "Planned visit today: 宝山潜在客户",
        "Follow-up due today: 今天该跟进有限公司",
        "Follow-up due today: 跟进线索有限公司",
    ])
    assert Notification.objects.filter(user=org.rep2).count() == 1
    urls = set(Notification.objects.filter(user=org.rep).values_list("url", flat=True))
    assert f"/visits/logs/new/?customer={due.pk}" in urls and f"/visits/logs/new/?lead={lead.pk}" in urls
    assert VisitReminder.objects.filter(day=WEDNESDAY).count() == 5


def test_the_next_day_tells_again_and_done_visits_are_skipped(org, make_plan, log_visit, time_machine):
    make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY},
                     {"customer_id": org.cust_rep.pk, "planned_on": "2026-05-14"}])
    # Visited early this morning: nothing to remind.
    time_machine.move_to(at(WEDNESDAY, 7, 45), tick=False)
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 7, 40))
    time_machine.move_to(at(WEDNESDAY, 8, 0), tick=False)
    assert reminders_sweep() == {"sent": 0}
    time_machine.move_to(at(dt.date(2026, 5, 14), 8, 0), tick=False)
    assert reminders_sweep() == {"sent": 1}


def test_inactive_users_and_archived_customers_are_not_reminded(org, make_plan, time_machine):
    CustomerFactory(owner=org.rep_b, next_followup_on=WEDNESDAY, status="archived")
    Customer.objects.filter(pk=org.cust_rep3.pk).update(next_followup_on=WEDNESDAY)
    type(org.rep3).objects.filter(pk=org.rep3.pk).update(is_active=False)
    time_machine.move_to(at(WEDNESDAY, 9), tick=False)
    assert reminders_sweep() == {"sent": 0}
