"""The approval engine running R13 on the discount request: supervisor → (sales manager ∥ marketing VP) → GM."""

import datetime as dt

import pytest
import time_machine

from salesflow.approvals import services as engine
from salesflow.approvals.models import ApprovalRequest, ApprovalTask, RequestStatus, StepStatus, TaskStatus
from salesflow.audit.models import AuditEvent
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.deals.discounts import services as deals
from salesflow.deals.models import DiscountRequest, DiscountStatus

from ..conftest import fresh

pytestmark = pytest.mark.django_db
TUESDAY_10 = dt.datetime(2025, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def task_of(user, doc):
    return ApprovalTask.objects.get(approver=user, request__document_id=doc.pk, status=TaskStatus.PENDING)


def decide(user, doc, approve=True, opinion="同意"):
    return engine.approval_decide(by=fresh(user), task_id=task_of(user, doc).pk, approve=approve, opinion=opinion)


@time_machine.travel(TUESDAY_10, tick=False)
def test_r13_walks_supervisor_then_manager_and_vp_side_by_side_then_gm(r13, discount):
    doc = discount()
    request = deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.PENDING
    assert list(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True)) == [
        "supervisor"]
    # D8 carries no deadline of its own in the seed; the reviews (C9/B9) go up the same working day.
    assert request.steps.get(step=1).due_at is None

    decide(r13.supervisor, doc)
    assert {s.due_at for s in request.steps.filter(step=2)} == {TUESDAY_10.replace(hour=18)}
    pending = set(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True))
    assert pending == {"manager", "marketing_vp"}
    decide(r13.manager, doc, opinion="同意，老客户")
    assert set(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True)) == {
        "marketing_vp"}  # the parallel stage still waits for the VP
    decide(r13.marketing_vp, doc, opinion="同意")
    assert list(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True)) == ["gm"]
    decide(r13.gm, doc)
    doc.refresh_from_db()
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and doc.status == DiscountStatus.APPROVED
    assert doc.terms_version == 1 and doc.approved_at is not None


def test_R13_a_gate_rejection_returns_the_document_to_its_author_with_the_opinion(r13, discount):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    decide(r13.supervisor, doc, approve=False, opinion="折扣超出本季度政策，请降到5%")
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.DRAFT and doc.last_opinion == "折扣超出本季度政策，请降到5%"
    request = ApprovalRequest.objects.get()
    assert request.status == RequestStatus.REJECTED
    assert not ApprovalTask.objects.filter(status="pending").exists()
    assert set(request.steps.values_list("status", flat=True)) == {StepStatus.REJECTED, StepStatus.CANCELLED}


def test_rejection_needs_an_opinion(r13, discount):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    with pytest.raises(ValidationFailed):
        decide(r13.supervisor, doc, approve=False, opinion="  ")


def test_resubmit_starts_a_new_round_and_keeps_the_old_one(r13, discount):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    decide(r13.supervisor, doc, approve=False, opinion="理由不充分")
    deals.discount_update(by=fresh(r13.rep), discount_id=doc.pk,
                          data={"amount": "200000", "discount_percent": "5", "reason": "补充：对方三年框架协议"})
    request = deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    assert request.round == 2 and request.status == RequestStatus.PENDING
    assert set(request.steps.values_list("round", flat=True)) == {1, 2}
    old = request.steps.get(round=1, step=1)
    assert old.status == StepStatus.REJECTED
    assert ApprovalTask.objects.get(step=old).opinion == "理由不充分"


def test_author_can_withdraw_while_pending_and_nobody_else_can(r13, discount):
    doc = discount()
    request = deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    with pytest.raises(PermissionRefused):
        engine.approval_withdraw(by=fresh(r13.supervisor), request_id=request.pk)
    deals.discount_withdraw(by=fresh(r13.rep), discount_id=doc.pk)
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.DRAFT
    assert ApprovalRequest.objects.get().status == RequestStatus.WITHDRAWN
    assert not ApprovalTask.objects.filter(status="pending").exists()


def test_R13_the_supervisors_own_request_is_their_d8_decision(r13, discount):
    # 002 D8: "销售主管根据客户资料及客户预定书内容,确定是否给予客户优惠条件" — when the supervisor asks, the asking is
    # the decision: D8 is recorded as theirs by submission, and the manager is asked only for C9, the VP for B9.
    doc = discount(by=r13.supervisor, customer=r13.cust_rep)
    request = deals.discount_submit(by=fresh(r13.supervisor), discount_id=doc.pk)
    d8 = request.steps.get(step=1)
    assert d8.status == StepStatus.APPROVED
    task = d8.tasks.get()
    assert task.approver_id == r13.supervisor.pk and task.by_submission and task.status == TaskStatus.APPROVED
    pending = set(ApprovalTask.objects.filter(status="pending").values_list("step__name", "approver__username"))
    assert pending == {("销售经理审核 (C9)", "manager"), ("营销副总审核 (B9)", "marketing_vp")}
    assert AuditEvent.objects.filter(action="approval.by_submission", object_id=str(request.pk),
                                     actor=r13.supervisor).exists()


def test_nobody_approves_their_own_request(r13, discount):
    doc = discount(by=r13.supervisor, customer=r13.cust_rep)
    deals.discount_submit(by=fresh(r13.supervisor), discount_id=doc.pk)
    mine = ApprovalTask.objects.get(approver=r13.supervisor)  # the D8 decided by submitting: nothing to decide
    with pytest.raises(NotFound):
        engine.approval_decide(by=fresh(r13.supervisor), task_id=ApprovalTask.objects.get(
            approver=r13.manager).pk, approve=True, opinion="同意")
    with pytest.raises((Conflict, PermissionRefused)):
        engine.approval_decide(by=fresh(r13.supervisor), task_id=mine.pk, approve=True, opinion="同意")


def test_a_decided_task_cannot_be_decided_again(r13, discount):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    task = task_of(r13.supervisor, doc)
    engine.approval_decide(by=fresh(r13.supervisor), task_id=task.pk, approve=True)
    with pytest.raises(Conflict):
        engine.approval_decide(by=fresh(r13.supervisor), task_id=task.pk, approve=True)


def test_another_user_cannot_decide_someone_elses_task(r13, discount):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    with pytest.raises(NotFound):
        engine.approval_decide(by=fresh(r13.rep_b), task_id=task_of(r13.supervisor, doc).pk, approve=True)


def test_submitting_twice_is_refused(r13, discount):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    with pytest.raises(AppError):
        deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    assert ApprovalRequest.objects.count() == 1


def test_only_the_author_submits(r13, discount):
    doc = discount()
    with pytest.raises((PermissionRefused, NotFound)):
        deals.discount_submit(by=fresh(r13.supervisor), discount_id=doc.pk)
    assert DiscountRequest.objects.get().status == DiscountStatus.DRAFT
