"""The approvals API (/api/v1/approvals, /approval-policies, /discount-requests): allowed, not yours → 404,
bad input → 400, decided → 409, anonymous → 401, wrong role → 403, and pinned query counts (style.md #11, #12)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesflow.approvals.models import (
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalTask,
    RequestStatus,
    TaskStatus,
)
from salesflow.deals.discounts import services as deals
from salesflow.deals.models import DiscountStatus

from ..conftest import fresh
from .helpers import decide, stage, task_of

pytestmark = pytest.mark.django_db


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def submitted(r13, discount):
    def make(**kwargs):
        doc = discount(**kwargs)
        deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
        return doc

    return make


def test_inbox_lists_my_pending_tasks(r13, submitted, client_for):
    doc = submitted()
    body = client_for(r13.supervisor).get("/api/v1/approvals").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == task_of(r13.supervisor, doc).pk and item["document_id"] == doc.pk
    assert item["document_type"] == "deals.discountrequest" and item["status"] == "pending"
    assert item["requester"] == "张销售" and item["stage"].startswith("销售主管")
    assert client_for(r13.manager).get("/api/v1/approvals").json()["count"] == 0  # not their turn yet
    assert client_for(r13.rep).get("/api/v1/approvals").json()["count"] == 0


def test_approve_moves_the_request_on(r13, submitted, client_for):
    doc = submitted()
    task = task_of(r13.supervisor, doc)
    resp = post(client_for(r13.supervisor), f"/api/v1/approvals/{task.pk}/approve", {"opinion": "同意"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "approved" and resp.json()["opinion"] == "同意"
    assert set(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True)) == {
        "manager", "marketing_vp"}
    history = client_for(r13.supervisor).get("/api/v1/approvals?box=history").json()
    assert [i["id"] for i in history["items"]] == [task.pk]


def test_reject_with_an_opinion_returns_the_document(r13, submitted, client_for):
    doc = submitted()
    task = task_of(r13.supervisor, doc)
    resp = post(client_for(r13.supervisor), f"/api/v1/approvals/{task.pk}/reject", {"opinion": "理由不足"})
    assert resp.status_code == 200, resp.content
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.DRAFT and doc.last_opinion == "理由不足"


def test_reject_without_an_opinion_is_400(r13, submitted, client_for):
    doc = submitted()
    task = task_of(r13.supervisor, doc)
    for body in ({}, {"opinion": "   "}):
        resp = post(client_for(r13.supervisor), f"/api/v1/approvals/{task.pk}/reject", body)
        assert resp.status_code == 400, resp.content
        assert resp.json()["code"] == "approval_opinion_required" and "opinion" in resp.json()["fields"]
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_approve_twice_is_409(r13, submitted, client_for):
    doc = submitted()
    task = task_of(r13.supervisor, doc)
    client = client_for(r13.supervisor)
    assert post(client, f"/api/v1/approvals/{task.pk}/approve").status_code == 200
    resp = post(client, f"/api/v1/approvals/{task.pk}/approve")
    assert resp.status_code == 409 and resp.json()["code"] == "approval_already_decided"


def test_another_users_task_is_404_like_a_missing_one(r13, submitted, client_for):
    doc = submitted()
    task = task_of(r13.supervisor, doc)
    missing = post(client_for(r13.rep_b), "/api/v1/approvals/999999/approve")
    for user in (r13.rep_b, r13.manager, r13.rep, r13.gm):
        for action in ("approve", "reject"):
            resp = post(client_for(user), f"/api/v1/approvals/{task.pk}/{action}", {"opinion": "x"})
            assert resp.status_code == 404, (user.username, resp.content)
            assert resp.json()["message"] == missing.json()["message"]
    assert missing.status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_anonymous_is_401(r13, submitted, client_for):
    doc = submitted()
    task = task_of(r13.supervisor, doc)
    anon = client_for(None)
    for resp in (anon.get("/api/v1/approvals"), post(anon, f"/api/v1/approvals/{task.pk}/approve"),
                 anon.get("/api/v1/approval-policies"), post(anon, "/api/v1/approval-policies", {}),
                 anon.get("/api/v1/discount-requests")):
        assert resp.status_code == 401 and resp.json()["code"] == "not_authenticated"
    assert ApprovalTask.objects.get(pk=task.pk).status == TaskStatus.PENDING


POLICY = {"code": "discount-api", "name": "API 建的策略", "document_type": "deals.discountrequest", "priority": 5,
          "stages": [stage(1, "总经理", "role", "gm")]}


@pytest.mark.parametrize("who", ["gm", "manager", "rep", "director"])
def test_policy_write_by_a_non_admin_is_403(r13, client_for, who):
    resp = post(client_for(getattr(r13, who)), "/api/v1/approval-policies", POLICY)
    assert resp.status_code == 403, resp.content
    assert not ApprovalPolicy.objects.filter(code="discount-api").exists()


def test_policy_write_by_an_admin(r13, client_for):
    client = client_for(r13.admin)
    resp = post(client, "/api/v1/approval-policies", POLICY)
    assert resp.status_code == 200, resp.content
    assert resp.json()["version"] == 1 and [s["name"] for s in resp.json()["stages"]] == ["总经理"]
    bad = post(client, "/api/v1/approval-policies", {**POLICY, "escalation": {"manager": "director",
                                                                              "director": "manager"}})
    assert bad.status_code == 400 and bad.json()["code"] == "approval_policy_invalid"
    assert "escalation" in bad.json()["fields"]
    assert client.get("/api/v1/approval-policies/discount-api").json()["version"] == 1


def test_policies_are_readable_by_sales_staff(r13, client_for):
    body = client_for(r13.rep).get("/api/v1/approval-policies").json()
    assert "discount" in {p["code"] for p in body}
    assert client_for(r13.rep).get("/api/v1/approval-policies/nothing").status_code == 404
    assert client_for(r13.planner).get("/api/v1/approval-policies").status_code == 403


def test_discount_request_create_submit_and_scope(r13, client_for):
    rep = client_for(r13.rep)
    resp = post(rep, "/api/v1/discount-requests", {"customer_id": r13.cust_rep.pk, "amount": "100000",
                                                   "discount_percent": "6", "reason": "年度框架协议"})
    assert resp.status_code == 201, resp.content
    doc_id = resp.json()["id"]
    assert resp.json()["discount_amount"] in ("6000.00", 6000, "6000")
    resp = post(rep, f"/api/v1/discount-requests/{doc_id}/submit")
    assert resp.status_code == 200 and resp.json()["status"] == "pending"
    assert ApprovalRequest.objects.get(document_id=doc_id).status == RequestStatus.PENDING
    # Another rep does not see it; a second submit is a conflict.
    assert client_for(r13.rep_b).get(f"/api/v1/discount-requests/{doc_id}").status_code == 404
    assert post(client_for(r13.rep_b), f"/api/v1/discount-requests/{doc_id}/submit").status_code == 404
    again = post(rep, f"/api/v1/discount-requests/{doc_id}/submit")
    assert again.status_code in (400, 409), again.content
    # Someone else's customer cannot be named.
    resp = post(client_for(r13.rep_b), "/api/v1/discount-requests", {
        "customer_id": r13.cust_rep.pk, "amount": "100", "discount_percent": "1", "reason": "x"})
    assert resp.status_code == 400 and "customer" in resp.json()["fields"]


# ── Query counts (style.md #12) ─────────────────────────────────────────────────────────────────────────────


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, resp.content
    return len(ctx.captured_queries), resp.json()


def test_inbox_query_count_is_constant(r13, submitted, client_for):
    client = client_for(r13.supervisor)
    submitted()
    small, body_small = count_queries(client, "/api/v1/approvals")
    for _ in range(8):
        submitted()
    large, body_large = count_queries(client, "/api/v1/approvals")
    assert body_small["count"] == 1 and body_large["count"] == 9
    assert large == small, f"N+1: {small} queries for 1 row, {large} for 9"
    assert small <= 8


def test_history_query_count_is_constant(r13, submitted, client_for):
    client = client_for(r13.supervisor)
    decide(r13.supervisor, submitted())
    small, _ = count_queries(client, "/api/v1/approvals?box=history")
    for _ in range(6):
        decide(r13.supervisor, submitted())
    large, body = count_queries(client, "/api/v1/approvals?box=history")
    assert body["count"] == 7 and large == small and small <= 8


def test_policy_list_query_count_is_constant(r13, client_for):
    from .helpers import save_policy

    client = client_for(r13.admin)
    small, body_small = count_queries(client, "/api/v1/approval-policies")
    for i in range(5):
        save_policy(f"extra-{i}", [stage(1, "总经理", "role", "gm"), stage(2, "营销副总", "role", "marketing_vp")],
                    priority=200 + i)
    large, body_large = count_queries(client, "/api/v1/approval-policies")
    assert len(body_large) == len(body_small) + 5 and large == small


def test_discount_list_query_count_is_constant(r13, discount, client_for):
    client = client_for(r13.supervisor)
    discount()
    small, _ = count_queries(client, "/api/v1/discount-requests")
    for _ in range(6):
        discount()
    large, body = count_queries(client, "/api/v1/discount-requests")
    assert body["count"] == 7 and large == small
