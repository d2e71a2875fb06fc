"""Issue #13, seed 002 D2/E4/D5/E3, each rule tested as the seed writes it:

- D2.4 "营销主管的准客户的确认": the office's 营销主管 — by default the sales supervisor — confirms; the marketing VP is
  not asked; it does not block D5; an office may name someone else (OfficeMarketingLead).
- E4 "对有购买意向的客户建立客户档案。及时送交销售主管进行登记": the consultant builds the customer file and sends it.
- D5 "销售主管将准客户资料和销售顾问送交的客户资料进行登记": the supervisor registers the consultant's file with the
  prospect's. Both steps are recorded.
- E3 "打印编制出接待记录": reception records print (one, or a filtered list) and export to Excel, in the user's scope.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound, PermissionRefused, ValidationFailed
from salesflow.core.statemachine import InvalidTransition
from salesflow.notifications.models import Notification
from salesflow.org.roles import Role
from salesflow.reception import selectors, services
from salesflow.reception.models import Prospect, ProspectStatus

from ..conftest import fresh
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def send(client, url, body=None, method="post"):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def _actions(prospect) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="reception.prospect", object_id=str(prospect.pk))
                .order_by("id").values_list("action", flat=True))


# --- D2.4: the 营销主管's confirmation -------------------------------------------------------------------------

def test_d2_confirmation_by_office_supervisor_not_marketing_vp(org, people, make_prospect):
    prospect = make_prospect(by=org.manager)
    # The marketing VP is not asked and may not confirm.
    assert not Notification.objects.filter(user=people.marketing, kind="prospect.to_confirm").exists()
    assert Notification.objects.filter(user=org.supervisor, kind="prospect.to_confirm").exists()
    with pytest.raises(PermissionRefused):
        services.prospect_confirm(by=fresh(people.marketing), prospect_id=prospect.pk)
    # Nor a manager above who does not hold the function in the office.
    with pytest.raises(PermissionRefused):
        services.prospect_confirm(by=fresh(org.manager), prospect_id=prospect.pk)
    confirmed = services.prospect_confirm(by=fresh(org.supervisor), prospect_id=prospect.pk, note="符合目标行业")
    assert (confirmed.confirmed_by, confirmed.status) == (org.supervisor, ProspectStatus.REGISTERED)
    event = AuditEvent.objects.get(action="prospect.confirmed", object_id=str(prospect.pk))
    assert event.actor_id == org.supervisor.pk and event.note == "符合目标行业"
    with pytest.raises(InvalidTransition):  # once
        services.prospect_confirm(by=fresh(org.supervisor), prospect_id=prospect.pk)


def test_d2_confirmation_does_not_block_d5(org, make_prospect):
    prospect = make_prospect()
    services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk, confirm_duplicates=True)
    filed = services.prospect_register_file(by=fresh(org.supervisor), prospect_id=prospect.pk)
    assert filed.status == ProspectStatus.CUSTOMER_FILED and filed.confirmed_at is None
    # The confirmation may still come afterwards; it changes no state.
    confirmed = services.prospect_confirm(by=fresh(org.supervisor), prospect_id=prospect.pk)
    assert confirmed.status == ProspectStatus.CUSTOMER_FILED and confirmed.confirmed_by == org.supervisor


def test_d2_default_marketing_supervisor_is_the_offices_sales_supervisor(org, make_prospect):
    """上海二组 has no supervisor of its own: the function falls to the supervisor of 上海销售处, not to the
    supervisor of another team."""
    office_sup = UserFactory(username="sh_office_sup", name="上海主管", role=Role.SUPERVISOR, unit=org.east_office,
                             manager=org.manager)
    prospect = make_prospect(by=org.manager, consultant=org.rep3)
    assert [u.pk for u in selectors.marketing_leads_for(unit_id=prospect.unit_id)] == [office_sup.pk]
    with pytest.raises(NotFound):  # 上海一组's supervisor does not even see 二组's prospects
        services.prospect_confirm(by=fresh(org.supervisor), prospect_id=prospect.pk)
    assert services.prospect_confirm(by=fresh(office_sup), prospect_id=prospect.pk).confirmed_by == office_sup


def test_d2_office_may_name_its_marketing_supervisor(org, make_prospect):
    prospect = make_prospect()
    row = services.office_marketing_lead_set(by=fresh(org.manager), office_id=org.east_office.pk, user=org.manager)
    assert row.user == org.manager
    assert AuditEvent.objects.filter(action="prospect.marketing_lead_named", object_id=str(row.pk)).exists()
    # Now the named person confirms, the team's supervisor no longer does.
    with pytest.raises(PermissionRefused):
        services.prospect_confirm(by=fresh(org.supervisor), prospect_id=prospect.pk)
    assert services.prospect_confirm(by=fresh(org.manager), prospect_id=prospect.pk).confirmed_by == org.manager
    # Cleared: back to the default (the sales supervisor).
    services.office_marketing_lead_set(by=fresh(org.admin), office_id=org.east_office.pk, user=None)
    assert selectors.marketing_leads_for(unit_id=prospect.unit_id) == [org.supervisor]


def test_d2_naming_the_marketing_supervisor_is_refused_to_the_wrong_people(org):
    office = org.east_office.pk
    for by, error in [(org.rep, PermissionRefused), (org.supervisor, PermissionRefused),
                      (org.manager2, NotFound)]:  # another region's manager: not found
        with pytest.raises(error):
            services.office_marketing_lead_set(by=fresh(by), office_id=office, user=org.manager)
    # Only a supervisor or manager whose scope covers the whole office may hold it.
    for candidate in (org.rep, org.supervisor, org.manager2, org.gm):
        with pytest.raises(ValidationFailed):
            services.office_marketing_lead_set(by=fresh(org.manager), office_id=office, user=candidate)
    with pytest.raises(NotFound):  # not an office
        services.office_marketing_lead_set(by=fresh(org.admin), office_id=org.east_team.pk, user=org.manager)
    assert not AuditEvent.objects.filter(action="prospect.marketing_lead_named").exists()


# --- E4 and D5: the consultant's customer file, registered by the supervisor ----------------------------------

def test_e4_consultant_files_customer_and_hands_to_supervisor(org, make_prospect):
    prospect = make_prospect(name="宁波海岳精密机械有限公司", contact_name="王总", phone="13912345670")
    # The supervisor does not build it for the consultant.
    with pytest.raises(PermissionRefused):
        services.prospect_submit_file(by=fresh(org.supervisor), prospect_id=prospect.pk)
    sent = services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk, note="客户下月招标，请尽快登记")
    assert sent.status == ProspectStatus.FILE_SUBMITTED
    assert (sent.customer_submitted_by, sent.customer_submitted_note) == (org.rep, "客户下月招标，请尽快登记")
    assert sent.customer.owner == org.rep and sent.customer.name == "宁波海岳精密机械有限公司"
    assert sent.customer_filed_at is None  # not registered yet: that is D5
    note = Notification.objects.get(user=org.supervisor, kind="prospect.file_submitted")
    assert "宁波海岳精密机械有限公司" in note.title and note.url == f"/reception/prospects/{prospect.pk}/"
    event = AuditEvent.objects.get(action="prospect.file_submitted", object_id=str(prospect.pk))
    assert event.actor_id == org.rep.pk and event.customer_id == sent.customer_id


def test_d5_supervisor_registers_consultant_file_with_prospect(org, make_prospect):
    prospect = make_prospect()
    with pytest.raises(InvalidTransition):  # nothing sent by the consultant yet
        services.prospect_register_file(by=fresh(org.supervisor), prospect_id=prospect.pk)
    services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk, confirm_duplicates=True)
    with pytest.raises(PermissionRefused):
        services.prospect_register_file(by=fresh(org.rep), prospect_id=prospect.pk)
    filed = services.prospect_register_file(by=fresh(org.supervisor), prospect_id=prospect.pk, note="已登记")
    assert filed.status == ProspectStatus.CUSTOMER_FILED
    assert (filed.customer_submitted_by, filed.customer_filed_by) == (org.rep, org.supervisor)
    assert filed.customer_submitted_at <= filed.customer_filed_at
    # Both steps are on the prospect's history, each by its own person.
    assert _actions(prospect) == ["prospect.registered", "prospect.file_submitted", "prospect.customer_filed"]
    actors = dict(AuditEvent.objects.filter(object_id=str(prospect.pk), object_type="reception.prospect")
                  .values_list("action", "actor_id"))
    assert (actors["prospect.file_submitted"], actors["prospect.customer_filed"]) == (org.rep.pk, org.supervisor.pk)
    assert Notification.objects.filter(user=org.rep, kind="prospect.customer_filed").exists()


def test_e4_d5_pages_show_both_steps_and_refuse_others(org, make_prospect, client_for):
    prospect = make_prospect(name="嘉兴鼎力包装材料有限公司")
    rep, sup = client_for(org.rep), client_for(org.supervisor)
    assert 'data-testid="submit-file-form"' not in sup.get(f"/reception/prospects/{prospect.pk}/").content.decode()
    assert rep.post(f"/reception/prospects/{prospect.pk}/submit-file/", {"note": "请登记"}).status_code == 302
    for user in (org.rep_b, org.rep2, org.manager2):
        assert client_for(user).post(f"/reception/prospects/{prospect.pk}/register-file/").status_code == 404
    assert rep.post(f"/reception/prospects/{prospect.pk}/register-file/").status_code == 403
    page = sup.get(f"/reception/prospects/{prospect.pk}/").content.decode()
    assert 'data-testid="register-file-form"' in page and "请登记" in page
    assert sup.post(f"/reception/prospects/{prospect.pk}/register-file/").status_code == 302
    page = rep.get(f"/reception/prospects/{prospect.pk}/").content.decode()
    assert Prospect.objects.get(pk=prospect.pk).status == "customer_filed"
    assert org.rep.name in page and org.supervisor.name in page


# --- E3: print and export -------------------------------------------------------------------------------------

def test_e3_reception_record_prints(org, make_record, client_for):
    record = make_record(company="常州联创包装有限公司", visitor_names="孙总、周工", visitor_count=2,
                         phone="13912340000", questions="封箱机的价格和交期", next_step="安排到厂参观")
    page = client_for(org.rep).get(f"/reception/{record.pk}/print/")
    html = page.content.decode()
    assert page.status_code == 200 and "@media print" in html and 'data-testid="record-print"' in html
    for text in ("常州联创包装有限公司", "孙总、周工", "封箱机的价格和交期", "安排到厂参观", "13912340000",
                 f"JD-{record.pk:06d}", org.rep.name):
        assert text in html, text
    # R20: the supervisor prints it with the phone masked; others cannot open it at all.
    assert "13912340000" not in client_for(org.supervisor).get(f"/reception/{record.pk}/print/").content.decode()
    for user in (org.rep_b, org.rep2, org.manager2):
        assert client_for(user).get(f"/reception/{record.pk}/print/").status_code == 404
    assert client_for(org.planner).get(f"/reception/{record.pk}/print/").status_code == 403
    assert client_for(None).get(f"/reception/{record.pk}/print/").status_code == 302


def test_e3_reception_records_print_in_chinese(org, make_record, client_for):
    record = make_record()
    c = client_for(org.rep)
    c.cookies["django_language"] = "zh-hans"
    html = c.get(f"/reception/{record.pk}/print/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    day = timezone.localtime(record.received_at)
    # The company's form: dated the Chinese way, numbered, with the consultant's and the supervisor's signatures.
    assert f"{day.year}年{day.month}月{day.day}日" in html and f"JD-{record.pk:06d}" in html
    assert html.count("：") >= 6 and 'lang="zh-hans"' in html
    from django.utils import translation

    with translation.override("zh-hans"):
        title = translation.gettext("Reception record form")
    if title != "Reception record form":  # the catalogue is compiled (scripts/i18n.sh)
        assert "接待记录表" in html and "销售顾问（签字）" in html


def test_e3_reception_list_prints_filtered_and_scoped(org, make_record, client_for, django_assert_max_num_queries):
    make_record(company="有意向一号有限公司", intent="yes")
    make_record(company="无意向二号有限公司", intent="no")
    make_record(by=org.rep_b, company="别人三号有限公司", intent="yes")
    make_record(by=org.rep2, company="华北四号有限公司", intent="yes")
    html = client_for(org.rep).get("/reception/print/?intent=yes").content.decode()
    assert "有意向一号有限公司" in html and "无意向二号有限公司" not in html
    assert "别人三号有限公司" not in html and "华北四号有限公司" not in html and "@media print" in html
    html = client_for(org.supervisor).get("/reception/print/?intent=yes").content.decode()
    assert "别人三号有限公司" in html and "华北四号有限公司" not in html
    assert client_for(org.planner).get("/reception/print/").status_code == 403
    c = client_for(org.manager)
    with django_assert_max_num_queries(12) as few:
        assert c.get("/reception/print/").status_code == 200
    for i in range(10):
        make_record(by=org.rep if i % 2 else org.rep_b, customer_id=org.cust_rep.pk if i % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get("/reception/print/").status_code == 200


def _sheet(resp):
    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_e3_reception_records_export_to_excel_in_scope(org, make_record, client_for):
    mine = make_record(company="导出一号有限公司", phone="13800001111", intent="yes",
                       received_at=timezone.now() - dt.timedelta(days=2))
    make_record(company="=HYPERLINK(\"x\")", intent="no")
    make_record(by=org.rep_b, company="同组导出有限公司", phone="13800002222")
    make_record(by=org.rep2, company="华北导出有限公司")
    rows = _sheet(client_for(org.rep).get("/reception/export/"))
    companies = [r[4] for r in rows[1:]]
    assert len(rows[0]) == 16 and sorted(companies) == sorted(["导出一号有限公司", "'=HYPERLINK(\"x\")"])
    row = next(r for r in rows[1:] if r[4] == "导出一号有限公司")
    assert row[5] == "13800001111" and row[11] == org.rep.name and row[12] == org.east_team.name
    assert row[0] == timezone.localtime(mine.received_at).replace(tzinfo=None, microsecond=0) or \
        abs(row[0] - timezone.localtime(mine.received_at).replace(tzinfo=None)) < dt.timedelta(seconds=1)
    # Filtered like the list; the supervisor sees the team, phones of others' visitors masked (R20).
    rows = _sheet(client_for(org.supervisor).get("/reception/export/?q=导出"))
    by_company = {r[4]: r for r in rows[1:]}
    assert set(by_company) == {"导出一号有限公司", "同组导出有限公司"}
    assert by_company["同组导出有限公司"][5] != "13800002222"
    assert _sheet(client_for(org.rep2).get("/reception/export/?q=导出一号"))[1:] == []
    assert client_for(org.planner).get("/reception/export/").status_code == 403
    assert client_for(None).get("/reception/export/").status_code == 302


def test_e3_export_reads_in_batches_with_a_fixed_number_of_queries(org, make_record, client_for,
                                                                  django_assert_max_num_queries):
    c = client_for(org.manager)
    make_record()
    with django_assert_max_num_queries(12) as few:
        _sheet(c.get("/reception/export/"))
    for i in range(15):
        make_record(by=org.rep_b if i % 2 else org.rep, customer_id=org.cust_rep.pk if i % 2 == 0 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_sheet(c.get("/reception/export/"))) == 17


# --- the 营销主管 pages and API ------------------------------------------------------------------------------------

def test_marketing_lead_page_and_api(org, client_for, django_assert_max_num_queries):
    mgr = client_for(org.manager)
    page = mgr.get("/reception/prospects/marketing-leads/").content.decode()
    assert "上海销售处" in page and "北京销售处" not in page and org.supervisor.name in page
    assert mgr.post(f"/reception/prospects/marketing-leads/{org.east_office.pk}/",
                    {"user": org.manager.pk}).status_code == 302
    listed = mgr.get("/api/v1/prospects/marketing-leads").json()
    assert listed == [{"office_id": org.east_office.pk, "office_name": "上海销售处",
                       "named": {"id": org.manager.pk, "name": org.manager.name},
                       "defaults": [{"id": org.supervisor.pk, "name": org.supervisor.name}]}]
    cleared = send(mgr, f"/api/v1/prospects/marketing-leads/{org.east_office.pk}", {"user_id": None}, "put")
    assert cleared.status_code == 200 and cleared.json()["named"] is None
    bad = send(mgr, f"/api/v1/prospects/marketing-leads/{org.east_office.pk}", {"user_id": org.rep.pk}, "put")
    assert bad.status_code == 400 and "user_id" in bad.json()["fields"]
    # Refusals: the wrong role, another region's manager, nobody signed in.
    for user in (org.rep, org.supervisor, org.finance):
        assert client_for(user).get("/reception/prospects/marketing-leads/").status_code == 403
        assert client_for(user).get("/api/v1/prospects/marketing-leads").status_code == 403
    other = client_for(org.manager2)
    assert send(other, f"/api/v1/prospects/marketing-leads/{org.east_office.pk}", {"user_id": org.manager2.pk},
                "put").status_code == 404
    assert other.post(f"/reception/prospects/marketing-leads/{org.east_office.pk}/",
                      {"user": org.manager2.pk}).status_code == 404
    assert client_for(None).get("/api/v1/prospects/marketing-leads").status_code == 401
    # A fixed number of queries, however many offices.
    admin = client_for(org.admin)
    with django_assert_max_num_queries(20) as few:
        assert admin.get("/reception/prospects/marketing-leads/").status_code == 200
        assert admin.get("/api/v1/prospects/marketing-leads").status_code == 200
    from ..factories import OrgUnitFactory

    for i in range(4):
        office = OrgUnitFactory(name=f"测试{i}销售处", code=f"T{i}", kind="office", parent=org.east)
        UserFactory(username=f"office_sup{i}", role=Role.SUPERVISOR, unit=office, manager=org.manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin.get("/reception/prospects/marketing-leads/").status_code == 200
        assert admin.get("/api/v1/prospects/marketing-leads").status_code == 200
