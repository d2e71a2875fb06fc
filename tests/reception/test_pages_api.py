"""Reception and prospect pages and /api/v1/reception-records, /api/v1/prospects: scope, refusals, actions, query
counts."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from salesflow.crm.models import Customer
from salesflow.reception.models import Prospect, ReceptionRecord

from ..conftest import fresh

pytestmark = pytest.mark.django_db


def send(client, url, body=None, method="post"):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


# --- pages -------------------------------------------------------------------------------------------------

def test_pages_render_for_the_rep_and_the_supervisor(org, people, make_record, make_prospect, client_for):
    record = make_record(company="页面测试机械有限公司", customer_id=org.cust_rep.pk)
    prospect = make_prospect(name="页面准客户有限公司", reception_ids=[record.pk])
    rep, sup = client_for(org.rep), client_for(org.supervisor)
    for url in ["/reception/", "/reception/new/", f"/reception/{record.pk}/", f"/reception/{record.pk}/edit/",
                "/reception/prospects/", f"/reception/prospects/{prospect.pk}/",
                f"/reception/new/?customer={org.cust_rep.pk}&prospect={prospect.pk}"]:
        assert rep.get(url).status_code == 200, url
    assert "页面测试机械有限公司" in rep.get("/reception/").content.decode()
    for url in ["/reception/prospects/new/", f"/reception/prospects/new/?reception={record.pk}"]:
        assert sup.get(url).status_code == 200, url
    detail = sup.get(f"/reception/{record.pk}/").content.decode()
    assert 'data-testid="register-prospect"' not in detail  # already registered
    customer_page = rep.get(f"/customers/{org.cust_rep.pk}/").content.decode()
    assert 'data-testid="reception-block"' in customer_page and "页面测试机械有限公司" in customer_page


def test_page_flow_record_register_confirm_file_win_hand_over(org, people, client_for):
    rep = client_for(org.rep)
    resp = rep.post("/reception/new/", {
        "received_at": (timezone.localtime() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "channel": "walk_in", "visitor_names": "孙总、周工", "visitor_count": "2", "company": "常州联创包装有限公司",
        "phone": "13912340000", "questions": "全自动封箱机的价格和交期", "explained": "演示了样机，介绍了售后网点",
        "intent": "yes", "next_step": "安排到厂参观", "next_step_on": "", "customer_id": "", "opportunity_id": "",
        "prospect_id": ""})
    record = ReceptionRecord.objects.get(company="常州联创包装有限公司")
    assert resp.status_code == 302 and record.owner == org.rep and record.visitor_count == 2
    sup = client_for(org.supervisor)
    page = sup.get("/reception/?unregistered=1").content.decode()
    assert "常州联创包装有限公司" in page
    resp = sup.post(f"/reception/prospects/new/?reception={record.pk}", {
        "name": "常州联创包装有限公司", "contact_name": "孙总", "phone": "13912340000", "consultant_id": str(org.rep.pk),
        "reception": str(record.pk), "province": "江苏省", "city": "常州市"})
    prospect = Prospect.objects.get(name="常州联创包装有限公司")
    assert resp.status_code == 302 and prospect.intent == "yes"
    assert ReceptionRecord.objects.get(pk=record.pk).prospect_id == prospect.pk
    assert 'data-testid="record-row"' not in sup.get("/reception/?unregistered=1").content.decode()
    assert 'data-testid="confirm"' not in client_for(people.marketing).get(
        f"/reception/prospects/{prospect.pk}/").content.decode()
    assert 'data-testid="confirm"' in sup.get(f"/reception/prospects/{prospect.pk}/").content.decode()
    sup.post(f"/reception/prospects/{prospect.pk}/confirm/")
    page = rep.get(f"/reception/prospects/{prospect.pk}/").content.decode()
    assert 'data-testid="submit-file-form"' in page
    rep.post(f"/reception/prospects/{prospect.pk}/submit-file/", {"note": "请登记"})
    assert 'data-testid="register-file-form"' in sup.get(f"/reception/prospects/{prospect.pk}/").content.decode()
    sup.post(f"/reception/prospects/{prospect.pk}/register-file/")
    prospect.refresh_from_db()
    assert prospect.status == "customer_filed" and prospect.customer.owner == org.rep
    # Hand-over before the deal: refused with a message, nothing changes.
    sup.post(f"/reception/prospects/{prospect.pk}/hand-over/")
    assert Prospect.objects.get(pk=prospect.pk).status == "customer_filed"
    from salesflow.deals import services as deals

    opp = deals.opportunity_create(by=fresh(org.rep), customer_id=prospect.customer_id, data={"name": "封箱机"})
    rep.post(f"/deals/opportunities/{opp.pk}/action/", {"action": "win"})
    prospect.refresh_from_db()
    assert prospect.status == "handed_over" and prospect.service_owner == people.service
    svc = client_for(people.service)
    assert svc.get(f"/customers/{prospect.customer_id}/").status_code == 200
    page = svc.get(f"/reception/prospects/{prospect.pk}/").content.decode()
    assert "林客服" in page and "Prospect file handed to customer service" in page


def test_page_drop(org, people, make_prospect, client_for):
    prospect = make_prospect()
    sup = client_for(org.supervisor)
    sup.post(f"/reception/prospects/{prospect.pk}/drop/", {"reason": ""})
    assert Prospect.objects.get(pk=prospect.pk).status == "registered"
    sup.post(f"/reception/prospects/{prospect.pk}/drop/", {"reason": "客户已选竞品"})
    assert Prospect.objects.get(pk=prospect.pk).status == "dropped"


def test_page_refusals(org, people, make_record, make_prospect, client_for):
    record = make_record()
    prospect = make_prospect(reception_ids=[record.pk])
    for user in (org.rep_b, org.rep2, org.manager2):
        c = client_for(user)
        for url in [f"/reception/{record.pk}/", f"/reception/{record.pk}/edit/",
                    f"/reception/prospects/{prospect.pk}/"]:
            assert c.get(url).status_code == 404, (user.username, url)
        assert c.post(f"/reception/prospects/{prospect.pk}/drop/", {"reason": "x"}).status_code == 404
    # Missing looks like someone else's.
    assert client_for(org.rep_b).get("/reception/999999/").status_code == 404
    # Wrong role, in scope.
    rep = client_for(org.rep)
    assert rep.get("/reception/prospects/new/").status_code == 403
    assert rep.post(f"/reception/prospects/{prospect.pk}/confirm/").status_code == 403
    assert rep.post(f"/reception/prospects/{prospect.pk}/drop/", {"reason": "x"}).status_code == 403
    assert client_for(org.manager).post(f"/reception/prospects/{prospect.pk}/confirm/").status_code == 403
    assert client_for(org.supervisor).post(f"/reception/prospects/{prospect.pk}/submit-file/").status_code == 403
    assert client_for(org.finance).get("/reception/new/").status_code == 403
    assert client_for(org.finance).get(f"/reception/{record.pk}/edit/").status_code == 403
    assert client_for(org.planner).get("/reception/").status_code == 403
    assert client_for(org.planner).get("/reception/prospects/").status_code == 403
    assert client_for(None).get("/reception/").status_code == 302
    assert Prospect.objects.get(pk=prospect.pk).status == "registered"


def test_lists_are_scoped_and_filtered(org, make_record, client_for):
    make_record(company="李娜接待的公司", channel="phone", intent="no")
    make_record(by=org.rep_b, company="钱销售接待的公司")
    make_record(by=org.rep2, company="华北接待的公司")
    old = make_record(company="很早以前的接待", received_at=timezone.now() - dt.timedelta(days=60))
    page = client_for(org.rep).get("/reception/").content.decode()
    assert "李娜接待的公司" in page and "很早以前的接待" in page
    assert "钱销售接待的公司" not in page and "华北接待的公司" not in page
    sup = client_for(org.supervisor).get("/reception/").content.decode()
    assert "钱销售接待的公司" in sup and "华北接待的公司" not in sup
    assert "华北接待的公司" in client_for(org.director).get("/reception/").content.decode()
    api = client_for(org.supervisor)
    assert [r["company"] for r in api.get("/api/v1/reception-records?intent=no").json()["items"]] == ["李娜接待的公司"]
    assert [r["company"] for r in api.get("/api/v1/reception-records?channel=phone").json()["items"]] == [
        "李娜接待的公司"]
    assert {r["company"] for r in api.get(f"/api/v1/reception-records?owner={org.rep_b.pk}").json()["items"]} == {
        "钱销售接待的公司"}
    since = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    rows = api.get(f"/api/v1/reception-records?date_from={since}").json()["items"]
    assert old.company not in {r["company"] for r in rows} and len(rows) == 2
    until = (timezone.localdate() - dt.timedelta(days=59)).isoformat()
    assert [r["company"] for r in api.get(f"/api/v1/reception-records?date_to={until}").json()["items"]] == [
        old.company]
    page = client_for(org.supervisor).get(f"/reception/?from={since}&intent=yes").content.decode()
    assert "钱销售接待的公司" in page and "很早以前的接待" not in page and "李娜接待的公司" not in page


def test_visitor_phone_is_masked_for_others(org, make_record, client_for):
    record = make_record(phone="13812349876")
    assert client_for(org.rep).get(f"/api/v1/reception-records/{record.pk}").json()["phone"] == "13812349876"
    assert client_for(org.supervisor).get(f"/api/v1/reception-records/{record.pk}").json()["phone"] == "138****9876"


# --- API ---------------------------------------------------------------------------------------------------

def test_api_records_create_get_update(org, client_for):
    c = client_for(org.rep)
    resp = send(c, "/api/v1/reception-records", {
        "received_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(), "channel": "online",
        "visitor_names": "刘女士", "company": "合肥云海科技有限公司", "questions": "是否支持分期付款", "intent": "undecided",
        "customer_id": org.cust_rep.pk})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["owner_id"] == org.rep.pk and body["customer_id"] == org.cust_rep.pk and body["owner_name"]
    patched = send(c, f"/api/v1/reception-records/{body['id']}", {"intent": "yes", "next_step": "上门演示",
                                                                   "next_step_on": "2031-05-06"}, method="patch")
    assert patched.status_code == 200 and patched.json()["intent"] == "yes"
    assert patched.json()["next_step_on"] == "2031-05-06"
    bad = send(c, "/api/v1/reception-records", {"received_at": timezone.now().isoformat(), "visitor_names": ""})
    assert bad.status_code == 400 and set(bad.json()) == {"code", "message", "fields"}
    assert "visitor_names" in bad.json()["fields"]
    assert ReceptionRecord.objects.count() == 1


def test_api_prospect_flow_and_refusals(org, people, client_for):
    sup, mk, rep = client_for(org.supervisor), client_for(people.marketing), client_for(org.rep)
    resp = send(sup, "/api/v1/prospects", {"name": "扬州金帆船舶配件有限公司", "phone": "13855556666",
                                           "consultant_id": org.rep.pk, "intent": "yes"})
    assert resp.status_code == 201, resp.content
    pid = resp.json()["id"]
    assert send(rep, "/api/v1/prospects", {"name": "代表自己登记", "consultant_id": org.rep.pk}).status_code == 403
    assert send(mk, f"/api/v1/prospects/{pid}/confirm").status_code == 403
    assert send(sup, f"/api/v1/prospects/{pid}/register-file").status_code == 409  # nothing sent yet (E4)
    assert send(sup, f"/api/v1/prospects/{pid}/confirm", {"note": "确认"}).json()["confirmed_by_id"] == org.supervisor.pk
    sent = send(rep, f"/api/v1/prospects/{pid}/submit-file", {"confirm_duplicates": True, "note": "请登记"})
    assert sent.status_code == 200 and sent.json()["status"] == "file_submitted"
    filed = send(sup, f"/api/v1/prospects/{pid}/register-file")
    assert filed.status_code == 200 and filed.json()["status"] == "customer_filed"
    assert Customer.objects.get(pk=filed.json()["customer_id"]).owner == org.rep
    early = send(sup, f"/api/v1/prospects/{pid}/hand-over", {"service_owner_id": people.service.pk})
    assert early.status_code == 409 and early.json()["code"] == "invalid_transition"
    assert rep.get(f"/api/v1/prospects/{pid}").status_code == 200
    other = client_for(org.rep2)
    assert other.get(f"/api/v1/prospects/{pid}").status_code == 404
    assert other.get(f"/api/v1/prospects/{pid}").json() == other.get("/api/v1/prospects/999999").json()
    assert send(client_for(org.manager2), f"/api/v1/prospects/{pid}/drop", {"reason": "x"}).status_code == 404
    assert rep.get("/api/v1/prospects?status=customer_filed").json()["count"] == 1
    assert other.get("/api/v1/prospects").json()["count"] == 0
    assert client_for(org.planner).get("/api/v1/prospects").status_code == 403
    assert client_for(None).get("/api/v1/prospects").status_code == 401


@pytest.mark.parametrize("url", ["/reception/", "/api/v1/reception-records", "/reception/prospects/",
                                 "/api/v1/prospects"])
def test_list_query_count_does_not_grow_with_rows(org, people, make_record, make_prospect, filed, client_for, url,
                                                  django_assert_max_num_queries):
    c = client_for(org.manager)
    for i in range(2):
        record = make_record(by=org.rep if i else org.rep_b, customer_id=org.cust_rep.pk if i else None)
        make_prospect(reception_ids=[record.pk])
    with django_assert_max_num_queries(14) as few:
        assert c.get(url).status_code == 200
    for i in range(12):
        record = make_record(by=org.rep_b if i % 2 else org.rep, customer_id=None if i % 2 else org.cust_rep.pk)
        make_prospect(reception_ids=[record.pk], consultant=org.rep_b if i % 3 else org.rep)
    filed()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).status_code == 200
