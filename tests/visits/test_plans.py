"""Visit plans (拜访计划, 002 流程1): lifecycle, the manager's adjustments with the rep told, scope."""

import datetime as dt

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.statemachine import InvalidTransition
from salesflow.notifications.models import Notification
from salesflow.visits import selectors, services
from salesflow.visits.models import ACCEPTED, PLAN_FLOW, PlannedVisit, PlanStatus, VisitPlan

from ..conftest import fresh
from .conftest import MONDAY, WEDNESDAY


def test_periods_are_month_iso_week_and_day(org, make_plan):
    month = make_plan(period="month")
    week = make_plan(period="week")
    day = make_plan(period="day")
    assert (month.starts_on, month.ends_on, month.label) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31), "2026-05")
    assert (week.starts_on, week.ends_on, week.label) == (MONDAY, dt.date(2026, 5, 17), "2026-W20")
    assert (day.starts_on, day.ends_on) == (WEDNESDAY, WEDNESDAY)
    assert {p.status for p in (month, week, day)} == {PlanStatus.DRAFT}
    assert all(p.unit_id == org.east_team.pk for p in (month, week, day))


def test_one_plan_per_rep_and_period_and_no_past_periods(org, make_plan):
    make_plan(period="week")
    with pytest.raises(Conflict) as exc:
        make_plan(period="week", day=MONDAY)
    assert exc.value.code == "visit_plan_exists"
    with pytest.raises(ValidationFailed) as exc:
        make_plan(period="week", day=dt.date(2026, 5, 4))
    assert "day" in exc.value.fields
    make_plan(by=org.rep_b, period="week")  # another rep has their own
    assert VisitPlan.objects.count() == 2


def test_items_customer_lead_or_free_text_within_the_period(org, make_plan):
    from salesflow.leads import services as leads

    lead = leads.lead_create(by=fresh(org.rep), owner=fresh(org.rep), data={"name": "线索拜访有限公司"},
                             confirm_duplicates=True)
    plan = make_plan(items=[
        {"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY, "purpose": "回访，了解二季度需求"},
        {"lead_id": lead.pk, "planned_on": dt.date(2026, 5, 14)},
        {"target": "昆山新开发区某机械厂", "planned_on": dt.date(2026, 5, 15), "kind": "new"},
    ])
    items = selectors.plan_items(plan)
    assert [(i.target_name, i.kind) for i in items] == [
        ("上海星辰机械有限公司", "return"), ("线索拜访有限公司", "new"), ("昆山新开发区某机械厂", "new")]
    rep = fresh(org.rep)
    for bad, field in [
        ({"customer_id": org.cust_rep.pk, "planned_on": dt.date(2026, 5, 18)}, "planned_on"),
        ({"planned_on": WEDNESDAY}, "customer"),
        ({"customer_id": org.cust_rep_b.pk, "planned_on": WEDNESDAY}, "customer"),  # not the rep's customer
        ({"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY, "kind": "visit"}, "kind"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            services.plan_item_add(by=rep, plan=plan, data=bad)
        assert field in exc.value.fields, bad
    assert plan.items.count() == 3


def test_lifecycle_submit_approve(org, make_plan):
    plan = make_plan(by=org.rep3, items=[{"customer_id": org.cust_rep3.pk, "planned_on": WEDNESDAY}])
    assert PLAN_FLOW.actions(plan.status) == ["submit"]
    plan = services.plan_submit(by=fresh(org.rep3), plan=plan)
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_at
    # rep3 reports to the manager directly: the manager is told a plan waits for them.
    assert Notification.objects.filter(user=org.manager, kind="visit_plan.submitted").count() == 1
    with pytest.raises(Conflict):  # the rep no longer changes it
        services.plan_item_add(by=fresh(org.rep3), plan=plan, data={"customer_id": org.cust_rep3.pk,
                                                                    "planned_on": WEDNESDAY})
    plan = services.plan_approve(by=fresh(org.manager), plan=plan, comment="重点跟进绿野农业")
    assert plan.status == PlanStatus.APPROVED and plan.reviewed_by_id == org.manager.pk
    notice = Notification.objects.get(user=org.rep3, kind="visit_plan.approved")
    assert "重点跟进绿野农业" in notice.body and notice.url == f"/visits/plans/{plan.pk}/"
    with pytest.raises(InvalidTransition):  # fixed: approving again is not a transition
        services.plan_approve(by=fresh(org.manager), plan=plan)
    actions = list(AuditEvent.objects.filter(object_type="visits.visitplan", object_id=str(plan.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["visit_plan.created", "visit_plan.item_added", "visit_plan.submitted", "visit_plan.approved"]


def test_r17_manager_fixes_plan_after_supervisor_approval(org, make_plan):
    """002 流程1 step 2: "向销售部经理汇报下周的客户拜访重点计划情况…并最终确定" — the supervisor may prepare next week's
    plan, but the sales manager's decision fixes it, and the supervisor's earlier approval never locks them out."""
    plan = make_plan(period="week", day=WEDNESDAY + dt.timedelta(days=7), focus="下周重点：浦东老客户回访",
                     items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY + dt.timedelta(days=7)}])
    services.plan_submit(by=fresh(org.rep), plan=plan)
    plan = services.plan_approve(by=fresh(org.supervisor), plan=plan, comment="已初审，周六例会定")
    assert plan.status == PlanStatus.PREPARED and plan.status not in ACCEPTED
    # The supervisor's manager is told the prepared plan waits for their decision.
    assert Notification.objects.filter(user=org.manager, kind="visit_plan.prepared").count() == 1
    assert selectors.reviewable_plans_waiting(fresh(org.manager)) == 1
    # The manager is not locked out: they adjust (with the rep told), and the adjustment fixes the plan.
    services.plan_item_add(by=fresh(org.manager), plan=plan, comment="加一次新客户拜访",
                           data={"target": "临港新片区某装备厂", "planned_on": WEDNESDAY + dt.timedelta(days=8),
                                 "kind": "new"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ADJUSTED and plan.reviewed_by_id == org.manager.pk
    # Once fixed, the supervisor no longer changes it or approves over it.
    item = plan.items.first()
    with pytest.raises(Conflict) as exc:
        services.plan_item_update(by=fresh(org.supervisor), plan=plan, item_id=item.pk,
                                  data={"purpose": "改"}, comment="调整")
    assert exc.value.code == "visit_plan_fixed"
    with pytest.raises(InvalidTransition):
        services.plan_approve(by=fresh(org.supervisor), plan=plan)

    # The same with a plain approval: supervisor first, then the manager's approval fixes it.
    other = make_plan(by=org.rep_b, items=[{"customer_id": org.cust_rep_b.pk, "planned_on": WEDNESDAY}])
    services.plan_submit(by=fresh(org.rep_b), plan=other)
    services.plan_approve(by=fresh(org.supervisor), plan=other, comment="同意")
    with pytest.raises(PermissionRefused):  # the supervisor cannot send back what they prepared
        services.plan_return(by=fresh(org.supervisor), plan=other, comment="再想想")
    other = services.plan_approve(by=fresh(org.manager), plan=other, comment="确定")
    assert other.status == PlanStatus.APPROVED and other.reviewed_by_id == org.manager.pk
    actions = list(AuditEvent.objects.filter(object_type="visits.visitplan", object_id=str(other.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["visit_plan.prepared", "visit_plan.approved"]
    # The manager may also send a prepared plan back.
    third = make_plan(by=org.rep_b, period="day", items=[{"customer_id": org.cust_rep_b.pk,
                                                          "planned_on": WEDNESDAY}])
    services.plan_submit(by=fresh(org.rep_b), plan=third)
    services.plan_approve(by=fresh(org.supervisor), plan=third)
    assert services.plan_return(by=fresh(org.manager), plan=third, comment="少了新客户").status == PlanStatus.DRAFT


def test_an_empty_plan_cannot_be_submitted(org, make_plan):
    plan = make_plan()
    with pytest.raises(Conflict) as exc:
        services.plan_submit(by=fresh(org.rep), plan=plan)
    assert exc.value.code == "visit_plan_empty"


def test_manager_adjusts_the_plan_and_the_rep_is_notified(org, make_plan):
    plan = make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY},
                            {"target": "宝山区潜在客户", "planned_on": dt.date(2026, 5, 14)}])
    services.plan_submit(by=fresh(org.rep), plan=plan)
    first, second = selectors.plan_items(plan)
    manager = fresh(org.manager)
    # A comment is required: the rep must know why.
    with pytest.raises(ValidationFailed) as exc:
        services.plan_item_update(by=manager, plan=plan, item_id=first.pk, data={"planned_on": "2026-05-15"})
    assert "comment" in exc.value.fields
    services.plan_item_update(by=manager, plan=plan, item_id=first.pk, data={"planned_on": "2026-05-15"},
                              comment="周三全员培训，改到周五")
    services.plan_item_remove(by=manager, plan=plan, item_id=second.pk, comment="先集中精力跟老客户")
    added = services.plan_item_add(by=manager, plan=plan, comment="加一次回访",
                                   data={"customer_id": org.cust_rep.pk, "planned_on": "2026-05-16",
                                         "purpose": "催二季度订单"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ADJUSTED and plan.reviewed_by_id == org.manager.pk
    assert plan.review_comment == "加一次回访"
    assert added.added_by_id == org.manager.pk
    assert [(i.planned_on, i.target_name) for i in selectors.plan_items(plan)] == [
        (dt.date(2026, 5, 15), "上海星辰机械有限公司"), (dt.date(2026, 5, 16), "上海星辰机械有限公司")]
    notices = list(Notification.objects.filter(user=org.rep, kind="visit_plan.adjusted").order_by("id"))
    assert len(notices) == 3
    assert "周三全员培训" in notices[0].body and "2026-05-15" in notices[0].body
    assert "宝山区潜在客户" in notices[1].body
    actions = set(AuditEvent.objects.filter(object_type="visits.visitplan", object_id=str(plan.pk))
                  .values_list("action", flat=True))
    assert {"visit_plan.item_changed", "visit_plan.item_removed", "visit_plan.adjusted"} <= actions


def test_send_back_for_rework(org, make_plan):
    plan = make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY}])
    services.plan_submit(by=fresh(org.rep), plan=plan)
    with pytest.raises(ValidationFailed):
        services.plan_return(by=fresh(org.supervisor), plan=plan, comment=" ")
    plan = services.plan_return(by=fresh(org.supervisor), plan=plan, comment="新客户拜访太少，至少加两家")
    assert plan.status == PlanStatus.DRAFT
    assert Notification.objects.filter(user=org.rep, kind="visit_plan.returned").exists()
    services.plan_item_add(by=fresh(org.rep), plan=plan, data={"target": "嘉定新厂", "planned_on": WEDNESDAY})
    assert services.plan_submit(by=fresh(org.rep), plan=plan).status == PlanStatus.SUBMITTED


def test_who_may_review(org, make_plan):
    plan = make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY}])
    # A draft is the rep's work in progress: not adjustable yet.
    with pytest.raises(PermissionRefused):
        services.plan_item_add(by=fresh(org.supervisor), plan=plan, comment="x",
                               data={"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY})
    services.plan_submit(by=fresh(org.rep), plan=plan)
    # Another rep of the same team: not found. Another region's manager: not found.
    for outsider in (org.rep_b, org.rep2, org.manager2):
        with pytest.raises(NotFound):
            services.plan_approve(by=fresh(outsider), plan=plan)
    # Leadership sees everyone's; the accountant sees it but does not review plans.
    with pytest.raises(PermissionRefused):
        services.plan_approve(by=fresh(org.finance), plan=plan)
    assert services.plan_approve(by=fresh(org.director), plan=plan).status == PlanStatus.APPROVED


def test_a_supervisor_does_not_review_their_own_plan(org, make_plan):
    plan = make_plan(by=org.supervisor, items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY}])
    services.plan_submit(by=fresh(org.supervisor), plan=plan)
    with pytest.raises(PermissionRefused):
        services.plan_approve(by=fresh(org.supervisor), plan=plan)
    assert services.plan_approve(by=fresh(org.manager), plan=plan).status == PlanStatus.APPROVED


def test_plan_scope(org, make_plan):
    mine = make_plan()
    theirs = make_plan(by=org.rep_b)
    north = make_plan(by=org.rep2)
    ids = lambda user: set(selectors.plan_list(user=fresh(user)).values_list("pk", flat=True))  # noqa: E731
    assert ids(org.rep) == {mine.pk}
    assert ids(org.supervisor) == {mine.pk, theirs.pk}
    assert ids(org.manager) == {mine.pk, theirs.pk}
    assert ids(org.manager2) == {north.pk}
    assert ids(org.director) == {mine.pk, theirs.pk, north.pk}
    with pytest.raises(NotFound):
        selectors.plan_get(user=fresh(org.rep_b), plan_id=mine.pk)
    with pytest.raises(PermissionRefused):
        selectors.plan_list(user=fresh(org.planner))


def test_plans_follow_the_rep_to_a_new_team(org, make_plan):
    from salesflow.org.services import user_update

    plan = make_plan()
    user_update(by=fresh(org.admin), user=fresh(org.rep), unit=org.east_team2)
    plan.refresh_from_db()
    assert plan.unit_id == org.east_team2.pk
    assert PlannedVisit.objects.filter(plan=plan).count() == 0
