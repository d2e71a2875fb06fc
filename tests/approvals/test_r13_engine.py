"""The approval engine running R13 on the discount request: supervisor → (sales manager ∥ marketing VP) → GM."""

import datetime as dt

import pytest
import time_machine

from salesflow.approvals import services as engine
from salesflow.approvals.models import ApprovalRequest, ApprovalTask, RequestStatus, StepStatus, TaskStatus
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
    # R13: the same working day.
    step = request.steps.get(step=1)
    assert step.due_at == TUESDAY_10.replace(hour=18)

    decide(r13.supervisor, doc)
    pending = set(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True))
    assert pending == {"manager", "marketing_vp"}
    decide(r13.manager, doc)
    assert set(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True)) == {
        "marketing_vp"}  # the parallel stage still waits for the VP
    decide(r13.marketing_vp, doc)
    assert list(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True)) == ["gm"]
    decide(r13.gm, doc)
    doc.refresh_from_db()
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and doc.status == DiscountStatus.APPROVED
    assert doc.terms_version == 1 and doc.approved_at is not None


def test_R13_rejection_returns_the_document_to_its_author_with_the_opinion(r13, discount):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    decide(r13.supervisor, doc)
    decide(r13.manager, doc, approve=False, opinion="折扣超出本季度政策，请降到5%")
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.DRAFT and doc.last_opinion == "折扣超出本季度政策，请降到5%"
    request = ApprovalRequest.objects.get()
    assert request.status == RequestStatus.REJECTED
    assert not ApprovalTask.objects.filter(status="pending").exists()  # the VP's task is cancelled too


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


def test_nobody_approves_their_own_request(r13, discount):
    # The supervisor asks for a discount on a customer of their team: stage 1 would be themselves,
    # so it goes one level up (the sales manager), and they have no task anywhere in the request.
    doc = discount(by=r13.supervisor, customer=r13.cust_rep)
    deals.discount_submit(by=fresh(r13.supervisor), discount_id=doc.pk)
    pending = list(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True))
    assert pending == ["manager"]
    with pytest.raises(NotFound):
        engine.approval_decide(by=fresh(r13.supervisor), task_id=ApprovalTask.objects.get().pk, approve=True)


def test_nobody_decides_twice_in_one_request(r13, discount):
    # The manager takes stage 1 (the supervisor's own request) and is then not asked again in stage 2:
    # the stage goes to the next level up (the director) instead.
    doc = discount(by=r13.supervisor, customer=r13.cust_rep)
    deals.discount_submit(by=fresh(r13.supervisor), discount_id=doc.pk)
    decide(r13.manager, doc)
    pending = set(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True))
    assert pending == {"director", "marketing_vp"}


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
