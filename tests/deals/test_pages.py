"""Discount request pages (优惠申请, R13): who sees what, drafting, editing, submitting and withdrawing."""

import re

import pytest
from django.urls import reverse

from salesflow.approvals import services as engine
from salesflow.approvals.models import ApprovalRequest, ApprovalTask, RequestStatus, TaskStatus
from salesflow.deals.discounts import services as deals
from salesflow.deals.models import DiscountRequest, DiscountStatus

from ..conftest import fresh

pytestmark = pytest.mark.django_db
FORM = {"amount": "200,000", "discount_percent": "8", "reason": "老客户续单", "terms": "付款 30 天"}


def urls(doc):
    return {
        "list": reverse("deals:discount_list"),
        "create": reverse("deals:discount_create"),
        "detail": reverse("deals:discount_detail", args=[doc.pk]),
        "edit": reverse("deals:discount_edit", args=[doc.pk]),
    }


@pytest.mark.parametrize("page", ["list", "create", "detail", "edit"])
def test_anonymous_is_sent_to_sign_in(discount, client_for, page):
    response = client_for(None).get(urls(discount())[page])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("action", ["deals:discount_submit", "deals:discount_withdraw"])
def test_anonymous_posts_are_sent_to_sign_in(discount, client_for, action):
    doc = discount()
    response = client_for(None).post(reverse(action, args=[doc.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert DiscountRequest.objects.get(pk=doc.pk).status == DiscountStatus.DRAFT


MATRIX = [
    ("list", "rep", 200), ("list", "manager", 200), ("list", "finance", 200), ("list", "planner", 403),
    ("create", "rep", 200), ("create", "supervisor", 200), ("create", "finance", 403), ("create", "gm", 403),
    ("create", "planner", 403),
    ("detail", "rep", 200), ("detail", "supervisor", 200), ("detail", "manager", 200), ("detail", "gm", 200),
    ("detail", "rep_b", 404), ("detail", "rep2", 404), ("detail", "manager2", 404), ("detail", "planner", 404),
    ("edit", "rep", 200), ("edit", "supervisor", 403), ("edit", "rep_b", 404), ("edit", "rep2", 404),
]


@pytest.mark.parametrize(("page", "who", "status"), MATRIX)
def test_page_permission_matrix(r13, discount, client_for, page, who, status):
    assert client_for(getattr(r13, who)).get(urls(discount())[page]).status_code == status


def test_another_reps_request_looks_like_a_missing_one(r13, discount, client_for):
    doc = discount()
    c = client_for(r13.rep_b)

    def main(response):
        return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)

    other = c.get(reverse("deals:discount_detail", args=[doc.pk]))
    missing = c.get(reverse("deals:discount_detail", args=[999999]))
    assert other.status_code == missing.status_code == 404 and main(other) == main(missing)


def test_rep_drafts_a_request_from_the_customer_page(r13, client_for):
    c = client_for(r13.rep)
    customer_page = c.get(reverse("crm:customer_detail", args=[r13.cust_rep.pk])).content.decode()
    link = f'{reverse("deals:discount_create")}?customer={r13.cust_rep.pk}'
    assert link in customer_page
    form = c.get(link).content.decode()
    assert re.search(rf'<option value="{r13.cust_rep.pk}" selected>', form)
    assert r13.cust_rep_b.name not in form and r13.cust_rep2.name not in form  # only the rep's own customers
    response = c.post(reverse("deals:discount_create"), {**FORM, "customer": r13.cust_rep.pk})
    doc = DiscountRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("deals:discount_detail", args=[doc.pk])
    assert doc.requester == r13.rep and doc.status == DiscountStatus.DRAFT and str(doc.discount_amount) == "16000.00"
    # Nobody but reps and their managers requests discounts: no button for the accountant.
    assert link not in client_for(r13.finance).get(
        reverse("crm:customer_detail", args=[r13.cust_rep.pk])).content.decode()


def test_form_errors_are_shown_and_nothing_is_saved(r13, client_for):
    c = client_for(r13.rep)
    html = c.post(reverse("deals:discount_create"), {"customer": r13.cust_rep.pk, "amount": "abc",
                                                     "discount_percent": "120", "reason": "x"}).content.decode()
    assert "Enter a number such as 12.50." in html and "Enter a value from 0.01 to 100." in html
    html = c.post(reverse("deals:discount_create"), {**FORM, "customer": r13.cust_rep2.pk}).content.decode()
    assert "Select a valid choice." in html or "Choose one of your customers." in html
    assert not DiscountRequest.objects.exists()


def test_detail_shows_amounts_and_not_submitted(r13, discount, client_for):
    doc = discount()
    html = client_for(r13.rep).get(reverse("deals:discount_detail", args=[doc.pk])).content.decode()
    assert "¥200,000.00" in html and "贰拾万元整" in html
    assert "¥16,000.00" in html and "¥184,000.00" in html and "8.00%" in html
    assert 'data-testid="not-submitted"' in html
    assert 'data-testid="submit"' in html and 'data-testid="edit"' in html and 'data-testid="withdraw"' not in html
    # The supervisor sees the draft of their team but may not act on it.
    sup = client_for(r13.supervisor).get(reverse("deals:discount_detail", args=[doc.pk])).content.decode()
    assert 'data-testid="submit"' not in sup and 'data-testid="edit"' not in sup


def test_edit_submit_withdraw_through_the_pages(r13, discount, client_for):
    doc = discount()
    c = client_for(r13.rep)
    response = c.post(reverse("deals:discount_edit", args=[doc.pk]), {**FORM, "discount_percent": "5"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert str(doc.discount_percent) == "5.00"
    assert c.post(reverse("deals:discount_submit", args=[doc.pk])).status_code == 302
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.PENDING
    html = c.get(reverse("deals:discount_detail", args=[doc.pk])).content.decode()
    assert 'data-testid="withdraw"' in html and 'data-testid="submit"' not in html and 'data-testid="edit"' not in html
    assert '<svg' in html and 'data-state="current" data-step="1"' in html
    # A pending request is not edited.
    assert c.get(reverse("deals:discount_edit", args=[doc.pk])).status_code == 302
    # Only the author withdraws.
    assert client_for(r13.supervisor).post(reverse("deals:discount_withdraw", args=[doc.pk])).status_code == 403
    assert c.post(reverse("deals:discount_withdraw", args=[doc.pk])).status_code == 302
    doc.refresh_from_db()
    assert doc.status == DiscountStatus.DRAFT
    assert ApprovalRequest.objects.get().status == RequestStatus.WITHDRAWN


def test_submit_by_someone_else_is_refused(r13, discount, client_for):
    doc = discount()
    assert client_for(r13.supervisor).post(reverse("deals:discount_submit", args=[doc.pk])).status_code == 403
    assert client_for(r13.rep_b).post(reverse("deals:discount_submit", args=[doc.pk])).status_code == 404
    assert DiscountRequest.objects.get(pk=doc.pk).status == DiscountStatus.DRAFT


def test_approver_decides_on_the_document_page_and_the_author_sees_the_opinion(r13, discount, client_for):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    detail = reverse("deals:discount_detail", args=[doc.pk])
    html = client_for(r13.supervisor).get(detail).content.decode()
    assert 'data-testid="my-task"' in html
    task = ApprovalTask.objects.get(approver=r13.supervisor, status=TaskStatus.PENDING)
    response = client_for(r13.supervisor).post(reverse("approvals:task_decide", args=[task.pk]),
                                               {"decision": "reject", "opinion": "请降到 5%", "next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    html = client_for(r13.rep).get(detail).content.decode()
    assert 'data-testid="last-opinion"' in html and "请降到 5%" in html
    assert 'data-testid="submit"' in html and 'data-testid="edit"' in html


def test_list_filters_and_query_count(r13, discount, client_for, django_assert_max_num_queries):
    def make(n, by=None):
        for i in range(n):
            discount(by=by, amount=str(1000 + i))

    c = client_for(r13.rep)
    make(5)
    with django_assert_max_num_queries(50) as few:
        assert c.get(reverse("deals:discount_list")).status_code == 200
    make(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = c.get(reverse("deals:discount_list")).content.decode()
    assert html.count('data-testid="discount-row"') == 25

    doc = DiscountRequest.objects.first()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    pending = c.get(reverse("deals:discount_list") + "?status=pending").content.decode()
    assert pending.count('data-testid="discount-row"') == 1
    discount(by=r13.rep_b, customer=r13.cust_rep_b)
    sup = client_for(r13.supervisor)
    assert sup.get(reverse("deals:discount_list")).content.decode().count('data-testid="discount-row"') == 25
    assert sup.get(reverse("deals:discount_list") + "?mine=1").content.decode().count('data-testid="discount-row"') == 0
    assert client_for(r13.rep2).get(reverse("deals:discount_list")).content.decode().count(
        'data-testid="discount-row"') == 0


def test_approved_request_shows_the_finished_chart(r13, discount, client_for):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    for who in (r13.supervisor, r13.manager, r13.marketing_vp, r13.gm):
        task = ApprovalTask.objects.get(approver=who, status=TaskStatus.PENDING)
        engine.approval_decide(by=fresh(who), task_id=task.pk, approve=True, opinion="同意")
    html = client_for(r13.rep).get(reverse("deals:discount_detail", args=[doc.pk])).content.decode()
    assert 'data-state="current"' not in html and html.count('data-state="done"') == 5  # 4 stages + Approved
    assert "terms version 1" in html
