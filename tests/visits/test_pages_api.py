"""Visit pages and /api/v1/visit-plans, /api/v1/visit-logs, /api/v1/today: content, flows, refusals, query counts."""

import datetime as dt
import json
import re

import pytest

from salesflow.crm.models import Customer
from salesflow.notifications.models import Notification
from salesflow.visits.models import PlanStatus, VisitLog, VisitPlan

from ..conftest import fresh
from ..factories import CustomerFactory
from .conftest import WEDNESDAY, at


def send(client, url, body=None, method="post"):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def busy_day(org, make_plan, log_visit):
    """The rep's Wednesday: two planned visits (one already done), follow-ups due and overdue, a lead to contact."""
    from salesflow.leads import services as leads

    plan = make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY, "purpose": "送样品"},
                            {"target": "嘉定新建厂区", "planned_on": WEDNESDAY, "kind": "new"}])
    CustomerFactory(name="今天跟进有限公司", owner=org.rep, next_followup_on=WEDNESDAY)
    CustomerFactory(name="逾期跟进有限公司", owner=org.rep, next_followup_on=dt.date(2026, 5, 8))
    CustomerFactory(name="下周跟进有限公司", owner=org.rep, next_followup_on=dt.date(2026, 5, 20))
    CustomerFactory(name="别人逾期有限公司", owner=org.rep_b, next_followup_on=dt.date(2026, 5, 8))
    lead = leads.lead_create(by=fresh(org.rep), owner=fresh(org.rep), data={"name": "待联系线索有限公司"},
                             confirm_duplicates=True)
    done = log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9))
    return plan, lead, done


def test_today_page(org, busy_day, client_for):
    plan, lead, done = busy_day
    page = client_for(org.rep).get("/visits/today/").content.decode()
    assert "今天跟进有限公司" in page and "逾期跟进有限公司" in page and "待联系线索有限公司" in page
    assert "下周跟进有限公司" not in page and "别人逾期有限公司" not in page
    overdue = re.search(r'<li class="[^"]*list-group-item-danger[^"]*" data-testid="followup-row">\s*<div[^>]*>'
                        r'<a href="/customers/(\d+)/">', page)
    assert overdue and Customer.objects.get(pk=overdue.group(1)).name == "逾期跟进有限公司"
    # The planned visit already logged shows as done; the other one has a one-click "log visit".
    items = {i.target_name: i for i in plan.items.all()}
    assert f'/visits/logs/new/?planned={items["嘉定新建厂区"].pk}' in page
    assert f'/visits/logs/new/?planned={items["上海星辰机械有限公司"].pk}' not in page
    assert f"/visits/logs/new/?lead={lead.pk}" in page and "Contact by" in page
    assert f"/visits/logs/{done.pk}/" in page


def test_today_api(org, busy_day, client_for):
    _plan, lead, done = busy_day
    body = client_for(org.rep).get("/api/v1/today").json()
    assert body["day"] == "2026-05-13"
    assert sorted((p["name"], p["done"]) for p in body["planned"]) == [("上海星辰机械有限公司", True),
                                                                      ("嘉定新建厂区", False)]
    assert [(f["name"], f["overdue"]) for f in body["followups"]] == [("逾期跟进有限公司", True),
                                                                     ("今天跟进有限公司", False)]
    assert [(x["lead_id"], x["overdue"]) for x in body["leads_to_contact"]] == [(lead.pk, False)]
    assert body["leads_to_contact"][0]["deadline"]
    assert [d["id"] for d in body["done"]] == [done.pk]


def test_today_is_first_in_the_reps_navigation(org, client_for):
    from salesflow.site.navigation import navigation_for

    stages = navigation_for(fresh(org.rep))
    assert stages[0]["key"] == "customers" and stages[0]["items"][0]["url"] == "/visits/today/"
    assert not any(i["url"] == "/visits/today/" for s in navigation_for(fresh(org.planner)) for i in s["items"])


def test_pages_render(org, busy_day, client_for):
    plan, lead, done = busy_day
    rep = client_for(org.rep)
    for url in ["/visits/today/", "/visits/plans/", "/visits/plans/new/", f"/visits/plans/{plan.pk}/",
                "/visits/logs/", "/visits/logs/new/", f"/visits/logs/new/?planned={plan.items.first().pk}",
                f"/visits/logs/new/?customer={org.cust_rep.pk}", f"/visits/logs/new/?lead={lead.pk}",
                f"/visits/logs/{done.pk}/", "/visits/weekly/", f"/customers/{org.cust_rep.pk}/"]:
        resp = rep.get(url)
        assert resp.status_code == 200, url
        assert "<script>" not in resp.content.decode() and " style=" not in resp.content.decode(), url
    sup = client_for(org.supervisor)
    for url in ["/visits/team/", "/visits/team/?period=month", "/visits/team/?period=day&day=2026-05-13",
                "/visits/weekly/?day=2026-05-06", f"/visits/plans/{plan.pk}/"]:
        assert sup.get(url).status_code == 200, url
    form = rep.get("/visits/logs/new/").content.decode()
    assert "salesflow/visit-checkin.js" in form and "data-checkin" in form
    customer_page = rep.get(f"/customers/{org.cust_rep.pk}/").content.decode()
    assert 'data-testid="customer-visits"' in customer_page and f"/visits/logs/{done.pk}/" in customer_page


def test_checkin_script_is_a_static_file():
    from django.contrib.staticfiles import finders

    path = finders.find("salesflow/visit-checkin.js")
    assert path
    text = open(path, encoding="utf-8").read()
    assert "navigator.geolocation.getCurrentPosition" in text and "latitude" in text


def test_log_form_with_and_without_location(org, client_for, clock):
    c = client_for(org.rep)
    base = {"kind": "return", "customer": org.cust_rep.pk, "visited_at": "2026-05-13T09:30",
            "contact_name": "陈经理", "outcome": "确认了交货期", "next_followup_on": "2026-05-20"}
    resp = c.post("/visits/logs/new/", {**base, "latitude": "31.2304", "longitude": "121.4737", "accuracy": "20"})
    located = VisitLog.objects.get()
    assert resp.status_code == 302 and resp.url == f"/visits/logs/{located.pk}/"
    assert located.has_location and located.accuracy_m == 20
    assert 'data-testid="located"' in c.get(resp.url).content.decode()
    resp = c.post("/visits/logs/new/", {**base, "visited_at": "2026-05-13T09:45"})
    plain = VisitLog.objects.exclude(pk=located.pk).get()
    assert not plain.has_location
    assert 'data-testid="no-location"' in c.get(resp.url).content.decode()
    customer = Customer.objects.get(pk=org.cust_rep.pk)
    assert customer.next_followup_on == dt.date(2026, 5, 20)
    # Refused input re-renders the form with the errors, nothing saved.
    resp = c.post("/visits/logs/new/", {**base, "next_followup_on": "2026-05-01"})
    assert resp.status_code == 400 and VisitLog.objects.count() == 2
    assert "The next follow-up comes after the visit." in resp.content.decode()


def test_opportunity_options_follow_the_customer(org, client_for, clock):
    from salesflow.deals.services import opportunity_create

    opp = opportunity_create(by=fresh(org.rep), customer_id=org.cust_rep.pk, data={"name": "产线改造项目"})
    c = client_for(org.rep)
    assert "产线改造项目" in c.get(f"/visits/logs/opportunities/?customer={org.cust_rep.pk}").content.decode()
    assert "产线改造项目" not in client_for(org.rep2).get(
        f"/visits/logs/opportunities/?customer={org.cust_rep.pk}").content.decode()
    assert opp.pk


def test_plan_page_flow_with_manager_adjustment(org, client_for, clock):
    rep, sup = client_for(org.rep), client_for(org.supervisor)
    resp = rep.post("/visits/plans/new/", {"period": "week", "day": "2026-05-13", "focus": "重点拜访浦东老客户"})
    plan = VisitPlan.objects.get()
    assert resp.url == f"/visits/plans/{plan.pk}/"
    resp = rep.post(f"/visits/plans/{plan.pk}/items/", {"customer": org.cust_rep.pk, "planned_on": "2026-05-14",
                                                         "purpose": "回访"})
    assert resp.status_code == 302 and plan.items.count() == 1
    resp = rep.post(f"/visits/plans/{plan.pk}/items/", {"customer": org.cust_rep.pk, "planned_on": "2026-06-01"})
    assert resp.status_code == 400 and plan.items.count() == 1
    rep.post(f"/visits/plans/{plan.pk}/submit/")
    assert VisitPlan.objects.get().status == PlanStatus.SUBMITTED
    item = plan.items.get()
    page = sup.get(f"/visits/plans/{plan.pk}/").content.decode()
    assert 'data-testid="review-form"' in page and 'data-testid="move-item"' in page
    sup.post(f"/visits/plans/{plan.pk}/items/{item.pk}/move/", {"planned_on": "2026-05-15", "comment": "周四开会"})
    plan.refresh_from_db()
    # The supervisor's change prepares the plan; the manager's decision fixes it (R17).
    assert plan.status == PlanStatus.PREPARED and plan.items.get().planned_on == dt.date(2026, 5, 15)
    notice = Notification.objects.get(user=org.rep, kind="visit_plan.adjusted")
    assert notice.url == f"/visits/plans/{plan.pk}/"
    rep_page = rep.get(f"/visits/plans/{plan.pk}/").content.decode()
    assert "周四开会" in rep_page and 'data-testid="move-item"' not in rep_page


def test_plan_review_from_the_page(org, make_plan, client_for):
    from salesflow.visits import services

    plan = make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY}])
    services.plan_submit(by=fresh(org.rep), plan=plan)
    client_for(org.supervisor).post(f"/visits/plans/{plan.pk}/review/", {"action": "return", "comment": ""})
    assert VisitPlan.objects.get().status == PlanStatus.SUBMITTED  # a comment is required to send it back
    client_for(org.supervisor).post(f"/visits/plans/{plan.pk}/review/", {"action": "approve", "comment": "好"})
    assert VisitPlan.objects.get().status == PlanStatus.PREPARED
    manager_page = client_for(org.manager).get(f"/visits/plans/{plan.pk}/").content.decode()
    assert 'data-testid="waits-for-manager"' in manager_page and 'data-testid="approve-plan"' in manager_page
    client_for(org.manager).post(f"/visits/plans/{plan.pk}/review/", {"action": "approve", "comment": "确定"})
    assert VisitPlan.objects.get().status == PlanStatus.APPROVED


def test_plan_page_shows_planned_vs_done(org, make_plan, log_visit, client_for):
    plan = make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": "2026-05-11"},
                            {"customer_id": org.cust_rep.pk, "planned_on": "2026-05-12"},
                            {"target": "嘉定", "planned_on": "2026-05-15"}])
    log_visit(customer=org.cust_rep, when=at(dt.date(2026, 5, 11)))
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9))
    page = client_for(org.rep).get(f"/visits/plans/{plan.pk}/").content.decode()
    figures = dict(re.findall(r'data-testid="figure-(\w+)">([^<]*)<', page))
    assert figures == {"planned": "3", "done": "1", "missed": "1", "pending": "1", "unplanned": "1", "rate": "50%"}


def test_page_refusals(org, busy_day, client_for, log_visit):
    plan, _lead, done = busy_day
    north = log_visit(by=org.rep2, customer=org.cust_rep2)
    for who in (org.rep_b, org.rep2, org.manager2):
        c = client_for(who)
        assert c.get(f"/visits/plans/{plan.pk}/").status_code == 404
        assert c.get(f"/visits/logs/{done.pk}/").status_code == 404
        assert c.post(f"/visits/plans/{plan.pk}/submit/").status_code == 404
        assert c.post(f"/visits/plans/{plan.pk}/items/", {"target": "x", "planned_on": "2026-05-14"}
                      ).status_code == 404
    assert client_for(org.rep).get(f"/visits/logs/{north.pk}/").status_code == 404
    for url in ["/visits/today/", "/visits/plans/", "/visits/logs/", "/visits/weekly/", "/visits/logs/new/"]:
        assert client_for(org.planner).get(url).status_code == 403, url
        assert client_for(None).get(url).status_code == 302, url
    assert client_for(org.rep).get("/visits/team/").status_code == 403
    assert client_for(org.finance).get("/visits/logs/new/").status_code == 403
    assert client_for(org.finance).get("/visits/plans/new/").status_code == 403
    # Reviewing: the rep cannot approve their own plan, another rep cannot even find it.
    from salesflow.visits import services

    services.plan_submit(by=fresh(org.rep), plan=plan)
    assert client_for(org.rep).post(f"/visits/plans/{plan.pk}/review/", {"action": "approve"}).status_code == 403
    assert client_for(org.rep_b).post(f"/visits/plans/{plan.pk}/review/", {"action": "approve"}).status_code == 404
    assert VisitPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_api_plan_lifecycle(org, client_for, clock):
    rep, sup = client_for(org.rep), client_for(org.supervisor)
    resp = send(rep, "/api/v1/visit-plans", {"period": "week", "day": "2026-05-13", "focus": "浦东",
                                             "items": [{"customer_id": org.cust_rep.pk, "planned_on": "2026-05-14"},
                                                       {"target": "嘉定新厂", "planned_on": "2026-05-15"}]})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    plan_id = body["id"]
    assert body["label"] == "2026-W20" and body["status"] == "draft" and len(body["items"]) == 2
    assert body["progress"] == {"planned": 2, "done": 0, "missed": 0, "pending": 2, "unplanned": 0, "rate": None}
    # All or nothing: a bad item leaves no plan behind.
    bad = send(rep, "/api/v1/visit-plans", {"period": "day", "day": "2026-05-14",
                                            "items": [{"customer_id": org.cust_rep2.pk, "planned_on": "2026-05-14"}]})
    assert bad.status_code == 400 and set(bad.json()) == {"code", "message", "fields"}
    assert VisitPlan.objects.count() == 1
    item = send(rep, f"/api/v1/visit-plans/{plan_id}/items", {"lead_id": None, "target": "宝山",
                                                              "planned_on": "2026-05-16"})
    assert item.status_code == 201 and item.json()["kind"] == "new"
    item_id = item.json()["id"]
    moved = send(rep, f"/api/v1/visit-plans/{plan_id}/items/{item_id}", {"planned_on": "2026-05-17"}, "patch")
    assert moved.status_code == 200 and moved.json()["planned_on"] == "2026-05-17"
    assert rep.delete(f"/api/v1/visit-plans/{plan_id}/items/{item_id}").status_code == 204
    assert send(rep, f"/api/v1/visit-plans/{plan_id}/submit").json()["status"] == "submitted"
    assert send(rep, f"/api/v1/visit-plans/{plan_id}/approve").status_code == 403
    first = VisitPlan.objects.get().items.order_by("planned_on").first()
    refused = rep.delete(f"/api/v1/visit-plans/{plan_id}/items/{first.pk}")
    assert refused.status_code == 409 and refused.json()["code"] == "visit_plan_not_editable"
    no_comment = sup.delete(f"/api/v1/visit-plans/{plan_id}/items/{first.pk}")
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["fields"]
    assert sup.delete(f"/api/v1/visit-plans/{plan_id}/items/{first.pk}?comment=不必去").status_code == 204
    assert sup.get(f"/api/v1/visit-plans/{plan_id}").json()["status"] == "prepared"
    listed = rep.get("/api/v1/visit-plans?period=week").json()
    assert [p["id"] for p in listed["items"]] == [plan_id] and listed["items"][0]["item_count"] == 1


def test_api_return_and_approve(org, make_plan, client_for):
    from salesflow.visits import services

    plan = make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY}])
    services.plan_submit(by=fresh(org.rep), plan=plan)
    sup = client_for(org.supervisor)
    assert send(sup, f"/api/v1/visit-plans/{plan.pk}/return", {"comment": "再加两家新客户"}).json()["status"] == "draft"
    services.plan_submit(by=fresh(org.rep), plan=plan)
    body = send(sup, f"/api/v1/visit-plans/{plan.pk}/approve", {"comment": "同意"}).json()
    assert body["status"] == "prepared" and body["review_comment"] == "同意"
    # Once prepared, only the manager sends it back or fixes it.
    assert send(sup, f"/api/v1/visit-plans/{plan.pk}/return", {"comment": "再改"}).status_code == 403
    body = send(client_for(org.manager), f"/api/v1/visit-plans/{plan.pk}/approve", {"comment": "确定"}).json()
    assert body["status"] == "approved" and body["reviewed_by_id"] == org.manager.pk


def test_api_visit_logs(org, client_for, clock):
    rep = client_for(org.rep)
    resp = send(rep, "/api/v1/visit-logs", {"customer_id": org.cust_rep.pk, "outcome": "客户同意试用",
                                            "next_followup_on": "2026-05-20",
                                            "location": {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 12}})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["has_location"] and body["kind"] == "return" and body["customer_name"] == "上海星辰机械有限公司"
    assert body["checked_in_at"].startswith("2026-05-13T")
    plain = send(rep, "/api/v1/visit-logs", {"customer_id": org.cust_rep.pk, "outcome": "电话后上门",
                                             "visited_at": "2026-05-13T09:00:00+08:00"}).json()
    assert plain["has_location"] is False and plain["latitude"] is None
    assert Customer.objects.get(pk=org.cust_rep.pk).next_followup_on == dt.date(2026, 5, 20)
    bad = send(rep, "/api/v1/visit-logs", {"customer_id": org.cust_rep.pk, "outcome": ""})
    assert bad.status_code == 400 and "outcome" in bad.json()["fields"]
    listed = rep.get("/api/v1/visit-logs?located=yes").json()
    assert [row["id"] for row in listed["items"]] == [body["id"]]
    assert rep.get(f"/api/v1/visit-logs/{plain['id']}").json()["outcome"] == "电话后上门"
    for who, status in ((org.rep_b, 404), (org.rep2, 404), (org.manager2, 404), (org.supervisor, 200),
                        (org.director, 200)):
        assert client_for(who).get(f"/api/v1/visit-logs/{body['id']}").status_code == status, who
    assert send(client_for(org.finance), "/api/v1/visit-logs", {"customer_id": org.cust_rep.pk,
                                                                "outcome": "x"}).status_code == 403
    assert client_for(org.planner).get("/api/v1/visit-logs").status_code == 403
    assert client_for(None).get("/api/v1/visit-logs").status_code == 401
    assert client_for(org.planner).get("/api/v1/today").status_code == 403


@pytest.mark.parametrize("url", ["/visits/plans/", "/visits/logs/", "/visits/today/", "/visits/team/",
                                 "/visits/weekly/", "/api/v1/visit-plans", "/api/v1/visit-logs", "/api/v1/today"])
def test_list_query_counts_do_not_grow_with_rows(org, url, client_for, make_plan, log_visit,
                                                 django_assert_max_num_queries):
    from salesflow.leads import services as leads

    def fill(n, offset):
        for i in range(n):
            who = (org.rep, org.rep_b, org.supervisor)[i % 3]
            customer = CustomerFactory(owner=who, next_followup_on=WEDNESDAY - dt.timedelta(days=i % 4))
            log_visit(by=who, customer=customer, when=at(WEDNESDAY, 8, (offset + i) % 60),
                      location={"latitude": 31.2, "longitude": 121.4} if i % 2 else None)
            leads.lead_create(by=fresh(who), owner=fresh(who), data={"name": f"计数线索{offset + i}有限公司"},
                              confirm_duplicates=True)
        make_plan(by=(org.rep, org.rep_b, org.supervisor)[offset % 3], period="day", day=WEDNESDAY + dt.timedelta(
            days=offset), items=[{"customer_id": org.cust_rep.pk if offset % 3 == 0 else None,
                                  "target": "目标", "planned_on": WEDNESDAY + dt.timedelta(days=offset)}])

    who = org.supervisor if "team" in url else org.rep if "today" in url else org.manager
    c = client_for(who)
    fill(3, 0)
    with django_assert_max_num_queries(40) as few:
        assert c.get(url).status_code == 200
    for k in range(1, 4):
        fill(6, k * 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).status_code == 200
