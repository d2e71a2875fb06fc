"""Every page: who may open it, who is refused, and what a user sees."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from salesflow.audit.models import AuditEvent
from salesflow.crm.models import Customer

pytestmark = pytest.mark.django_db


def url_for(world, name):
    return {
        "home": reverse("home"),
        "customer_list": reverse("crm:customer_list"),
        "customer_create": reverse("crm:customer_create"),
        "customer_detail": reverse("crm:customer_detail", args=[world.c_rep.pk]),
        "customer_edit": reverse("crm:customer_edit", args=[world.c_rep.pk]),
        "customer_export": reverse("crm:customer_export"),
        "import_start": reverse("crm:import_start"),
        "unit_list": reverse("org:unit_list"),
        "unit_create": reverse("org:unit_create"),
        "user_list": reverse("org:user_list"),
        "user_create": reverse("org:user_create"),
        "user_edit": reverse("org:user_edit", args=[world.rep.pk]),
        "audit": reverse("audit:event_list"),
        "tokens": reverse("token_list"),
    }[name]


# (page, user attribute, expected status): generated matrix of allowed and refused roles.
MATRIX = [
    ("home", "rep", 200), ("home", "planner", 200),
    ("customer_list", "rep", 200), ("customer_list", "manager", 200), ("customer_list", "accountant", 200),
    ("customer_list", "planner", 403),
    ("customer_create", "rep", 200), ("customer_create", "accountant", 403), ("customer_create", "planner", 403),
    ("customer_detail", "rep", 200), ("customer_detail", "supervisor", 200), ("customer_detail", "manager", 200),
    ("customer_detail", "rep_b", 404), ("customer_detail", "rep2", 404), ("customer_detail", "manager2", 404),
    ("customer_detail", "planner", 403),
    ("customer_edit", "rep", 200), ("customer_edit", "rep_b", 404), ("customer_edit", "manager2", 404),
    ("customer_edit", "accountant", 403),
    ("customer_export", "rep", 200), ("customer_export", "planner", 403),
    ("import_start", "rep", 200), ("import_start", "accountant", 403), ("import_start", "planner", 403),
    ("unit_list", "admin", 200), ("unit_list", "manager", 403), ("unit_list", "rep", 403),
    ("unit_create", "admin", 200), ("unit_create", "manager", 403),
    ("user_list", "admin", 200), ("user_list", "manager", 403), ("user_list", "rep", 403),
    ("user_create", "admin", 200), ("user_create", "supervisor", 403),
    ("user_edit", "admin", 200), ("user_edit", "manager", 403),
    ("audit", "admin", 200), ("audit", "manager", 403), ("audit", "rep", 403),
    ("tokens", "rep", 200), ("tokens", "planner", 200),
]


@pytest.mark.parametrize(("page", "who", "status"), MATRIX)
def test_page_permission_matrix(world, client, page, who, status):
    client.force_login(getattr(world, who))
    assert client.get(url_for(world, page)).status_code == status


@pytest.mark.parametrize("page", sorted({m[0] for m in MATRIX}))
def test_anonymous_is_sent_to_login(world, client, page):
    response = client.get(url_for(world, page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_other_reps_customer_looks_exactly_like_a_missing_one(world, login):
    client = login(world.rep_b)
    other = client.get(reverse("crm:customer_detail", args=[world.c_rep.pk]))
    missing = client.get(reverse("crm:customer_detail", args=[999999]))
    assert other.status_code == missing.status_code == 404
    import re

    def main(body):
        return re.search(rb"<main.*</main>", body, re.S).group(0)

    assert main(other.content) == main(missing.content)


def test_rep_sees_only_own_customers_in_the_list(world, login):
    body = login(world.rep).get(reverse("crm:customer_list")).content.decode()
    assert "上海宏达机械有限公司" in body
    assert "苏州远景电子有限公司" not in body and "北京华泰建设集团" not in body


def test_manager_sees_the_region_but_not_another_region(world, login):
    body = login(world.manager).get(reverse("crm:customer_list")).content.decode()
    assert "上海宏达机械有限公司" in body and "苏州远景电子有限公司" in body
    assert "北京华泰建设集团" not in body


def test_navigation_shows_only_pages_the_role_may_use(world, login):
    rep_page = login(world.rep).get(reverse("home")).content.decode()
    assert reverse("crm:customer_list") in rep_page
    assert reverse("org:user_list") not in rep_page and reverse("audit:event_list") not in rep_page
    admin_page = login(world.admin).get(reverse("home")).content.decode()
    assert reverse("org:user_list") in admin_page and reverse("audit:event_list") in admin_page
    planner_page = login(world.planner).get(reverse("home")).content.decode()
    assert reverse("crm:customer_list") not in planner_page


def test_phone_is_masked_for_the_supervisor_until_revealed_and_the_reveal_is_logged(world, login):
    client = login(world.supervisor)
    detail = client.get(reverse("crm:customer_detail", args=[world.c_rep.pk])).content.decode()
    assert "138****5678" in detail and "13812345678" not in detail
    revealed = client.post(reverse("crm:customer_reveal", args=[world.c_rep.pk])).content.decode()
    assert "13812345678" in revealed
    assert AuditEvent.objects.filter(action="customer.phones_revealed", actor=world.supervisor,
                                     customer_id=world.c_rep.pk).count() == 1


def test_owner_sees_the_full_number_and_a_colleague_cannot_reveal(world, login):
    assert "13812345678" in login(world.rep).get(reverse("crm:customer_detail", args=[world.c_rep.pk])).content.decode()
    response = login(world.accountant).post(reverse("crm:customer_reveal", args=[world.c_rep.pk]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="customer.phones_revealed", actor=world.accountant).exists()


def test_list_masks_phones_of_customers_the_viewer_does_not_own(world, login):
    body = login(world.manager).get(reverse("crm:customer_list")).content.decode()
    assert "138****5678" in body and "13812345678" not in body


def test_create_with_bad_credit_code_shows_the_error_and_writes_nothing(world, login):
    client = login(world.rep)
    response = client.post(reverse("crm:customer_create"), {
        "kind": "company", "name": "杭州新星贸易有限公司", "credit_code": "91330100MA27XXXX1X", "tier": "C",
        "credit_limit": "0", "owner": world.rep.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_credit_code-feedback"><div class="invalid-feedback' in body
    assert not Customer.objects.filter(name="杭州新星贸易有限公司").exists()


def test_create_and_duplicate_warning_then_confirm(world, login):
    client = login(world.rep)
    data = {"kind": "company", "name": "上海宏达机械有限公司", "tier": "C", "credit_limit": "0",
            "owner": world.rep.pk}
    first = client.post(reverse("crm:customer_create"), data)
    assert first.status_code == 200 and 'data-testid="duplicate-warning"' in first.content.decode()
    assert Customer.objects.filter(name="上海宏达机械有限公司").count() == 1
    confirmed = client.post(reverse("crm:customer_create"), data | {"confirm_duplicates": "on"})
    assert confirmed.status_code == 302
    assert Customer.objects.filter(name="上海宏达机械有限公司").count() == 2


def test_user_text_is_never_rendered_as_html(world, login):
    client = login(world.rep)
    client.post(reverse("crm:customer_create"), {
        "kind": "company", "name": "<script>alert(1)</script>测试", "tier": "C", "credit_limit": "0",
        "notes": "<img src=x onerror=alert(2)>", "owner": world.rep.pk})
    customer = Customer.objects.get(name__startswith="<script>")
    body = client.get(reverse("crm:customer_detail", args=[customer.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body


def test_inline_validation_reports_a_bad_credit_code(world, login):
    client = login(world.rep)
    bad = client.post(reverse("crm:customer_validate_field"), {"field": "credit_code", "credit_code": "123"})
    good = client.post(reverse("crm:customer_validate_field"), {"field": "credit_code",
                                                                 "credit_code": "91310000MA1FL0PX4K"})
    assert "invalid-feedback" in bad.content.decode()
    assert good.content.decode().strip() == ""


def test_search_by_pinyin_initials_and_phone(world, login):
    client = login(world.manager)
    assert "上海宏达机械有限公司" in client.get(reverse("crm:customer_list"), {"q": "shhd"}).content.decode()
    by_phone = client.get(reverse("crm:customer_list"), {"q": "139000"}).content.decode()
    assert "苏州远景电子有限公司" in by_phone and "上海宏达机械有限公司" not in by_phone


def test_htmx_filter_returns_only_the_results_partial(world, login):
    response = login(world.manager).get(reverse("crm:customer_list"), {"q": "shhd"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-testid="customer-table"' in body and "<html" not in body


def test_customer_list_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries):
    from salesflow.crm import services as crm

    client = login(world.rep)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("crm:customer_list"))
    for i in range(30):
        crm.customer_create(by=world.rep, data={"name": f"测试客户{i:02d}号商行"}, confirm_duplicates=True,
                            contacts=[{"name": "联系人", "phone": f"1390000{i:04d}"}])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("crm:customer_list"))


def test_export_contains_only_visible_customers_masks_phones_and_neutralises_formulas(world, login):
    from salesflow.crm import services as crm

    crm.customer_create(by=world.rep_b, data={"name": "=HYPERLINK(\"http://evil\")公司"}, confirm_duplicates=True)
    response = login(world.supervisor).get(reverse("crm:customer_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    names = [r[0] for r in rows[1:]]
    assert "北京华泰建设集团" not in names
    assert "'=HYPERLINK(\"http://evil\")公司" in names
    phones = {r[0]: r[15] for r in rows[1:]}
    assert phones["上海宏达机械有限公司"] == "138****5678"


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_through_the_pages_reports_row_errors_and_writes_nothing(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.rep)
    content = _xlsx([["客户名称", "统一社会信用代码", "联系人", "电话"],
                     ["宁波海通物流有限公司", "", "张三", "13611112222"],
                     ["温州东方鞋业有限公司", "BAD-CODE", "李四", "123"]])
    response = client.post(reverse("crm:import_start"),
                           {"file": SimpleUploadedFile("customers.xlsx", content)})
    assert response.status_code == 302
    detail_url = response["Location"]
    checked = client.post(detail_url, {"action": "check", "map_name": "0", "map_credit_code": "1",
                                       "map_contact_name": "2", "map_contact_phone": "3"}, follow=True)
    body = checked.content.decode()
    assert 'data-testid="import-errors"' in body
    assert "<td>3</td>" in body  # the bad row is the sheet's row 3
    assert not Customer.objects.filter(name="宁波海通物流有限公司").exists()


def test_import_through_the_pages_writes_all_rows_when_valid(world, login, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.rep)
    content = _xlsx([["客户名称", "联系人", "电话", "客户等级"],
                     ["宁波海通物流有限公司", "张三", "13611112222", "B"],
                     ["温州东方鞋业有限公司", "李四", "0577-88889999", "A"]])
    detail_url = client.post(reverse("crm:import_start"), {"file": SimpleUploadedFile("c.xlsx", content)})["Location"]
    client.post(detail_url, {"action": "check", "map_name": "0", "map_contact_name": "1", "map_contact_phone": "2",
                             "map_tier": "3"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(detail_url, {"action": "confirm"})
    done = client.get(detail_url).content.decode()
    assert Customer.objects.filter(owner=world.rep, name__in=["宁波海通物流有限公司", "温州东方鞋业有限公司"]).count() == 2
    assert Customer.objects.get(name="温州东方鞋业有限公司").tier == "A"
    assert 'data-testid="import-status"' in done


def test_bad_upload_is_refused_with_a_clear_error(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.rep)
    # Issue #15: the web request only stores the upload; the worker reads it (immediately, with the test backend)
    # and the job's page says why it was refused.
    response = client.post(reverse("crm:import_start"), {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")},
                           follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-status"' in html and "alert-danger" in html
    from salesflow.imports.models import ImportJob

    reason = ImportJob.objects.get(created_by=world.rep).message
    assert reason and reason in html


def test_language_choice_is_remembered_on_the_account(world, client):
    client.force_login(world.rep)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    world.rep.refresh_from_db()
    assert world.rep.language == "en"
    client.cookies.clear()
    client.force_login(world.rep)
    assert "Customer files" in client.get(reverse("home")).content.decode()


def test_admin_deactivates_a_user_and_their_customers_are_reassigned(world, login):
    client = login(world.admin)
    response = client.post(reverse("org:user_deactivate", args=[world.rep.pk]), {"reassign_to": world.rep_b.pk})
    assert response.status_code == 302
    world.rep.refresh_from_db()
    assert not world.rep.is_active
    assert Customer.objects.get(pk=world.c_rep.pk).owner_id == world.rep_b.pk


def test_security_headers_are_set(world, login):
    response = login(world.rep).get(reverse("crm:customer_list"))
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_customer_groups_page_is_for_master_data_roles_only(world, login):
    url = reverse("crm:group_list")
    assert login(world.manager).get(url).status_code == 403
    assert login(world.rep).get(url).status_code == 403
    admin = login(world.admin)
    assert admin.post(url, {"name": "重点客户", "description": "年采购额百万以上"}).status_code == 302
    assert "重点客户" in admin.get(url).content.decode()
    again = admin.post(url, {"name": "重点客户"})
    assert again.status_code == 200 and "invalid-feedback" in again.content.decode()


def test_failed_sign_in_is_in_the_audit_trail(world, client):
    client.post(reverse("login"), {"username": world.rep.username, "password": "wrong-password"})
    event = AuditEvent.objects.get(action="user.login_failed")
    assert event.object_repr == world.rep.username and event.ip == "127.0.0.1"


def test_list_counts_are_capped_so_huge_lists_stay_fast(world, login, monkeypatch):
    from salesflow.core import pages

    monkeypatch.setattr(pages, "COUNT_CAP", 2)
    body = login(world.manager).get(reverse("crm:customer_list")).content.decode()
    assert "上海宏达机械有限公司" in body  # the page itself is unaffected
    assert 'class="page-link"' not in body or "Page 1 of" in body
    capped = login(world.admin).get(reverse("crm:customer_list")).content.decode()
    assert "10,000" in capped  # 3 customers > cap of 2: the count says "more than"


def test_R20_customer_privacy_phone_numbers_masked_for_anyone_but_the_owner(world, login):
    for viewer in (world.supervisor, world.manager, world.accountant, world.admin):
        body = login(viewer).get(reverse("crm:customer_detail", args=[world.c_rep.pk])).content.decode()
        assert "13812345678" not in body and "138****5678" in body
    assert "13812345678" in login(world.rep).get(reverse("crm:customer_detail", args=[world.c_rep.pk])).content.decode()
