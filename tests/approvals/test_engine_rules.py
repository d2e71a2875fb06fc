"""The approval engine's rules beyond the basic R13 walk: which policy applies, parallel stages, any/all,
deadlines on the working calendar, the overdue sweep and escalation, delegation, notifications and policy
validation. State is built through the services; the clock is moved with time-machine."""

from __future__ import annotations

import datetime as dt
import signal
import tomllib

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from salesflow.approvals import services as engine
from salesflow.approvals.conditions import holds
from salesflow.approvals.models import (
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalStep,
    ApprovalTask,
    Delegation,
    RequestStatus,
    StepStatus,
    TaskStatus,
)
from salesflow.approvals.policies import (
    DEFAULT_FILE,
    policy_as_dict,
    policy_load_file,
    policy_save,
    validate_policy,
)
from salesflow.audit.models import AuditEvent
from salesflow.core.errors import AppError, PermissionRefused, ValidationFailed
from salesflow.deals.discounts import services as deals
from salesflow.deals.discounts.approval import DOCUMENT_TYPE
from salesflow.deals.models import DiscountRequest, DiscountStatus
from salesflow.notifications.models import Notification
from salesflow.org.roles import Role
from tests.factories import UserFactory

from ..conftest import fresh
from .helpers import at, decide, pending, r13_with_deadlines, save_policy, stage, task_of

pytestmark = pytest.mark.django_db

TUESDAY_10 = at(2025, 11, 25, 10)


def submit(r13, doc, by=None):
    return deals.discount_submit(by=fresh(by or r13.rep), discount_id=doc.pk)


def events_of(request, action):
    return AuditEvent.objects.filter(object_type="approvals.approvalrequest", object_id=str(request.pk), action=action)


@pytest.fixture
def finance_vps(r13):
    """Two people holding the same role: a stage with rule=role asks both."""
    return (UserFactory(username="fvp1", name="财务副总甲", role=Role.FINANCE_VP, unit=r13.hq, manager=r13.gm),
            UserFactory(username="fvp2", name="财务副总乙", role=Role.FINANCE_VP, unit=r13.hq, manager=r13.gm))


@pytest.fixture
def calendar_2025(db):
    """China's 2025 calendar from chinese-calendar, loaded the way an installation loads it."""
    call_command("load_calendar", "2025", verbosity=0)
    from salesflow.workcal import calendar

    assert not calendar.is_workday(dt.date(2025, 10, 1)) and calendar.is_workday(dt.date(2025, 10, 11))


# ── Which policy applies ─────────────────────────────────────────────────────────────────────────────────────


def test_conditions_choose_the_strict_chain_above_5_percent_and_a_light_one_up_to_5(r13, discount):
    save_policy("discount-strict", [stage(1, "主管", "requester_supervisor"), stage(2, "总经理", "role", "gm")],
                conditions=[{"field": "discount_percent", "op": "gt", "value": "5"}], priority=10)
    save_policy("discount-light", [stage(1, "主管", "requester_supervisor")],
                conditions=[{"field": "discount_percent", "op": "lte", "value": "5"}], priority=20)
    big, small = discount(percent="8"), discount(percent="5")
    big_request, small_request = submit(r13, big), submit(r13, small)
    assert big_request.policy.code == "discount-strict"
    assert small_request.policy.code == "discount-light"  # exactly 5 % is not "more than 5"
    assert big_request.steps.count() == 2 and small_request.steps.count() == 1
    decide(r13.supervisor, small)
    small.refresh_from_db()
    assert small.status == DiscountStatus.APPROVED  # the light chain ends with the supervisor
    decide(r13.supervisor, big)
    assert pending(request=big_request) == {"gm"}


def test_the_lowest_priority_number_wins_when_several_policies_apply(r13, discount):
    save_policy("discount-a", [stage(1, "总经理", "role", "gm")], priority=30)
    save_policy("discount-b", [stage(1, "营销副总", "role", "marketing_vp")], priority=40)
    assert submit(r13, discount()).policy.code == "discount-a"
    save_policy("discount-b", [stage(1, "营销副总", "role", "marketing_vp")], priority=5)  # an admin reorders
    assert submit(r13, discount()).policy.code == "discount-b"
    # The shipped R13 policy (priority 100) is still there, only outranked.
    assert ApprovalPolicy.objects.get(code="discount").priority == 100


def test_in_and_eq_compare_strings(r13):
    save_policy("discount-key-accounts", [stage(1, "总经理", "role", "gm")],
                conditions=[{"field": "customer_tier", "op": "in", "value": ["A", "B"]}], priority=10)
    facts = {"discount_percent": 3, "amount": 1000}
    assert engine.policy_for(DOCUMENT_TYPE, {**facts, "customer_tier": "A"}).code == "discount-key-accounts"
    assert engine.policy_for(DOCUMENT_TYPE, {**facts, "customer_tier": "C"}).code == "discount"
    # eq on strings ignores case, and a boolean fact matches "true": how the shipped R16 policies split.
    assert holds({"field": "tier", "op": "eq", "value": "a"}, {"tier": "A"})
    assert not holds({"field": "tier", "op": "eq", "value": "B"}, {"tier": "A"})
    assert holds({"field": "tier", "op": "ne", "value": "B"}, {"tier": "A"})
    assert not holds({"field": "tier", "op": "gt", "value": "B"}, {"tier": "C"})  # no ordering on text
    assert engine.policy_for("deals.quotation", {"is_major": True}).code == "quote-major"
    assert engine.policy_for("deals.quotation", {"is_major": False}).code == "quote"


def test_no_applicable_policy_is_a_clear_error_and_nothing_is_written(r13, discount):
    shipped = ApprovalPolicy.objects.get(code="discount")
    policy_save(by=fresh(r13.admin), data={**policy_as_dict(shipped), "is_active": False})
    doc = discount()
    with pytest.raises(AppError) as exc:
        submit(r13, doc)
    assert exc.value.code == "approval_no_policy"
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.DRAFT
    assert not ApprovalRequest.objects.exists() and not ApprovalTask.objects.exists()


# ── Parallel stages, any / all ───────────────────────────────────────────────────────────────────────────────


def test_parallel_stages_start_together_and_the_next_step_waits_for_both(r13, discount, finance_vps):
    save_policy("discount-parallel", [
        stage(1, "主管", "requester_supervisor"),
        stage(2, "销售经理", "region_manager"),
        stage(2, "营销副总", "role", "marketing_vp"),
        stage(3, "总经理", "role", "gm"),
    ])
    doc = discount()
    request = submit(r13, doc)
    decide(r13.supervisor, doc)
    request.refresh_from_db()
    assert request.current_step == 2
    second = list(request.steps.filter(step=2))
    assert [s.status for s in second] == [StepStatus.ACTIVE, StepStatus.ACTIVE]
    assert second[0].started_at == second[1].started_at and second[0].due_at == second[1].due_at
    assert request.steps.get(step=3).status == StepStatus.WAITING
    decide(r13.marketing_vp, doc)
    assert request.steps.get(step=3).status == StepStatus.WAITING
    assert pending(request=request) == {"manager"}
    decide(r13.manager, doc)
    assert request.steps.get(step=3).status == StepStatus.ACTIVE
    assert pending(request=request) == {"gm"}


def test_a_rejection_in_one_parallel_stage_cancels_the_other_and_everything_after(r13, discount):
    r13_with_deadlines(kind="gate")  # two gates side by side (the shipped C9/B9 are opinions)
    doc = discount()
    request = submit(r13, doc)
    decide(r13.supervisor, doc)
    decide(r13.marketing_vp, doc, approve=False, opinion="市场策略不允许")
    statuses = {(s.step, s.name[:4]): s.status for s in request.steps.all()}
    assert sorted(statuses.values()) == sorted([StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.CANCELLED,
                                                StepStatus.CANCELLED])
    assert ApprovalTask.objects.get(request=request, approver=r13.manager).status == TaskStatus.CANCELLED
    assert not ApprovalTask.objects.filter(request=request, approver=r13.gm).exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED and request.current_step is None


def test_mode_all_needs_every_holder_of_the_role(r13, discount, finance_vps):
    fvp1, fvp2 = finance_vps
    save_policy("discount-all", [stage(1, "财务副总会签", "role", "finance_vp", mode="all")])
    doc = discount()
    request = submit(r13, doc)
    assert pending(request=request) == {"fvp1", "fvp2"}
    decide(fvp1, doc)
    step = request.steps.get()
    assert step.status == StepStatus.ACTIVE and pending(request=request) == {"fvp2"}
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    decide(fvp2, doc)
    request.refresh_from_db()
    doc.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and doc.status == DiscountStatus.APPROVED
    assert set(ApprovalTask.objects.filter(request=request).values_list("status", flat=True)) == {TaskStatus.APPROVED}


def test_mode_all_one_no_is_enough_to_reject(r13, discount, finance_vps):
    fvp1, fvp2 = finance_vps
    save_policy("discount-all", [stage(1, "财务副总会签", "role", "finance_vp", mode="all")])
    doc = discount()
    request = submit(r13, doc)
    decide(fvp1, doc)
    decide(fvp2, doc, approve=False, opinion="资金占用过高")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED


def test_mode_any_finishes_on_the_first_decision_and_cancels_the_other_task(r13, discount, finance_vps):
    fvp1, fvp2 = finance_vps
    save_policy("discount-any", [stage(1, "财务副总", "role", "finance_vp", mode="any")])
    doc = discount()
    request = submit(r13, doc)
    other = task_of(fvp1, doc)
    decide(fvp2, doc)
    other.refresh_from_db()
    assert other.status == TaskStatus.CANCELLED and other.decided_at is not None
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    with pytest.raises(AppError) as exc:
        engine.approval_decide(by=fresh(fvp1), task_id=other.pk, approve=True)
    assert exc.value.code == "approval_already_decided"


# ── Deadlines on the working calendar (Asia/Shanghai, 09:00–18:00) ──────────────────────────────────────────


@pytest.mark.parametrize(("submitted", "days", "due"), [
    pytest.param(at(2025, 11, 21, 10), 0, at(2025, 11, 21, 18), id="friday-same-day"),
    pytest.param(at(2025, 11, 21, 10), 2, at(2025, 11, 25, 18), id="friday-plus-2-over-weekend-is-tuesday"),
    pytest.param(at(2025, 9, 30, 10), 1, at(2025, 10, 9, 18), id="national-day-holiday-skipped"),
    pytest.param(at(2025, 10, 10, 19), 0, at(2025, 10, 11, 18), id="after-hours-friday-to-adjusted-saturday"),
    pytest.param(at(2025, 9, 27, 11), 0, at(2025, 9, 28, 18), id="rest-saturday-to-adjusted-sunday"),
])
def test_stage_deadline_follows_the_working_calendar(r13, discount, calendar_2025, submitted, days, due):
    save_policy("discount-deadline", [stage(1, "主管", "requester_supervisor", days=days)])
    doc = discount()
    with time_machine.travel(submitted, tick=False):
        request = submit(r13, doc)
    step = request.steps.get()
    assert step.due_at == due
    assert task_of(r13.supervisor, doc).due_at == due


def test_without_the_calendar_the_holiday_counts_as_a_working_day(r13, discount):
    # The control for the National Day case: it is the loaded calendar that moves the deadline.
    save_policy("discount-deadline", [stage(1, "主管", "requester_supervisor", days=1)])
    with time_machine.travel(at(2025, 9, 30, 10), tick=False):
        request = submit(r13, discount())
    assert request.steps.get().due_at == at(2025, 10, 1, 18)


# ── The deadline sweep: overdue, then escalation after the grace ────────────────────────────────────────────


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return engine.approvals_sweep()


def test_sweep_flags_overdue_then_escalates_after_the_grace_and_is_idempotent(r13, discount):
    r13_with_deadlines()
    doc = discount()
    with time_machine.travel(TUESDAY_10, tick=False):
        request = submit(r13, doc)
    step = request.steps.get(step=1)
    assert step.due_at == at(2025, 11, 25, 18)

    assert sweep_at(at(2025, 11, 25, 17, 59)) == {"flagged": 0, "escalated": 0}
    step.refresh_from_db()
    assert step.overdue_at is None

    assert sweep_at(at(2025, 11, 25, 18, 30)) == {"flagged": 1, "escalated": 0}
    step.refresh_from_db()
    assert step.overdue_at == at(2025, 11, 25, 18, 30) and step.escalated_at is None
    overdue = Notification.objects.filter(kind="approval.overdue")
    assert list(overdue.values_list("user__username", flat=True)) == ["supervisor"]
    assert events_of(request, "approval.overdue").count() == 1
    assert task_of(r13.supervisor, doc).reminded_at == at(2025, 11, 25, 18, 30)

    # R13's grace is 2 hours: 19:59 is still the supervisor's alone.
    assert sweep_at(at(2025, 11, 25, 19, 59)) == {"flagged": 0, "escalated": 0}
    assert pending(request=request) == {"supervisor"}

    assert sweep_at(at(2025, 11, 25, 20, 0)) == {"flagged": 0, "escalated": 1}
    step.refresh_from_db()
    assert step.escalated_at == at(2025, 11, 25, 20, 0)
    escalated = ApprovalTask.objects.get(request=request, escalated=True)
    assert escalated.approver_id == r13.manager.pk and escalated.status == TaskStatus.PENDING  # supervisor → manager
    assert pending(request=request) == {"supervisor", "manager"}
    assert list(Notification.objects.filter(kind="approval.escalated").values_list("user__username", flat=True)) == [
        "manager"]
    assert events_of(request, "approval.escalated").get().after == {"to": ["manager"]}

    counts = (ApprovalTask.objects.count(), Notification.objects.count(), AuditEvent.objects.count())
    assert sweep_at(at(2025, 11, 25, 21, 0)) == {"flagged": 0, "escalated": 0}
    assert sweep_at(at(2025, 11, 26, 9, 0)) == {"flagged": 0, "escalated": 0}
    assert (ApprovalTask.objects.count(), Notification.objects.count(), AuditEvent.objects.count()) == counts


def test_the_escalated_approver_decides_the_stage(r13, discount):
    r13_with_deadlines()
    doc = discount()
    with time_machine.travel(TUESDAY_10, tick=False):
        request = submit(r13, doc)
    sweep_at(at(2025, 11, 25, 20, 30))  # flags and escalates in one run
    with time_machine.travel(at(2025, 11, 25, 20, 40), tick=False):
        decide(r13.manager, doc, opinion="主管出差，我代为决定")
    assert request.steps.get(step=1).status == StepStatus.APPROVED
    assert ApprovalTask.objects.get(request=request, approver=r13.supervisor).status == TaskStatus.CANCELLED
    # Having decided D8 for the supervisor does not pass the manager over: C9 is still theirs to review.
    assert pending(request=request) == {"manager", "marketing_vp"}


def test_escalation_without_a_mapped_role_goes_to_the_approvers_own_manager(r13, discount):
    save_policy("discount-no-map", [stage(1, "主管", "requester_supervisor")], escalation={}, grace=1)
    doc = discount()
    with time_machine.travel(TUESDAY_10, tick=False):
        request = submit(r13, doc)
    sweep_at(at(2025, 11, 25, 19, 30))
    assert pending(request=request) == {"supervisor", "manager"}  # the supervisor's User.manager


def test_sweep_ends_when_a_full_batch_is_overdue_but_not_yet_ripe(r13, discount):
    r13_with_deadlines()
    for _ in range(3):
        with time_machine.travel(TUESDAY_10, tick=False):
            submit(r13, discount())

    def stuck(signum, frame):
        raise TimeoutError("approvals_sweep did not return")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(5)
    try:
        with time_machine.travel(at(2025, 11, 25, 18, 30), tick=False):
            result = engine.approvals_sweep(batch=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result == {"flagged": 3, "escalated": 0}


# ── Delegation ──────────────────────────────────────────────────────────────────────────────────────────────


def _peer_supervisor(r13):
    """A supervisor of the same office's other team: may stand in for the first team's supervisor (issue #15)."""
    return UserFactory(username="supervisor_b", name="二组主管", role=Role.SUPERVISOR, unit=r13.east_team2,
                       manager=r13.manager)


def test_a_delegate_receives_the_task_and_approves_for_the_absent_approver(r13, discount):
    peer = _peer_supervisor(r13)
    with time_machine.travel(TUESDAY_10, tick=False):
        engine.delegation_create(by=fresh(r13.supervisor), delegate=fresh(peer),
                                 starts_on=dt.date(2025, 11, 25), ends_on=dt.date(2025, 11, 25), note="年假")
        doc = discount()
        request = submit(r13, doc)
        task = ApprovalTask.objects.get(request=request)
        assert task.approver_id == peer.pk and task.on_behalf_of_id == r13.supervisor.pk
        assert not ApprovalTask.objects.filter(approver=r13.supervisor).exists()
        decide(peer, doc, opinion="代主管同意")
    event = events_of(request, "approval.approved").get()
    assert event.actor_id == peer.pk
    assert event.after["by"] == "二组主管 for 一组主管"
    assert pending(request=request) == {"manager", "marketing_vp"}


def test_delegation_outside_its_dates_changes_nothing(r13, discount):
    peer = _peer_supervisor(r13)
    with time_machine.travel(TUESDAY_10, tick=False):
        engine.delegation_create(by=fresh(r13.supervisor), delegate=fresh(peer),
                                 starts_on=dt.date(2025, 11, 26), ends_on=dt.date(2025, 11, 28))
        engine.delegation_create(by=fresh(r13.supervisor), delegate=fresh(r13.manager),
                                 starts_on=dt.date(2025, 11, 17), ends_on=dt.date(2025, 11, 24))
        request = submit(r13, discount())
    task = ApprovalTask.objects.get(request=request)
    assert task.approver_id == r13.supervisor.pk and task.on_behalf_of_id is None


def test_a_delegate_never_approves_their_own_request(r13, discount):
    # The supervisor's approvals are handed to rep (a row the service would refuse today, issue #15), who then asks
    # for a discount: the task stays with the supervisor.
    with time_machine.travel(TUESDAY_10, tick=False):
        Delegation.objects.create(user=r13.supervisor, delegate=r13.rep,
                                  starts_on=dt.date(2025, 11, 25), ends_on=dt.date(2025, 11, 25))
        request = submit(r13, discount())
    task = ApprovalTask.objects.get(request=request)
    assert task.approver_id == r13.supervisor.pk and task.on_behalf_of_id is None


def test_delegating_to_oneself_is_refused_by_the_service_and_the_database(r13):
    with pytest.raises(ValidationFailed) as exc:
        engine.delegation_create(by=fresh(r13.supervisor), delegate=fresh(r13.supervisor),
                                 starts_on=dt.date(2025, 11, 25), ends_on=dt.date(2025, 11, 26))
    assert exc.value.code == "approval_delegation_invalid" and "delegate" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        engine.delegation_create(by=fresh(r13.supervisor), delegate=fresh(r13.manager),
                                 starts_on=dt.date(2025, 11, 26), ends_on=dt.date(2025, 11, 25))
    assert "ends_on" in exc.value.fields
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(user=r13.supervisor, delegate=r13.supervisor, starts_on=dt.date(2025, 11, 25),
                                  ends_on=dt.date(2025, 11, 25))
    assert not Delegation.objects.exists()


def test_only_an_admin_sets_up_a_delegation_for_someone_else(r13):
    with pytest.raises(PermissionRefused):
        engine.delegation_create(by=fresh(r13.manager), user=fresh(r13.supervisor), delegate=fresh(r13.manager),
                                 starts_on=dt.date(2025, 11, 25), ends_on=dt.date(2025, 11, 25))
    delegation = engine.delegation_create(by=fresh(r13.admin), user=fresh(r13.supervisor),
                                          delegate=fresh(r13.manager), starts_on=dt.date(2025, 11, 25),
                                          ends_on=dt.date(2025, 11, 25))
    assert delegation.user_id == r13.supervisor.pk


# ── Notifications and e-mail ─────────────────────────────────────────────────────────────────────────────────


def test_requester_is_notified_of_approval(r13, discount):
    doc = discount()
    submit(r13, doc)
    for approver in (r13.supervisor, r13.manager, r13.marketing_vp, r13.gm):
        assert not Notification.objects.filter(user=r13.rep, kind="approval.approved").exists()
        decide(approver, doc)
    notice = Notification.objects.get(user=r13.rep, kind="approval.approved")
    assert doc.number in notice.title and notice.url == reverse("deals:discount_detail", args=[doc.pk])
    # Each approver was told when their stage started.
    assert set(Notification.objects.filter(kind="approval.new").values_list("user__username", flat=True)) == {
        "supervisor", "manager", "marketing_vp", "gm"}


def test_requester_is_notified_of_rejection_with_the_opinion(r13, discount):
    doc = discount()
    submit(r13, doc)
    decide(r13.supervisor, doc, approve=False, opinion="请先确认竞品报价")
    notice = Notification.objects.get(user=r13.rep, kind="approval.rejected")
    assert "请先确认竞品报价" in notice.body and "一组主管" in notice.body
    assert not Notification.objects.filter(kind="approval.approved").exists()


def test_mail_leaves_only_after_commit(r13, discount, django_capture_on_commit_callbacks, mailoutbox):
    type(r13.supervisor).objects.filter(pk=r13.supervisor.pk).update(email="supervisor@example.com")
    doc = discount()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(r13, doc)
    assert Notification.objects.filter(user=r13.supervisor, kind="approval.new").exists()
    assert mailoutbox == []  # not before the transaction commits
    assert callbacks
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [["supervisor@example.com"]]
    assert doc.number in mailoutbox[0].subject


def test_a_rolled_back_decision_sends_no_mail(r13, discount, django_capture_on_commit_callbacks, mailoutbox):
    type(r13.rep).objects.filter(pk=r13.rep.pk).update(email="rep@example.com")
    doc = discount()
    submit(r13, doc)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationFailed):
            decide(r13.supervisor, doc, approve=False, opinion="")
    assert callbacks == [] and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        decide(r13.supervisor, doc, approve=False, opinion="不同意")
    assert [m.to for m in mailoutbox] == [["rep@example.com"]]


# ── Policies: validation, permissions, versions, the shipped file ──────────────────────────────────────────


def valid_policy(**changes) -> dict:
    data = {"code": "test-policy", "name": "测试", "document_type": DOCUMENT_TYPE, "priority": 50,
            "conditions": [{"field": "discount_percent", "op": "gt", "value": "5"}],
            "escalation": {"supervisor": "manager"},
            "stages": [stage(1, "主管", "requester_supervisor"), stage(2, "总经理", "role", "gm")]}
    data.update(changes)
    return data


@pytest.mark.parametrize(("changes", "field"), [
    pytest.param({"stages": [stage(1, "审批", "role", "ceo")]}, "stages", id="unknown-role"),
    pytest.param({"stages": []}, "stages", id="empty-stages"),
    pytest.param({"escalation": {"supervisor": "manager", "manager": "supervisor"}}, "escalation", id="circular"),
    pytest.param({"escalation": {"manager": "manager"}}, "escalation", id="self-escalation"),
    pytest.param({"escalation": {"supervisor": "boss"}}, "escalation", id="unknown-escalation-role"),
    pytest.param({"document_type": "deals.nothing"}, "document_type", id="unknown-document-type"),
    pytest.param({"conditions": [{"field": "discount_percent", "op": "greater", "value": "5"}]}, "conditions",
                 id="bad-operator"),
    pytest.param({"stages": [stage(1, "审批", "somebody")]}, "stages", id="unknown-rule"),
    pytest.param({"stages": [stage(1, "审批", "role", "gm", mode="most")]}, "stages", id="bad-mode"),
    pytest.param({"stages": [stage(0, "审批", "role", "gm")]}, "stages", id="step-zero"),
    pytest.param({"code": "Bad Code"}, "code", id="bad-code"),
])
def test_invalid_policies_are_refused_naming_the_field(db, changes, field):
    with pytest.raises(ValidationFailed) as exc:
        validate_policy(valid_policy(**changes))
    assert exc.value.code == "approval_policy_invalid"
    assert field in exc.value.fields, exc.value.fields


def test_a_valid_policy_is_cleaned(db):
    cleaned = validate_policy(valid_policy(stages=[{"name": "主管", "rule": "requester_supervisor", "role": "gm"}]))
    assert cleaned["stages"] == [{"step": 1, "name": "主管", "rule": "requester_supervisor", "role": "",
                                  "mode": "any", "kind": "gate", "deadline_days": None}]


def test_policy_save_refuses_an_invalid_policy_and_writes_nothing(r13):
    before = ApprovalPolicy.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        policy_save(by=fresh(r13.admin), data=valid_policy(stages=[]))
    assert exc.value.code == "approval_policy_invalid"
    assert ApprovalPolicy.objects.count() == before


@pytest.mark.parametrize("who", ["manager", "gm", "director", "rep"])
def test_only_an_admin_saves_policies(r13, who):
    with pytest.raises(PermissionRefused):
        policy_save(by=fresh(getattr(r13, who)), data=valid_policy())
    assert not ApprovalPolicy.objects.filter(code="test-policy").exists()
    policy = policy_save(by=fresh(r13.admin), data=valid_policy())
    assert policy.version == 1 and policy.stages.count() == 2
    assert AuditEvent.objects.filter(action="approval_policy.saved", actor=r13.admin).exists()


def test_editing_a_policy_leaves_a_request_under_way_on_its_copied_stages(r13, discount):
    doc = discount()
    request = submit(r13, doc)
    shipped = ApprovalPolicy.objects.get(code="discount")
    policy_save(by=fresh(r13.admin), data={**policy_as_dict(shipped), "stages": [stage(1, "总经理", "role", "gm")]})
    shipped.refresh_from_db()
    assert shipped.version == 2 and shipped.stages.count() == 1
    request.refresh_from_db()
    assert request.policy_version == 1 and request.steps.count() == 4
    for approver in (r13.supervisor, r13.manager, r13.marketing_vp, r13.gm):
        decide(approver, doc)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert list(ApprovalStep.objects.filter(request=request).values_list("status", flat=True)) == [
        StepStatus.APPROVED, StepStatus.OPINED, StepStatus.OPINED, StepStatus.APPROVED]
    # A request started after the edit follows the new chain.
    later = submit(r13, discount())
    assert later.policy_version == 2 and list(later.steps.values_list("name", flat=True)) == ["总经理"]


REGULATIONS = {"R13", "R2", "R16", "R6", "R8", "R10", "R11", "R9"}
CODES = {"discount", "contract-application", "quote-major", "quote", "production-notice", "delivery-note",
         "dispatch-order", "invoice", "commission-payout",
         "export"}  # issue #15: exports above the row limit; no regulation of the seeds behind it


def test_the_shipped_policies_load_cleanly_with_the_eight_regulations(db):
    raw = tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))["policy"]
    for entry in raw:
        validate_policy(entry)  # raises on any problem
    policies = policy_load_file(by=None, system=True)
    assert {p.code for p in policies} == CODES
    assert {p.regulation for p in policies} - {""} == REGULATIONS
    assert all(p.stages.exists() for p in policies)
    discount = ApprovalPolicy.objects.get(code="discount")
    assert [(s.step, s.rule, s.role) for s in discount.stages.order_by("step", "id")] == [
        (1, "requester_supervisor", ""), (2, "region_manager", ""), (2, "role", "marketing_vp"), (3, "role", "gm")]
    # Loading again replaces, never duplicates.
    policy_load_file(by=None, system=True)
    assert ApprovalPolicy.objects.count() == len(CODES)
    assert ApprovalPolicy.objects.get(code="discount").stages.count() == 4


def test_a_policy_without_stages_in_the_database_cannot_start(r13, discount):
    # Belt and braces: validation refuses it, but a hand-edited row must still fail cleanly.
    ApprovalPolicy.objects.get(code="discount").stages.all().delete()
    doc = discount()
    with pytest.raises(AppError) as exc:
        submit(r13, doc)
    assert exc.value.code == "approval_policy_invalid"
    assert DiscountRequest.objects.get(pk=doc.pk).status == DiscountStatus.DRAFT
