# ruff: noqa: F811
"""Approval races on purpose, with real threads on PostgreSQL (style.md #13; SQLite ignores select_for_update).

Two approvers of one stage, the two parallel R13 stages, approve against reject, two deadline sweeps, and a
sweep against a decision. Where the interleaving matters, a hook holds one thread at a named point until the
other has reached its own (the RunBefore/RunAfter idea of Saleor's ``tests/race_condition.py``).
"""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from unittest import mock

import pytest
import time_machine
from django.db import connection

from salesflow.approvals import services as engine
from salesflow.approvals.models import (
    ApprovalStep,
    ApprovalTask,
    RequestStatus,
    StepStatus,
    TaskStatus,
)
from salesflow.audit.models import AuditEvent
from salesflow.core.errors import Conflict
from salesflow.deals.discounts import services as deals
from salesflow.deals.models import DiscountRequest, DiscountStatus
from salesflow.notifications.models import Notification
from salesflow.org.roles import Role
from tests.concurrency import run_together

from .approvals.conftest import discount, r13  # noqa: F401 — the R13 fixtures, shared
from .approvals.helpers import at, r13_with_deadlines, save_policy, stage, task_of
from .conftest import fresh
from .factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TUESDAY_10 = at(2025, 11, 25, 10)
ATTEMPTS = 3


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def decider(user, task_id, approve=True, opinion="同意"):
    return lambda: engine.approval_decide(by=fresh(user), task_id=task_id, approve=approve, opinion=opinion)


def submitted(r13, discount):
    doc = discount()
    request = deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    return doc, request


@pytest.fixture
def finance_vps(r13):
    return (UserFactory(username="fvp1", name="财务副总甲", role=Role.FINANCE_VP, unit=r13.hq, manager=r13.gm),
            UserFactory(username="fvp2", name="财务副总乙", role=Role.FINANCE_VP, unit=r13.hq, manager=r13.gm))


@pytest.fixture
def any_then_gm(r13, finance_vps):
    """Stage 1: either finance VP decides (mode any); stage 2: the GM."""
    save_policy("discount-any", [stage(1, "财务副总", "role", "finance_vp", mode="any"),
                                 stage(2, "总经理", "role", "gm")])
    return finance_vps


def assert_consistent(doc, request):
    doc.refresh_from_db()
    request.refresh_from_db()
    expected = {RequestStatus.PENDING: DiscountStatus.PENDING, RequestStatus.REJECTED: DiscountStatus.DRAFT,
                RequestStatus.APPROVED: DiscountStatus.APPROVED}[request.status]
    assert doc.status == expected, (request.status, doc.status)
    # Nothing pending may hang on a step that is no longer deciding.
    assert not ApprovalTask.objects.filter(request=request, status=TaskStatus.PENDING).exclude(
        step__status=StepStatus.ACTIVE).exists()


def test_two_any_approvers_at_the_same_moment_advance_the_request_once(r13, discount, any_then_gm):
    fvp1, fvp2 = any_then_gm
    for _attempt in range(ATTEMPTS):
        doc, request = submitted(r13, discount)
        results, errors = run_together(decider(fvp1, task_of(fvp1, doc).pk), decider(fvp2, task_of(fvp2, doc).pk))
        assert sum(r is not None for r in results) == 1, errors
        failure = next(e for e in errors if e is not None)
        assert isinstance(failure, Conflict) and failure.code == "approval_already_decided", repr(failure)
        tasks = ApprovalTask.objects.filter(request=request, step__step=1)
        assert sorted(tasks.values_list("status", flat=True)) == [TaskStatus.APPROVED, TaskStatus.CANCELLED]
        # The request moved to step 2 exactly once: one active GM step, one GM task, one "new" notice.
        assert ApprovalStep.objects.filter(request=request, step=2, status=StepStatus.ACTIVE).count() == 1
        assert ApprovalTask.objects.filter(request=request, approver=r13.gm).count() == 1
        assert Notification.objects.filter(user=r13.gm, kind="approval.new", title__contains=doc.number).count() == 1
        assert AuditEvent.objects.filter(object_id=str(request.pk), action="approval.approved").count() == 1
        request.refresh_from_db()
        assert request.current_step == 2
        assert_consistent(doc, request)


def test_the_two_parallel_R13_approvers_at_the_same_moment_start_the_gm_once(r13, discount):
    for _attempt in range(ATTEMPTS):
        doc, request = submitted(r13, discount)
        engine.approval_decide(by=fresh(r13.supervisor), task_id=task_of(r13.supervisor, doc).pk, approve=True)
        results, errors = run_together(decider(r13.manager, task_of(r13.manager, doc).pk),
                                       decider(r13.marketing_vp, task_of(r13.marketing_vp, doc).pk))
        assert errors == [None, None], errors
        assert ApprovalTask.objects.filter(request=request, approver=r13.gm).count() == 1
        assert ApprovalStep.objects.get(request=request, step=3).status == StepStatus.ACTIVE
        assert list(ApprovalStep.objects.filter(request=request, step=2).values_list("status", flat=True)) == [
            StepStatus.OPINED, StepStatus.OPINED]
        request.refresh_from_db()
        assert request.current_step == 3
        assert_consistent(doc, request)


def test_R13_an_agreeing_and_a_disagreeing_review_at_the_same_moment_both_go_up_to_the_gm_once(r13, discount):
    for _attempt in range(ATTEMPTS):
        doc, request = submitted(r13, discount)
        engine.approval_decide(by=fresh(r13.supervisor), task_id=task_of(r13.supervisor, doc).pk, approve=True)
        results, errors = run_together(decider(r13.manager, task_of(r13.manager, doc).pk),
                                       decider(r13.marketing_vp, task_of(r13.marketing_vp, doc).pk, approve=False,
                                               opinion="不同意"))
        assert errors == [None, None], errors
        request.refresh_from_db()
        assert request.status == RequestStatus.PENDING and request.current_step == 3
        assert ApprovalTask.objects.filter(request=request, approver=r13.gm, status="pending").count() == 1
        assert sorted(ApprovalTask.objects.filter(request=request, step__step=2).values_list("status", flat=True)) == [
            TaskStatus.AGREED, TaskStatus.DISAGREED]
        assert_consistent(doc, request)


def test_approve_and_reject_at_the_same_moment_end_in_one_consistent_state(r13, discount, any_then_gm):
    fvp1, fvp2 = any_then_gm
    for _attempt in range(ATTEMPTS * 2):
        doc, request = submitted(r13, discount)
        results, errors = run_together(decider(fvp1, task_of(fvp1, doc).pk),
                                       decider(fvp2, task_of(fvp2, doc).pk, approve=False, opinion="不同意"))
        assert sum(e is not None for e in errors) == 1, errors
        failure = next(e for e in errors if e is not None)
        assert isinstance(failure, Conflict) and failure.code == "approval_already_decided", repr(failure)
        request.refresh_from_db()
        if errors[1] is not None:  # the approval won: on to the GM
            assert request.status == RequestStatus.PENDING and request.current_step == 2
            assert ApprovalTask.objects.filter(request=request, approver=r13.gm, status="pending").count() == 1
        else:  # the rejection won: back to the author, nothing left open
            assert request.status == RequestStatus.REJECTED
            assert not ApprovalTask.objects.filter(request=request, status=TaskStatus.PENDING).exists()
            assert not ApprovalTask.objects.filter(request=request, approver=r13.gm).exists()
        assert_consistent(doc, request)


def test_approve_and_reject_in_parallel_gate_stages_always_end_rejected(r13, discount):
    r13_with_deadlines(kind="gate")  # C9/B9 made gates by an administrator
    for _attempt in range(ATTEMPTS):
        doc, request = submitted(r13, discount)
        engine.approval_decide(by=fresh(r13.supervisor), task_id=task_of(r13.supervisor, doc).pk, approve=True)
        results, errors = run_together(decider(r13.manager, task_of(r13.manager, doc).pk),
                                       decider(r13.marketing_vp, task_of(r13.marketing_vp, doc).pk, approve=False,
                                               opinion="不同意"))
        request.refresh_from_db()
        assert request.status == RequestStatus.REJECTED
        assert errors[1] is None  # the rejection always lands (first, or after the approval of the other stage)
        assert errors[0] is None or errors[0].code == "approval_already_decided"
        assert not ApprovalTask.objects.filter(request=request, approver=r13.gm).exists()
        assert_consistent(doc, request)


def test_two_sweeps_at_once_flag_and_escalate_each_overdue_step_once(r13, discount):
    r13_with_deadlines()  # a deadline on D8 too, as an administrator may add
    with time_machine.travel(TUESDAY_10, tick=False):
        requests = [submitted(r13, discount)[1] for _ in range(12)]
    late = at(2025, 11, 25, 21)  # past 18:00 + R13's 2 hours of grace
    results, errors = run_together(lambda: engine.approvals_sweep(now=late),
                                   lambda: engine.approvals_sweep(now=late))
    assert errors == [None, None], errors
    assert sum(r["flagged"] for r in results) == 12 and sum(r["escalated"] for r in results) == 12
    for request in requests:
        step = request.steps.get(step=1)
        assert step.overdue_at == late and step.escalated_at == late
        assert ApprovalTask.objects.filter(step=step, escalated=True).count() == 1
    assert Notification.objects.filter(kind="approval.overdue").count() == 12
    assert Notification.objects.filter(kind="approval.escalated").count() == 12
    assert AuditEvent.objects.filter(action="approval.escalated").count() == 12
    assert engine.approvals_sweep(now=late) == {"flagged": 0, "escalated": 0}


@contextmanager
def hold(module, name, until: threading.Event, reached: threading.Event | None = None, timeout=3.0):
    """Patch ``module.name``: signal ``reached`` on entry, then wait (at most ``timeout``) for ``until``."""
    original = getattr(module, name)

    def held(*args, **kwargs):
        if reached is not None:
            reached.set()
        until.wait(timeout)
        return original(*args, **kwargs)

    with mock.patch.object(module, name, held):
        yield


def signal_on(module, name, event: threading.Event):
    original = getattr(module, name)

    def signalling(*args, **kwargs):
        event.set()
        return original(*args, **kwargs)

    return mock.patch.object(module, name, signalling)


# The sweep and a decision once took their locks in opposite orders (step→task vs request→task→step) and
# PostgreSQL killed one with "deadlock detected". Now every writer locks the request first; these two tests
# hold the sweep inside its critical section while a decision arrives.


def test_a_decision_during_an_escalation_neither_deadlocks_nor_leaves_an_open_task(r13, discount):
    r13_with_deadlines()
    doc, request = submitted(r13, discount)
    step = request.steps.get(step=1)
    ApprovalStep.objects.filter(pk=step.pk).update(due_at=step.due_at - dt.timedelta(days=2),
                                                   overdue_at=step.due_at - dt.timedelta(days=2))
    decision_reached_step = threading.Event()
    # The sweep has the step locked; it escalates only once the decision has cancelled the stage's other tasks
    # and is waiting to close the step.
    with hold(engine, "_escalate_many", until=decision_reached_step), \
            signal_on(engine, "_finish_step", decision_reached_step):
        results, errors = run_together(lambda: engine.approvals_sweep(),
                                       decider(r13.supervisor, task_of(r13.supervisor, doc).pk))
    assert errors == [None, None], errors
    assert_consistent(doc, request)


def test_a_decision_during_the_overdue_flagging_does_not_deadlock(r13, discount):
    r13_with_deadlines()
    doc, request = submitted(r13, discount)
    step = request.steps.get(step=1)
    ApprovalStep.objects.filter(pk=step.pk).update(due_at=step.due_at - dt.timedelta(days=2))
    decision_reached_step = threading.Event()
    with hold(engine, "_remind_many", until=decision_reached_step), \
            signal_on(engine, "_finish_step", decision_reached_step):
        results, errors = run_together(lambda: engine.approvals_sweep(),
                                       decider(r13.supervisor, task_of(r13.supervisor, doc).pk))
    assert errors == [None, None], errors
    assert_consistent(doc, request)
    assert DiscountRequest.objects.get(pk=doc.pk).status == DiscountStatus.PENDING  # on to stage 2
