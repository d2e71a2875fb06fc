"""The approval pages: who may open them, the inbox decided in place (htmx), the flowchart, policy editing,
delegations and the notification bell."""

import datetime as dt
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from salesflow.approvals import services as engine
from salesflow.approvals.context_processors import approval_counts
from salesflow.approvals.flowchart import flowchart_svg
from salesflow.approvals.models import (
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalTask,
    Delegation,
    RequestStatus,
    TaskStatus,
)
from salesflow.approvals.policies import policy_as_toml
from salesflow.deals.discounts import services as deals
from salesflow.deals.models import DiscountRequest, DiscountStatus
from salesflow.notifications.context_processors import notification_counts
from salesflow.notifications.models import Notification

from ..conftest import fresh

pytestmark = pytest.mark.django_db
TUESDAY_10 = dt.datetime(2025, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tuesday(time_machine):
    time_machine.move_to(TUESDAY_10, tick=False)


@pytest.fixture
def timed(r13):
    """Deadlines on every R13 stage, as an administrator may add them (the shipped policy has the seed's only)."""
    from .helpers import r13_with_deadlines

    return r13_with_deadlines()


@pytest.fixture
def submitted(r13, discount):
    """A discount request waiting for the supervisor (step 1 of R13)."""
    doc = discount()
    request = deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    return doc, request


def task_of(user, doc):
    return ApprovalTask.objects.get(approver=user, request__document_id=doc.pk, status=TaskStatus.PENDING)


def decide(user, doc, approve=True, opinion="同意"):
    return engine.approval_decide(by=fresh(user), task_id=task_of(user, doc).pk, approve=approve, opinion=opinion)


def pages(r13, request):
    return {
        "inbox": reverse("approvals:inbox"),
        "history": reverse("approvals:history"),
        "my_requests": reverse("approvals:my_requests"),
        "request_detail": reverse("approvals:request_detail", args=[request.pk]),
        "policy_list": reverse("approvals:policy_list"),
        "policy_detail": reverse("approvals:policy_detail", args=["discount"]),
        "policy_edit": reverse("approvals:policy_edit", args=["discount"]),
        "delegation_list": reverse("approvals:delegation_list"),
        "notification_list": reverse("notifications:notification_list"),
        "notification_menu": reverse("notifications:notification_menu"),
    }


# ── who may open what ─────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("page", ["inbox", "history", "my_requests", "request_detail", "policy_list", "policy_detail",
                                  "policy_edit", "delegation_list", "notification_list", "notification_menu"])
def test_anonymous_is_sent_to_sign_in(submitted, r13, client_for, page):
    response = client_for(None).get(pages(r13, submitted[1])[page])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", [
    lambda req, task: reverse("approvals:task_decide", args=[task.pk]),
    lambda req, task: reverse("approvals:policy_load"),
    lambda req, task: reverse("notifications:notification_read"),
    lambda req, task: reverse("approvals:delegation_end", args=[1]),
])
def test_anonymous_posts_are_sent_to_sign_in(submitted, r13, client_for, url):
    task = task_of(r13.supervisor, submitted[0])
    response = client_for(None).post(url(submitted[1], task), {"decision": "approve"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert ApprovalTask.objects.get(pk=task.pk).status == TaskStatus.PENDING


MATRIX = [
    ("inbox", "rep", 200), ("inbox", "planner", 200), ("inbox", "supervisor", 200),
    ("history", "supervisor", 200), ("my_requests", "rep", 200),
    ("request_detail", "rep", 200), ("request_detail", "supervisor", 200), ("request_detail", "manager", 200),
    ("request_detail", "gm", 200), ("request_detail", "rep2", 404), ("request_detail", "rep_b", 404),
    ("request_detail", "manager2", 404), ("request_detail", "planner", 404),
    ("policy_list", "rep", 200), ("policy_list", "admin", 200), ("policy_list", "planner", 403),
    ("policy_detail", "rep", 200), ("policy_detail", "planner", 403),
    ("policy_edit", "admin", 200), ("policy_edit", "rep", 403), ("policy_edit", "gm", 403),
    ("policy_edit", "manager", 403),
    ("delegation_list", "supervisor", 200), ("delegation_list", "planner", 200),
    ("notification_list", "supervisor", 200), ("notification_menu", "supervisor", 200),
]


@pytest.mark.parametrize(("page", "who", "status"), MATRIX)
def test_page_permission_matrix(submitted, r13, client_for, page, who, status):
    assert client_for(getattr(r13, who)).get(pages(r13, submitted[1])[page]).status_code == status


def test_unknown_policy_and_request_are_404(r13, client_for):
    c = client_for(r13.admin)
    assert c.get(reverse("approvals:policy_detail", args=["nope"])).status_code == 404
    assert c.get(reverse("approvals:policy_edit", args=["nope"])).status_code == 404
    assert c.get(reverse("approvals:request_detail", args=[999999])).status_code == 404


def test_someone_elses_task_cannot_be_decided(submitted, r13, client_for):
    task = task_of(r13.supervisor, submitted[0])
    for who in (r13.rep_b, r13.manager, r13.gm):
        response = client_for(who).post(reverse("approvals:task_decide", args=[task.pk]),
                                        {"decision": "approve"}, **HTMX)
        assert response.status_code == 404
    # The requester's own attempt is refused too (and nothing moves).
    assert ApprovalTask.objects.get(pk=task.pk).status == TaskStatus.PENDING


# ── the inbox ─────────────────────────────────────────────────────────────────────────────────────────────


def test_inbox_row_shows_the_document_amount_stage_and_deadline(tuesday, timed, submitted, r13, client_for):
    doc, request = submitted
    html = client_for(r13.supervisor).get(reverse("approvals:inbox")).content.decode()
    row = re.search(r'<tr id="task-\d+".*?</tr>', html, re.S).group(0)
    assert "Discount request" in row and doc.number in row
    assert reverse("deals:discount_detail", args=[doc.pk]) in row
    assert "¥200,000.00" in row and "8.00%" in row
    assert r13.rep.name in row and "销售主管决定 (D8)" in row
    assert "2025-11-25 18:00" in row and "8 hours left" in row
    assert 'data-testid="overdue"' not in row and 'data-testid="escalated"' not in row


def test_inbox_marks_overdue_and_escalated_tasks(tuesday, timed, submitted, r13, client_for, time_machine):
    doc2 = deals.discount_create(by=fresh(r13.rep), customer_id=r13.cust_rep.pk,
                                 data={"amount": "1000", "discount_percent": "5", "reason": "试单"})
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc2.pk)
    # 21:00: three hours past the 18:00 deadline, beyond R13's two hours of grace.
    time_machine.move_to(TUESDAY_10 + dt.timedelta(hours=11), tick=False)
    engine.approvals_sweep()
    html = client_for(r13.supervisor).get(reverse("approvals:inbox")).content.decode()
    assert 'data-testid="overdue"' in html and "Overdue by 3 hours" in html
    escalated = client_for(r13.manager).get(reverse("approvals:inbox")).content.decode()
    assert 'data-testid="escalated"' in escalated
    only_overdue = client_for(r13.supervisor).get(reverse("approvals:inbox") + "?overdue=1").content.decode()
    assert only_overdue.count('data-testid="task-row"') == 2
    assert client_for(r13.supervisor).get(reverse("approvals:inbox") + "?q=nothing&overdue=1").content.decode().count(
        'data-testid="task-row"') == 0


def test_inbox_filters_by_search_and_document_type(submitted, r13, client_for):
    doc, _request = submitted
    c = client_for(r13.supervisor)
    assert c.get(reverse("approvals:inbox") + f"?q={doc.number}").content.decode().count('data-testid="task-row"') == 1
    assert c.get(reverse("approvals:inbox") + "?q=nothing-like-this").content.decode().count(
        'data-testid="task-row"') == 0
    assert c.get(reverse("approvals:inbox") + "?type=deals.quotation").content.decode().count(
        'data-testid="task-row"') == 0
    partial = c.get(reverse("approvals:inbox") + "?type=deals.discountrequest", **HTMX).content.decode()
    assert partial.count('data-testid="task-row"') == 1 and "<html" not in partial


def test_approve_in_place_with_htmx_moves_the_request_on(submitted, r13, client_for):
    doc, request = submitted
    task = task_of(r13.supervisor, doc)
    response = client_for(r13.supervisor).post(reverse("approvals:task_decide", args=[task.pk]),
                                               {"decision": "approve", "opinion": "同意，老客户"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and 'data-status="approved"' in html and "同意，老客户" in html
    task.refresh_from_db()
    assert task.status == TaskStatus.APPROVED and task.opinion == "同意，老客户"
    assert set(ApprovalTask.objects.filter(status="pending").values_list("approver__username", flat=True)) == {
        "manager", "marketing_vp"}


def test_reject_in_place_with_htmx_returns_the_document(submitted, r13, client_for):
    doc, request = submitted
    task = task_of(r13.supervisor, doc)
    response = client_for(r13.supervisor).post(reverse("approvals:task_decide", args=[task.pk]),
                                               {"decision": "reject", "opinion": "理由不充分"}, **HTMX)
    assert response.status_code == 200 and 'data-status="rejected"' in response.content.decode()
    doc.refresh_from_db()
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert doc.status == DiscountStatus.DRAFT and doc.last_opinion == "理由不充分"


def test_reject_without_opinion_shows_the_error_and_changes_nothing(submitted, r13, client_for):
    doc, request = submitted
    task = task_of(r13.supervisor, doc)
    response = client_for(r13.supervisor).post(reverse("approvals:task_decide", args=[task.pk]),
                                               {"decision": "reject", "opinion": "   "}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="decide-error"' in html and "Write your opinion: the author needs to know why." in html
    assert 'data-status="pending"' in html and 'data-testid="decide-form"' in html
    assert ApprovalTask.objects.get(pk=task.pk).status == TaskStatus.PENDING
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING and request.current_step == 1


def test_reject_without_opinion_is_translated(submitted, r13, client_for):
    task = task_of(r13.supervisor, submitted[0])
    type(r13.supervisor).objects.filter(pk=r13.supervisor.pk).update(language="zh-hans")
    html = client_for(fresh(r13.supervisor)).post(reverse("approvals:task_decide", args=[task.pk]),
                                                  {"decision": "reject"}, **HTMX).content.decode()
    assert 'data-testid="decide-error"' in html
    assert "Write your opinion" not in html  # shown in the user's language


def test_decide_without_htmx_redirects_back_with_a_message(submitted, r13, client_for):
    doc, request = submitted
    task = task_of(r13.supervisor, doc)
    detail = reverse("deals:discount_detail", args=[doc.pk])
    c = client_for(r13.supervisor)
    response = c.post(reverse("approvals:task_decide", args=[task.pk]),
                      {"decision": "approve", "next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    assert ApprovalTask.objects.get(pk=task.pk).status == TaskStatus.APPROVED
    evil = c.post(reverse("approvals:task_decide", args=[task.pk]),
                  {"decision": "approve", "next": "https://evil.example/"})
    assert evil["Location"] == reverse("approvals:inbox")  # already decided; never sent off-site


# ── history, my requests, the request page ────────────────────────────────────────────────────────────────


def test_history_and_my_requests_show_who_it_waits_for(submitted, r13, client_for):
    doc, request = submitted
    decide(r13.supervisor, doc, opinion="同意")
    history = client_for(r13.supervisor).get(reverse("approvals:history")).content.decode()
    assert "销售主管决定 (D8)" in history and "同意" in history and doc.number in history
    mine = client_for(r13.rep).get(reverse("approvals:my_requests")).content.decode()
    waiting = re.search(r'data-testid="waiting">(.*?)</td>', mine, re.S).group(1)
    assert "销售经理审核 (C9)" in waiting and r13.manager.name in waiting
    assert "营销副总审核 (B9)" in waiting and r13.marketing_vp.name in waiting
    assert "Waiting for approval" in mine


def test_delegated_task_reads_x_for_y(submitted, r13, client_for):
    doc, _request = submitted
    Delegation.objects.create(user=r13.manager, delegate=r13.director, starts_on=dt.date(2000, 1, 1),
                              ends_on=dt.date(2100, 1, 1))
    decide(r13.supervisor, doc)
    html = client_for(r13.director).get(reverse("approvals:inbox")).content.decode()
    assert f"{r13.director.name} for {r13.manager.name}" in html
    mine = client_for(r13.rep).get(reverse("approvals:my_requests")).content.decode()
    assert f"{r13.director.name} for {r13.manager.name}" in mine


def test_request_page_shows_rounds_events_chart_and_the_viewers_form(submitted, r13, client_for):
    doc, request = submitted
    decide(r13.supervisor, doc, opinion="可以给")
    url = reverse("approvals:request_detail", args=[request.pk])
    html = client_for(r13.manager).get(url).content.decode()
    assert 'data-testid="my-task"' in html and 'data-testid="decide-form"' in html
    assert "可以给" in html and "Submitted for approval" in html and "Approved a stage" in html
    chart = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    current = re.findall(r'<g class="sf-fc-box" data-state="current" data-step="(\d)"><title>([^<]*)</title>', chart)
    assert sorted(current) == [("2", "营销副总审核 (B9)"),
                               ("2", "销售经理审核 (C9)")]
    assert re.search(r'data-state="done" data-step="1"><title>销售主管决定 \(D8\)</title>', chart)
    # The requester sees the record but no decision form.
    rep_html = client_for(r13.rep).get(url).content.decode()
    assert 'data-testid="my-task"' not in rep_html and "可以给" in rep_html


# ── query counts ─────────────────────────────────────────────────────────────────────────────────────────


def _submit_many(r13, n):
    for i in range(n):
        doc = deals.discount_create(by=fresh(r13.rep), customer_id=r13.cust_rep.pk,
                                    data={"amount": str(1000 + i), "discount_percent": "5", "reason": f"批量 {i}"})
        deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)


def _queries(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(50) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(("who", "page", "decide_all"), [
    ("supervisor", "approvals:inbox", False),
    ("supervisor", "approvals:history", True),
    ("rep", "approvals:my_requests", False),
])
def test_list_query_counts_do_not_grow_with_rows(r13, client_for, django_assert_max_num_queries, who, page,
                                                 decide_all):
    def fill(n):
        _submit_many(r13, n)
        if decide_all:
            for task in ApprovalTask.objects.filter(approver=r13.supervisor, status=TaskStatus.PENDING):
                engine.approval_decide(by=fresh(r13.supervisor), task_id=task.pk, approve=True)

    client = client_for(getattr(r13, who))
    fill(5)
    few = _queries(client, reverse(page), django_assert_max_num_queries)
    fill(20)
    assert ApprovalRequest.objects.count() == 25
    many = _queries(client, reverse(page), django_assert_max_num_queries)
    assert many <= few


# ── the flowchart ────────────────────────────────────────────────────────────────────────────────────────


def test_flowchart_draws_lanes_stages_and_highlights(r13):
    stages = list(ApprovalPolicy.objects.get(code="discount").stages.all())
    svg = str(flowchart_svg(stages, current_steps={2}, done_steps={1}))
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "style=" not in svg
    for name in ("销售主管决定 (D8)", "销售经理审核 (C9)", "营销副总审核 (B9)", "总经理批准 (A9)"):
        assert name in svg
    for lane in ("Sales rep (requester)", "Sales supervisor", "Sales manager", "Marketing VP", "General manager"):
        assert f"<title>{lane}</title>" in svg
    assert "Submit" in svg and "Approved" in svg and "Rejected: back to the requester" in svg
    assert svg.count('data-state="current"') == 2  # C9 and B9 side by side
    assert re.search(r'data-state="current" data-step="2"><title>销售经理审核 \(C9\)</title><rect [^>]*fill="#ffe3c2"',
                     svg)
    assert re.search(r'data-state="done" data-step="1"><title>销售主管决定 \(D8\)</title><rect [^>]*fill="#d1f0dc"',
                     svg)
    assert re.search(r'data-state="waiting" data-step="3"><title>总经理批准 \(A9\)</title>', svg)
    # Parallel stages stand in the same column.
    xs = dict(re.findall(r'<title>([^<]*)</title><rect x="(\d+)"', svg))
    assert xs["销售经理审核 (C9)"] == xs["营销副总审核 (B9)"] != xs["销售主管决定 (D8)"]


def test_flowchart_escapes_every_text():
    stages = [{"step": 1, "name": "<b>x</b>", "rule": "role", "role": "<script>"},
              {"step": 2, "name": 'a"b&c', "rule": "requester_supervisor"}]
    svg = str(flowchart_svg(stages, current_steps={1}))
    assert "<b>x</b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'a"b' not in svg and "a&quot;b&amp;c" in svg


def test_policy_page_shows_the_chart_and_escapes_stage_names(r13, client_for):
    from salesflow.approvals.policies import policy_as_dict, policy_save

    data = policy_as_dict(ApprovalPolicy.objects.get(code="discount"))
    data["stages"][0]["name"] = "<b>x</b>"
    policy_save(by=r13.admin, data=data)
    html = client_for(r13.rep).get(reverse("approvals:policy_detail", args=["discount"])).content.decode()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert re.search(r'<svg[^>]*class="sf-flowchart"', html) and "营销副总审核 (B9)" in html
    assert "Edit" not in re.search(r'data-testid="policy-name".*?</div>\s*</div>', html, re.S).group(0)


def test_policy_list_shows_each_policy(r13, client_for):
    html = client_for(r13.rep).get(reverse("approvals:policy_list")).content.decode()
    assert "优惠申请审批 (R13)" in html and "R13" in html and 'data-testid="policy-load"' not in html
    assert 'data-testid="policy-load"' in client_for(r13.admin).get(reverse("approvals:policy_list")).content.decode()


# ── editing and loading policies ────────────────────────────────────────────────────────────────────────


def _edit(client, text):
    return client.post(reverse("approvals:policy_edit", args=["discount"]), {"text": text})


def test_admin_edits_a_policy_as_toml(r13, client_for):
    policy = ApprovalPolicy.objects.get(code="discount")
    text = policy_as_toml(policy).replace('escalation_grace_hours = 2', 'escalation_grace_hours = 3')
    response = _edit(client_for(r13.admin), text)
    assert response.status_code == 302 and response["Location"] == reverse("approvals:policy_detail",
                                                                           args=["discount"])
    policy.refresh_from_db()
    assert policy.escalation_grace_hours == 3 and policy.version == 2


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace('escalation = { ', 'escalation = { gm = "director", '), "Circular escalation"),
    (lambda t: t.replace('role = "marketing_vp"', 'role = "chairman"'), "unknown role “chairman”"),
    (lambda t: t.split("stages = [")[0] + "stages = []\n", "A policy needs at least one stage."),
    (lambda t: t + "oops = = 1\n", "The text is not valid TOML."),
    (lambda t: t.replace('code = "discount"', 'code = "discount-2"'), "Keep the code “discount”."),
])
def test_invalid_policy_edits_show_errors_and_save_nothing(r13, client_for, change, message):
    policy = ApprovalPolicy.objects.get(code="discount")
    before = (policy.version, list(policy.stages.values_list("name", "rule", "role")), policy.escalation)
    text = change(policy_as_toml(policy))
    response = _edit(client_for(r13.admin), text)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html and message in html.replace("&quot;", '"').replace("&#x27;", "'")
    assert "chairman" not in html or "chairman" in text  # the text the admin typed stays in the box
    policy.refresh_from_db()
    assert (policy.version, list(policy.stages.values_list("name", "rule", "role")), policy.escalation) == before
    assert ApprovalPolicy.objects.count() == 10  # the regulations' nine and the exports (issue #15)


def test_rep_cannot_edit_or_load_policies(r13, client_for):
    policy = ApprovalPolicy.objects.get(code="discount")
    text = policy_as_toml(policy).replace('escalation_grace_hours = 2', 'escalation_grace_hours = 9')
    assert _edit(client_for(r13.rep), text).status_code == 403
    assert client_for(r13.rep).post(reverse("approvals:policy_load")).status_code == 403
    policy.refresh_from_db()
    assert policy.escalation_grace_hours == 2 and policy.version == 1


def test_admin_loads_the_shipped_file(org, client_for):
    assert not ApprovalPolicy.objects.exists()
    c = client_for(org.admin)
    assert c.get(reverse("approvals:policy_load")).status_code == 405
    response = c.post(reverse("approvals:policy_load"))
    assert response.status_code == 302
    assert ApprovalPolicy.objects.filter(code="discount").exists() and ApprovalPolicy.objects.count() == 10


# ── delegations ─────────────────────────────────────────────────────────────────────────────────────────


def test_delegation_created_listed_and_ended(r13, client_for):
    c = client_for(r13.supervisor)
    response = c.post(reverse("approvals:delegation_list"), {
        "delegate": r13.manager.pk, "starts_on": "2099-01-05", "ends_on": "2099-01-09", "note": "出差"})
    assert response.status_code == 302
    delegation = Delegation.objects.get(user=r13.supervisor)
    assert delegation.delegate == r13.manager and delegation.note == "出差"
    assert "出差" in c.get(reverse("approvals:delegation_list")).content.decode()
    received = client_for(r13.manager).get(reverse("approvals:delegation_list")).content.decode()
    assert r13.supervisor.name in received
    # Someone else cannot end it; its owner can (a future one is simply removed).
    assert client_for(r13.manager).post(reverse("approvals:delegation_end", args=[delegation.pk])).status_code == 404
    assert client_for(r13.rep_b).post(reverse("approvals:delegation_end", args=[delegation.pk])).status_code == 404
    assert c.post(reverse("approvals:delegation_end", args=[delegation.pk])).status_code == 302
    assert not Delegation.objects.exists()


def test_delegation_errors_are_shown(r13, client_for):
    c = client_for(r13.supervisor)
    html = c.post(reverse("approvals:delegation_list"), {
        "delegate": r13.manager.pk, "starts_on": "2099-01-09", "ends_on": "2099-01-05"}).content.decode()
    assert "The end date must not be before the start date." in html
    html = c.post(reverse("approvals:delegation_list"), {
        "delegate": r13.supervisor.pk, "starts_on": "2099-01-05", "ends_on": "2099-01-09"}).content.decode()
    assert 'id="id_delegate-feedback"><div class="invalid-feedback' in html  # oneself is not in the list
    assert not Delegation.objects.exists()


# ── notifications and the navbar ─────────────────────────────────────────────────────────────────────────


def test_bell_and_inbox_badge_count_for_the_approver(submitted, r13, client_for):
    c = client_for(r13.supervisor)
    html = c.get(reverse("home")).content.decode()
    assert re.search(r'data-testid="approvals-pending">1<', html)
    assert re.search(r'data-testid="notifications-unread">1<', html)
    menu = c.get(reverse("notifications:notification_menu"), **HTMX).content.decode()
    assert "Approval needed:" in menu and submitted[0].number in menu
    # The rep has nothing waiting and nothing unread: no badges.
    rep_html = client_for(r13.rep).get(reverse("home")).content.decode()
    assert 'data-testid="approvals-pending"' not in rep_html and 'data-testid="notifications-unread"' not in rep_html
    # Mark all read.
    response = c.post(reverse("notifications:notification_read"), {"next": reverse("home")})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not Notification.objects.filter(user=r13.supervisor, read_at__isnull=True).exists()
    assert 'data-testid="notifications-unread"' not in c.get(reverse("home")).content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(submitted, r13, client_for):
    note = Notification.objects.get(user=r13.supervisor)
    response = client_for(r13.supervisor).get(reverse("notifications:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("deals:discount_detail",
                                                                           args=[submitted[0].pk])
    note.refresh_from_db()
    assert note.read_at is not None
    assert client_for(r13.rep).get(reverse("notifications:notification_open", args=[note.pk])).status_code == 404


def test_marking_one_notification_read(submitted, r13, client_for):
    decide(r13.supervisor, submitted[0])
    notes = list(Notification.objects.filter(user=r13.manager))
    assert len(notes) == 1
    other = Notification.objects.create(user=r13.manager, kind="x", title="其他")
    client_for(r13.manager).post(reverse("notifications:notification_read"), {"id": [notes[0].pk]})
    assert Notification.objects.get(pk=notes[0].pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None
    html = client_for(r13.manager).get(reverse("notifications:notification_list") + "?unread=1").content.decode()
    assert "其他" in html and html.count('data-testid="notification-row"') == 1


def test_counts_cost_two_queries_and_nothing_for_anonymous(submitted, r13, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = fresh(r13.supervisor)
    with django_assert_num_queries(2):
        counts = approval_counts(request)["approval_counts"]
        bell = notification_counts(request)["notification_counts"]
        assert (counts.pending, bell.unread) == (1, 1)
        assert approval_counts(request)["approval_counts"].pending == 1
        assert notification_counts(request)["notification_counts"].unread == 1
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert approval_counts(request) == {}
        assert notification_counts(request) == {}


def test_navigation_lists_the_approval_pages(r13, client_for):
    html = client_for(r13.rep).get(reverse("home")).content.decode()
    for name in ("approvals:inbox", "approvals:my_requests", "approvals:delegation_list", "deals:discount_list",
                 "approvals:policy_list"):
        assert reverse(name) in html
    planner = client_for(r13.planner).get(reverse("home")).content.decode()
    assert reverse("approvals:inbox") in planner and reverse("approvals:policy_list") not in planner
    assert reverse("deals:discount_list") not in planner


def test_withdrawn_request_is_listed_with_its_status(submitted, r13, client_for):
    doc, request = submitted
    deals.discount_withdraw(by=fresh(r13.rep), discount_id=doc.pk)
    html = client_for(r13.rep).get(reverse("approvals:my_requests") + "?status=withdrawn").content.decode()
    assert "Withdrawn" in html and doc.number in html
    assert DiscountRequest.objects.get(pk=doc.pk).status == DiscountStatus.DRAFT
