"""A document on the approval engine audits its own transitions on itself, besides the engine's events on its
approval request: the discount request's history shows submitted, returned and approved.

R13 (seed 002 A9): "对上报的资料及意见进行审批,审批合格后签署意见并下发销售主管" — the general manager's verdict is
what moves the request; the document's own trail records each move, with who made it."""

import pytest

from salesflow.approvals import services as engine
from salesflow.audit.models import AuditEvent
from salesflow.deals.discounts import services as deals

from ..approvals.helpers import decide, save_policy, stage
from ..conftest import fresh

pytestmark = pytest.mark.django_db


def trail(object_type, object_id):
    return list(AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
                .order_by("id").values_list("action", "actor_name", "before", "after", "note"))


def test_r13_the_discount_requests_transitions_are_audited_on_the_document_and_on_its_request(r13, discount):
    save_policy("discount-one", [stage(1, "主管", "requester_supervisor")])
    doc = discount()
    request = deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    decide(r13.supervisor, doc, approve=False, opinion="折扣过高")
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    deals.discount_withdraw(by=fresh(r13.rep), discount_id=doc.pk)
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    decide(r13.supervisor, doc)

    draft, pending, approved = "draft", "pending", "approved"
    created, *moves = trail("deals.discountrequest", doc.pk)
    assert created[:3] == ("discount.created", "rep", None) and created[3]["status"] == draft
    assert moves == [
        ("discount.submitted", "rep", {"status": draft}, {"status": pending}, ""),
        ("discount.returned", "supervisor", {"status": pending}, {"status": draft}, "折扣过高"),
        ("discount.submitted", "rep", {"status": draft}, {"status": pending}, ""),
        ("discount.returned", "rep", {"status": pending}, {"status": draft}, ""),
        ("discount.submitted", "rep", {"status": draft}, {"status": pending}, ""),
        ("discount.approved", "supervisor", {"status": pending}, {"status": approved}, ""),
    ]
    assert [a for a, *_rest in trail("approvals.approvalrequest", request.pk)] == [
        "approval.submitted", "approval.rejected", "approval.resubmitted", "approval.withdrawn",
        "approval.resubmitted", "approval.approved", "approval.completed"]
    # Both trails sit on the customer's timeline.
    on_customer = set(AuditEvent.objects.filter(customer_id=r13.cust_rep.pk).values_list("action", flat=True))
    assert {"discount.submitted", "discount.approved", "approval.submitted", "approval.completed"} <= on_customer
    assert engine.request_for("deals.discountrequest", doc.pk).status == "approved"
