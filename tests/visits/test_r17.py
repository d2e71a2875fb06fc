"""R17 (002 流程1): the daily work log with the day's visits folded in, the target-customer information sheet filled
in after a visit, and the customer's last contact and next follow-up in the pages and the API."""

import datetime as dt
import json

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.crm.models import Customer
from salesflow.notifications.models import Notification
from salesflow.visits import selectors, services
from salesflow.visits.models import WorkLog, WorkLogStatus

from ..conftest import fresh
from ..factories import CustomerFactory
from .conftest import WEDNESDAY, at

TUESDAY = WEDNESDAY - dt.timedelta(days=1)


def send(client, url, body=None, method="post"):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def write_log(user, day=WEDNESDAY, **data):
    data = {"summary": "上午拜访星辰机械，下午整理报价", "call_count": 6, "calls": "电话回访三家老客户",
            "meetings": "参加组内晨会", "documents": "星辰机械二季度报价单", "problems": "远航电子付款拖延",
            "tomorrow_plan": "跟进远航电子回款"} | data
    return services.work_log_save(by=fresh(user), day=day, data=data)


# --- the daily work log ----------------------------------------------------------------------------------

def test_r17_daily_work_log_folds_in_visits(org, log_visit, client_for, clock):
    """002 流程1 step 1: "书面记录每天工作日志" — a work log of the day, not only its visits: calls, meetings,
    documents prepared, problems and tomorrow's plan, with the visits of the day folded in."""
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9), outcome="介绍新产品")
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9, 40), outcome="补充技术参数")
    log_visit(customer=org.cust_rep, when=at(TUESDAY, 15), outcome="前一天的拜访")
    log = write_log(org.rep)
    assert (log.owner_id, log.unit_id, log.day, log.status) == (org.rep.pk, org.east_team.pk, WEDNESDAY, "draft")
    visits = selectors.work_log_visits(owner_id=log.owner_id, day=log.day)
    assert [v.outcome for v in visits] == ["介绍新产品", "补充技术参数"]
    row = selectors.work_log_list(user=fresh(org.supervisor)).get(pk=log.pk)
    assert row.visit_count == 2

    body = client_for(org.rep).get(f"/api/v1/work-logs/{log.pk}").json()
    assert body["call_count"] == 6 and body["documents"] == "星辰机械二季度报价单"
    assert body["tomorrow_plan"] == "跟进远航电子回款" and body["problems"] == "远航电子付款拖延"
    assert body["visit_count"] == 2 and [v["outcome"] for v in body["visits"]] == ["介绍新产品", "补充技术参数"]
    page = client_for(org.supervisor).get(f"/visits/worklogs/{log.pk}/").content.decode()
    assert "补充技术参数" in page and "电话回访三家老客户" in page and "前一天的拜访" not in page


def test_work_log_lifecycle_and_review(org, log_visit, clock):
    empty = services.work_log_save(by=fresh(org.rep_b), day=WEDNESDAY, data={})
    with pytest.raises(Conflict) as exc:  # nothing written and no visit that day
        services.work_log_submit(by=fresh(org.rep_b), log=empty)
    assert exc.value.code == "work_log_empty"
    log_visit(by=org.rep_b, customer=org.cust_rep_b, when=at(WEDNESDAY, 9))
    assert services.work_log_submit(by=fresh(org.rep_b), log=empty).status == WorkLogStatus.SUBMITTED

    log = write_log(org.rep)
    log = write_log(org.rep, summary="改过的小结")  # the same day's log, written on
    assert WorkLog.objects.filter(owner=org.rep).count() == 1 and log.summary == "改过的小结"
    with pytest.raises(ValidationFailed):
        services.work_log_save(by=fresh(org.rep), day=WEDNESDAY + dt.timedelta(days=1), data={})
    with pytest.raises(ValidationFailed) as exc:
        write_log(org.rep, call_count=-1)
    assert "call_count" in exc.value.fields
    services.work_log_submit(by=fresh(org.rep), log=log)
    assert Notification.objects.filter(user=org.supervisor, kind="work_log.submitted").count() == 2
    with pytest.raises(Conflict) as exc:
        write_log(org.rep, summary="交了还改")
    assert exc.value.code == "work_log_not_editable"
    with pytest.raises(ValidationFailed):
        services.work_log_return(by=fresh(org.supervisor), log=log, comment=" ")
    log = services.work_log_return(by=fresh(org.supervisor), log=log, comment="补充电话内容")
    assert log.status == WorkLogStatus.DRAFT
    log = write_log(org.rep, calls="补充：电话回访三家老客户，远航电子答应周五付款")
    services.work_log_submit(by=fresh(org.rep), log=log)
    log = services.work_log_review(by=fresh(org.manager), log=log, comment="远航电子的回款盯紧")
    assert log.status == WorkLogStatus.REVIEWED and log.reviewed_by_id == org.manager.pk
    assert Notification.objects.get(user=org.rep, kind="work_log.reviewed").body == "远航电子的回款盯紧"
    actions = list(AuditEvent.objects.filter(object_type="visits.worklog", object_id=str(log.pk)).order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["work_log.created", "work_log.changed", "work_log.submitted", "work_log.returned",
                       "work_log.changed", "work_log.submitted", "work_log.reviewed"]


def test_work_log_late_and_overdue(org, clock):
    late = write_log(org.rep, day=WEDNESDAY - dt.timedelta(days=2))
    late = services.work_log_submit(by=fresh(org.rep), log=late)
    assert late.submitted_late is True
    overdue = write_log(org.rep, day=TUESDAY)
    assert overdue.overdue(WEDNESDAY) and not write_log(org.rep).overdue(WEDNESDAY)
    ids = set(selectors.work_log_list(user=fresh(org.supervisor), filters=selectors.WorkLogFilters(overdue=True))
              .values_list("pk", flat=True))
    assert ids == {overdue.pk}
    waiting = selectors.work_log_list(user=fresh(org.supervisor), filters=selectors.WorkLogFilters(waiting=True))
    assert list(waiting.values_list("pk", flat=True)) == [late.pk]
    assert selectors.work_logs_waiting(fresh(org.supervisor)) == 1


def test_work_log_scope_and_who_reviews(org, clock):
    log = write_log(org.rep)
    services.work_log_submit(by=fresh(org.rep), log=log)
    for outsider in (org.rep_b, org.rep2, org.manager2):  # another rep, another region: not found
        with pytest.raises(NotFound):
            selectors.work_log_get(user=fresh(outsider), log_id=log.pk)
        with pytest.raises((NotFound, PermissionRefused)):
            services.work_log_review(by=fresh(outsider), log=log)
    with pytest.raises(PermissionRefused):  # the accountant reads it but does not review
        services.work_log_review(by=fresh(org.finance), log=log)
    with pytest.raises(PermissionRefused):  # the rep does not review their own
        services.work_log_review(by=fresh(org.rep), log=log)
    with pytest.raises(PermissionRefused):  # planners keep no work log
        services.work_log_save(by=fresh(org.planner), day=WEDNESDAY, data={"summary": "x"})
    with pytest.raises(PermissionRefused):
        selectors.work_log_list(user=fresh(org.planner))
    ids = lambda user: set(selectors.work_log_list(user=fresh(user)).values_list("pk", flat=True))  # noqa: E731
    assert ids(org.rep) == ids(org.supervisor) == ids(org.manager) == ids(org.director) == {log.pk}
    assert ids(org.rep_b) == ids(org.manager2) == set()


def test_work_log_pages_and_permissions(org, log_visit, client_for, clock):
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9), outcome="介绍新产品")
    rep = client_for(org.rep)
    page = rep.get("/visits/worklogs/write/").content.decode()
    assert 'data-testid="work-log-form"' in page and "介绍新产品" in page
    resp = rep.post("/visits/worklogs/write/", {"day": "2026-05-13", "summary": "拜访一家", "call_count": "3",
                                                "calls": "电话三通", "submit": "1"})
    log = WorkLog.objects.get()
    assert resp.status_code == 302 and resp.url == f"/visits/worklogs/{log.pk}/"
    assert log.status == WorkLogStatus.SUBMITTED and log.call_count == 3
    assert rep.get("/visits/worklogs/write/").url == f"/visits/worklogs/{log.pk}/"  # handed in: read only
    assert 'data-testid="work-log-review"' not in rep.get(f"/visits/worklogs/{log.pk}/").content.decode()
    sup = client_for(org.supervisor)
    assert 'data-testid="work-log-review"' in sup.get(f"/visits/worklogs/{log.pk}/").content.decode()
    assert "拜访一家" in sup.get("/visits/worklogs/?waiting=1").content.decode()
    sup.post(f"/visits/worklogs/{log.pk}/review/", {"action": "review", "comment": "好"})
    assert WorkLog.objects.get().status == WorkLogStatus.REVIEWED
    # Another rep, another region: not found; wrong role: refused.
    for outsider in (org.rep_b, org.manager2):
        c = client_for(outsider)
        assert c.get(f"/visits/worklogs/{log.pk}/").status_code == 404
        assert c.post(f"/visits/worklogs/{log.pk}/review/", {"action": "return", "comment": "x"}).status_code == 404
        assert "拜访一家" not in c.get("/visits/worklogs/").content.decode()
    planner = client_for(org.planner)
    for url in ("/visits/worklogs/", "/visits/worklogs/write/", f"/visits/worklogs/{log.pk}/"):
        assert planner.get(url).status_code == 403, url
    assert client_for(org.finance).get("/visits/worklogs/write/").status_code == 403
    assert client_for(None).get("/visits/worklogs/").status_code == 302


def test_work_log_api(org, log_visit, client_for, clock):
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9))
    rep = client_for(org.rep)
    resp = send(rep, "/api/v1/work-logs", {"day": "2026-05-13", "summary": "拜访一家", "call_count": 2})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "draft" and body["visit_count"] == 1 and len(body["visits"]) == 1
    bad = send(rep, "/api/v1/work-logs", {"day": "2026-05-14"})
    assert bad.status_code == 400 and set(bad.json()) == {"code", "message", "fields"}
    log_id = body["id"]
    assert send(rep, f"/api/v1/work-logs/{log_id}/submit").json()["status"] == "submitted"
    assert send(rep, f"/api/v1/work-logs/{log_id}/review").status_code == 403
    sup = client_for(org.supervisor)
    assert send(sup, f"/api/v1/work-logs/{log_id}/return", {"comment": ""}).status_code == 400
    assert send(sup, f"/api/v1/work-logs/{log_id}/return", {"comment": "补充"}).json()["status"] == "draft"
    body = send(rep, "/api/v1/work-logs", {"day": "2026-05-13", "problems": "客户压价", "submit": True}).json()
    assert body["status"] == "submitted" and body["summary"] == "拜访一家" and body["problems"] == "客户压价"
    assert send(client_for(org.manager), f"/api/v1/work-logs/{log_id}/review", {"comment": "阅"}).json()[
        "status"] == "reviewed"
    listed = client_for(org.manager).get("/api/v1/work-logs").json()
    assert listed["count"] == 1 and listed["items"][0]["visit_count"] == 1
    for outsider in (org.rep_b, org.manager2):
        c = client_for(outsider)
        assert c.get(f"/api/v1/work-logs/{log_id}").status_code == 404
        assert send(c, f"/api/v1/work-logs/{log_id}/review").status_code in (403, 404)
        assert c.get("/api/v1/work-logs").json()["count"] == 0
    assert client_for(org.planner).get("/api/v1/work-logs").status_code == 403
    assert send(client_for(org.planner), "/api/v1/work-logs", {"day": "2026-05-13"}).status_code == 403


@pytest.mark.parametrize("url", ["/visits/worklogs/", "/api/v1/work-logs"])
def test_work_log_lists_query_counts(org, url, client_for, log_visit, django_assert_max_num_queries, settings):
    settings.VISIT_BACKDATE_DAYS = 60  # the history reaches back further than a visit may be logged
    def fill(n, offset):
        for i in range(n):
            who = (org.rep, org.rep_b, org.supervisor)[i % 3]
            day = WEDNESDAY - dt.timedelta(days=offset + i)
            log_visit(by=who, customer=CustomerFactory(owner=who), when=at(day, 9))
            log = write_log(who, day=day)
            if i % 2:
                services.work_log_submit(by=fresh(who), log=log)

    c = client_for(org.manager)
    fill(3, 0)
    with django_assert_max_num_queries(30) as few:
        assert c.get(url).status_code == 200
    fill(9, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).status_code == 200


# --- the target-customer sheet -----------------------------------------------------------------------------

SHEET = {"needs": "二季度需要20台数控机床，关注交期", "decision_makers": "陈经理（采购，决策）；王工（技术，使用）",
         "company_size": "medium", "purchase_timeline": "quarter", "competitors": "沈阳机床、大连机床"}


def test_r17_visit_updates_target_customer_sheet(org, log_visit, client_for, clock):
    """002 流程1 step 4: "在拜访与回访结束后，应将相关信息如实记录并正确填写《目标客户基本信息情况统计表》" — the visit
    form asks for the sheet's fields and updates the customer."""
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9), sheet=SHEET)
    customer = Customer.objects.get(pk=org.cust_rep.pk)
    assert {key: getattr(customer, key) for key in SHEET} == SHEET
    assert customer.sheet_updated_by_id == org.rep.pk and customer.sheet_updated_at is not None
    event = AuditEvent.objects.get(action="customer.sheet_updated")
    assert event.after["purchase_timeline"] == "quarter" and "2026-05-13" in event.note
    # Only what changed is written; a bad choice refuses the whole visit.
    with pytest.raises(ValidationFailed) as exc:
        log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 10), sheet={"purchase_timeline": "soon"})
    assert "sheet_purchase_timeline" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:  # a lead has no sheet
        services.visit_log_create(by=fresh(org.rep), data={"outcome": "x", "lead_id": None, "sheet": SHEET})

    # The visit page shows the customer's answers and saves the rep's changes.
    rep = client_for(org.rep)
    page = rep.get(f"/visits/logs/new/?customer={org.cust_rep.pk}").content.decode()
    assert 'data-testid="visit-sheet"' in page and "沈阳机床、大连机床" in page
    resp = rep.post("/visits/logs/new/", {
        "kind": "return", "customer": org.cust_rep.pk, "visited_at": "2026-05-13T09:30", "outcome": "谈交期",
        "sheet_for": org.cust_rep.pk, "sheet_needs": "需要20台，6月底前交货", "sheet_decision_makers": SHEET[
            "decision_makers"], "sheet_company_size": "large", "sheet_purchase_timeline": "month",
        "sheet_competitors": "沈阳机床"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    customer.refresh_from_db()
    assert (customer.needs, customer.company_size, customer.purchase_timeline, customer.competitors) == (
        "需要20台，6月底前交货", "large", "month", "沈阳机床")
    # Answers shown for another customer are not written to this one: the page asks to check them.
    resp = rep.post("/visits/logs/new/", {
        "kind": "return", "customer": org.cust_rep.pk, "visited_at": "2026-05-13T09:45", "outcome": "再谈",
        "sheet_for": org.cust_rep_b.pk, "sheet_needs": "别家的需求"})
    assert resp.status_code == 400
    customer.refresh_from_db()
    assert customer.needs == "需要20台，6月底前交货"
    # The htmx partial follows the chosen customer; not a customer of the rep's: no answers shown.
    assert "沈阳机床" in rep.get(f"/visits/logs/sheet/?customer={org.cust_rep.pk}").content.decode()
    assert "沈阳机床" not in client_for(org.rep_b).get(
        f"/visits/logs/sheet/?customer={org.cust_rep.pk}").content.decode()
    assert client_for(org.planner).get("/visits/logs/sheet/").status_code == 403

    # The customer file shows the sheet.
    detail = rep.get(f"/customers/{org.cust_rep.pk}/").content.decode()
    assert 'data-testid="customer-sheet"' in detail and "需要20台，6月底前交货" in detail


def test_sheet_on_the_customer_file_and_api(org, client_for, clock):
    rep = client_for(org.rep)
    url = f"/customers/{org.cust_rep.pk}/sheet/"
    assert 'data-testid="customer-sheet-form"' in rep.get(url).content.decode()
    resp = rep.post(url, {"needs": "年度框架协议", "decision_makers": "", "company_size": "small",
                          "purchase_timeline": "year", "competitors": ""})
    assert resp.status_code == 302
    assert Customer.objects.get(pk=org.cust_rep.pk).purchase_timeline == "year"
    assert rep.post(url, {"purchase_timeline": "soon"}).status_code == 400
    for outsider in (org.rep_b, org.manager2):  # another rep, another region: not found
        assert client_for(outsider).get(url).status_code == 404
        assert send(client_for(outsider), f"/api/v1/customers/{org.cust_rep.pk}/sheet", {"needs": "x"},
                    method="patch").status_code == 404
    assert client_for(org.planner).get(url).status_code == 403
    assert client_for(org.finance).get(url).status_code == 403  # sees the customer, does not edit it

    body = send(rep, f"/api/v1/customers/{org.cust_rep.pk}/sheet", {"competitors": "沈阳机床"}, method="patch")
    assert body.status_code == 200, body.content
    sheet = body.json()["sheet"]
    assert sheet["competitors"] == "沈阳机床" and sheet["needs"] == "年度框架协议"
    assert sheet["updated_by_id"] == org.rep.pk
    bad = send(rep, f"/api/v1/customers/{org.cust_rep.pk}/sheet", {"company_size": "huge"}, method="patch")
    assert bad.status_code == 400 and "company_size" in bad.json()["fields"]


def test_r17_customer_api_shows_last_contact_and_next_followup(org, log_visit, client_for, clock):
    """R17: after the visit the customer's last contact and next follow-up are on the customer, in the pages and
    in GET /api/v1/customers/{id}."""
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9), next_followup_on="2026-05-20")
    body = client_for(org.rep).get(f"/api/v1/customers/{org.cust_rep.pk}").json()
    assert body["last_contact_at"].startswith("2026-05-13T01:00") or body["last_contact_at"].startswith(
        "2026-05-13T09:00")
    assert body["next_followup_on"] == "2026-05-20"
    page = client_for(org.supervisor).get(f"/customers/{org.cust_rep.pk}/").content.decode()
    assert 'data-testid="file-last-contact"' in page and "2026-05-13 09:00" in page and "2026-05-20" in page
    # Overdue follow-ups are marked on the file.
    Customer.objects.filter(pk=org.cust_rep.pk).update(next_followup_on=TUESDAY)
    assert 'data-testid="file-next-followup"><span class="text-danger' in client_for(org.rep).get(
        f"/customers/{org.cust_rep.pk}/").content.decode()
