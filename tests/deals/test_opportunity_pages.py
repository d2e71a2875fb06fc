"""Opportunity pages: who sees what, the htmx kanban move, checklist, close forms, funnel page, query counts."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesflow.deals.models import LostReason, Opportunity

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def urls(o):
    return {
        "list": reverse("deals:opportunity_list"), "board": reverse("deals:opportunity_kanban"),
        "funnel": reverse("deals:funnel"), "create": reverse("deals:opportunity_create"),
        "lists": reverse("deals:master_data"), "detail": reverse("deals:opportunity_detail", args=[o.pk]),
    }


@pytest.mark.parametrize("page", ["list", "board", "funnel", "create", "lists", "detail"])
def test_anonymous_is_sent_to_sign_in(opportunity, client_for, page):
    response = client_for(None).get(urls(opportunity())[page])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


MATRIX = [
    ("list", "rep", 200), ("list", "manager", 200), ("list", "planner", 403),
    ("board", "rep", 200), ("board", "supervisor", 200), ("board", "planner", 403),
    ("funnel", "rep", 200), ("funnel", "gm", 200), ("funnel", "planner", 403),
    ("create", "rep", 200), ("create", "finance", 403),
    ("lists", "admin", 200), ("lists", "rep", 403), ("lists", "manager", 403),
    ("detail", "rep", 200), ("detail", "supervisor", 200), ("detail", "manager", 200), ("detail", "gm", 200),
    ("detail", "rep_b", 404), ("detail", "rep3", 404), ("detail", "rep2", 404), ("detail", "manager2", 404),
    ("detail", "planner", 403),
]


@pytest.mark.parametrize(("page", "who", "status"), MATRIX)
def test_page_permission_matrix(org, opportunity, client_for, page, who, status):
    assert client_for(getattr(org, who)).get(urls(opportunity())[page]).status_code == status


def test_create_from_the_customer_page(org, client_for):
    c = client_for(org.rep)
    page = c.get(reverse("crm:customer_detail", args=[org.cust_rep.pk])).content.decode()
    link = f'{reverse("deals:opportunity_create")}?customer={org.cust_rep.pk}'
    assert link in page
    form = c.get(link).content.decode()
    assert re.search(rf'<option value="{org.cust_rep.pk}" selected>', form) and org.cust_rep2.name not in form
    response = c.post(reverse("deals:opportunity_create"), {"customer": org.cust_rep.pk, "name": "产线改造",
                                                             "amount": "880,000", "expected_close": "2026-09-30"})
    o = Opportunity.objects.get()
    assert response["Location"] == reverse("deals:opportunity_detail", args=[o.pk])
    assert (o.owner, str(o.amount), o.stage, o.probability) == (org.rep, "880000.00", "contact", 10)
    bad = c.post(reverse("deals:opportunity_create"), {"customer": org.cust_rep.pk, "name": "x", "amount": "abc"})
    assert bad.status_code == 200 and "Enter an amount" in bad.content.decode()


def test_htmx_move_changes_the_database_and_answers_the_board(org, opportunity, client_for):
    o = opportunity()
    response = client_for(org.rep).post(reverse("deals:opportunity_move"), {"opportunity": o.pk, "stage": "quote"},
                                        **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="kanban-board"' in html and "<html" not in html
    assert Opportunity.objects.get(pk=o.pk).stage == "quote"
    column = re.search(r'data-testid="kanban-column-quote".*?</section>', html, re.S).group(0)
    assert o.name in column


def test_an_invalid_move_shows_a_translated_error(org, opportunity, client_for):
    o = opportunity()
    c = client_for(org.rep)
    c.post(reverse("set_language"), {"language": "zh-hans"})
    response = c.post(reverse("deals:opportunity_move"), {"opportunity": o.pk, "stage": "contact"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="kanban-error"' in html
    assert "不允许" in html or "不能" in html
    assert Opportunity.objects.get(pk=o.pk).stage == "contact"


def test_moving_another_reps_card_is_not_found(org, opportunity, client_for):
    o = opportunity()
    response = client_for(org.rep_b).post(reverse("deals:opportunity_move"), {"opportunity": o.pk, "stage": "quote"},
                                          **HTMX)
    assert response.status_code == 404 and Opportunity.objects.get(pk=o.pk).stage == "contact"


def test_checklist_toggle_and_close_forms(org, opportunity, client_for, lost_reason, competitor):
    o = opportunity()
    c = client_for(org.rep)
    url = reverse("deals:opportunity_checklist", args=[o.pk])
    response = c.post(url, {"item": "first_contact", "done": "1"}, **HTMX)
    assert response.status_code == 200 and 'id="checklist"' in response.content.decode()
    c.post(url, {"item": "interest"}, **HTMX)
    assert Opportunity.objects.get(pk=o.pk).checklist == {"first_contact": True, "interest": False}
    action = reverse("deals:opportunity_action", args=[o.pk])
    c.post(action, {"action": "lose"})  # no reason: refused, stays open
    assert Opportunity.objects.get(pk=o.pk).stage == "contact"
    c.post(action, {"action": "lose", "reason": lost_reason.pk, "competitor": competitor.pk})
    o.refresh_from_db()
    assert (o.stage, o.lost_reason_id, o.won_by_id) == ("lost", lost_reason.pk, competitor.pk)
    page = c.get(reverse("deals:opportunity_detail", args=[o.pk])).content.decode()
    assert lost_reason.name in page and "Opportunity lost" in page  # the customer's timeline
    c.post(action, {"action": "reopen"})
    c.post(action, {"action": "win"})
    assert Opportunity.objects.get(pk=o.pk).stage == "won"


def test_admin_adds_to_the_managed_lists(org, client_for):
    c = client_for(org.admin)
    c.post(reverse("deals:master_data"), {"kind": "reason", "name": "交期太长"})
    c.post(reverse("deals:master_data"), {"kind": "competitor", "name": "联创集团"})
    assert LostReason.objects.filter(name="交期太长").exists()
    page = c.get(reverse("deals:master_data")).content.decode()
    assert "联创集团" in page


def test_funnel_page_passes_the_figures_to_the_chart(org, opportunity, client_for):
    opportunity()
    html = client_for(org.rep).get(reverse("deals:funnel")).content.decode()
    data = json.loads(re.search(r'<script id="funnel-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["reached"] == [1, 0, 0, 0]
    assert "echarts.min.js" in html and "funnel.js" in html
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)  # CSP: no inline script
    assert " style=" not in html


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", ["list", "board"])
def test_query_count_does_not_grow_with_rows(org, opportunity, client_for, page):
    c = client_for(org.supervisor)
    o = opportunity()
    url = urls(o)[page] + ("?view=team" if page == "board" else "")
    few = _count(c, url)
    for i in range(12):
        opportunity(user=org.rep_b if i % 2 else org.rep, customer=org.cust_rep_b if i % 2 else org.cust_rep)
    assert _count(c, url) == few


def test_owner_edits_an_opportunity_and_others_are_refused(org, opportunity, client_for):
    from salesflow.audit.models import AuditEvent

    o = opportunity()
    url = reverse("deals:opportunity_edit", args=[o.pk])
    assert client_for(org.rep_b).get(url).status_code == 404  # another rep: like a missing one
    assert client_for(org.rep2).get(url).status_code == 404  # another region
    assert client_for(org.finance).get(url).status_code == 403  # a role that may not edit
    assert client_for(None).get(url).status_code == 302
    rep = client_for(org.rep)
    assert rep.get(url).status_code == 200
    response = rep.post(url, {"customer": org.cust_rep2.pk, "name": "数控机床采购（二期）", "amount": "650000",
                              "expected_close": "2027-03-31", "probability": "", "selling_model": "consultative",
                              "products": "数控机床 ×3"})
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.name == "数控机床采购（二期）" and str(o.amount) == "650000.00" and o.customer_id == org.cust_rep.pk
    assert AuditEvent.objects.filter(action="opportunity.updated", object_id=str(o.pk)).exists()
    bad = rep.post(url, {"name": "x", "amount": "abc"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()
