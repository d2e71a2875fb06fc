"""Customer import (upload → mapping → check → confirm, all or nothing) and the Excel export."""

import io

import openpyxl
import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import AppError, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.statemachine import InvalidTransition
from salesflow.crm.exports import export_customers, safe_cell
from salesflow.crm.imports import CUSTOMER_IMPORT_KIND
from salesflow.crm.models import Contact, Customer
from salesflow.crm.selectors import customer_list
from salesflow.imports import selectors
from salesflow.imports import services as imports
from salesflow.imports.models import ImportJob, ImportStatus

from ..conftest import fresh
from ..factories import CustomerFactory, credit_code

CUSTOMERS = CUSTOMER_IMPORT_KIND
HEADER = ["客户名称", "统一社会信用代码", "联系人", "电话", "等级", "信用额度", "负责人", "备注"]


def good_rows(org):
    return [
        ["温州正泰五金有限公司", credit_code(501), "周经理", "13500001111", "A", "200000", "rep", "老客户"],
        ["嘉兴丰收纺织有限公司", credit_code(502), "钱会计", "0573-82345678", "B", "1,000.50", "rep_b", ""],
        ["湖州太湖茶业有限公司", "", "", "", "", "", "", ""],
    ]


def csv_bytes(rows, encoding="utf-8"):
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload_and_check(by, name, content):
    job = imports.import_upload(kind=CUSTOMERS, by=fresh(by), file_name=name, content=content)
    return imports.import_check(kind=CUSTOMERS, by=fresh(by), job_id=job.pk, mapping=job.mapping)


@pytest.mark.parametrize("name, encode", [
    ("客户.csv", lambda rows: csv_bytes(rows, "utf-8")),
    ("客户-bom.csv", lambda rows: csv_bytes(rows, "utf-8-sig")),
    ("客户-gbk.csv", lambda rows: csv_bytes(rows, "gbk")),
    ("客户.xlsx", xlsx_bytes),
])
def test_upload_suggests_mapping_and_check_passes(org, name, encode):
    before = Customer.objects.count()
    job = imports.import_upload(kind=CUSTOMERS, by=fresh(org.supervisor), file_name=name, content=encode([HEADER, *good_rows(org)]))
    assert job.status == ImportStatus.UPLOADED and job.total_rows == 3
    assert job.headers == HEADER
    assert job.mapping == {"name": 0, "credit_code": 1, "contact_name": 2, "contact_phone": 3, "tier": 4,
                           "credit_limit": 5, "owner": 6, "notes": 7}
    job = imports.import_check(kind=CUSTOMERS, by=fresh(org.supervisor), job_id=job.pk, mapping=job.mapping)
    assert job.errors == [] and job.status == ImportStatus.VALIDATED
    assert [p["name"] for p in job.preview] == [r[0] for r in good_rows(org)]
    assert Customer.objects.count() == before  # a check writes nothing


def test_row_errors_use_sheet_row_numbers(org):
    rows = [HEADER, *good_rows(org)]
    rows[2][1] = "91310000000000000X"   # sheet row 3: bad check digit
    rows[3][5] = "-5"                   # sheet row 4: negative credit limit
    rows.append(["", "", "", "12345", "Z", "", "nobody", ""])  # sheet row 5: no name, bad phone, tier, owner
    job = upload_and_check(org.supervisor, "errors.xlsx", xlsx_bytes(rows))
    assert job.status == ImportStatus.INVALID
    by_row = {}
    for e in job.errors:
        by_row.setdefault(e["row"], set()).add(e["field"])
    assert 2 not in by_row
    assert by_row[3] == {"Unified social credit code"}
    assert by_row[4] == {"Credit limit"}
    assert {"Name", "Tier", "Owner (user name)"} <= by_row[5]
    assert any("phone" in f.lower() for f in by_row[5])
    assert job.message


def test_owner_outside_scope_is_a_row_error(org):
    rows = [HEADER, ["外区客户有限公司", "", "", "", "", "", "rep2", ""]]
    job = upload_and_check(org.supervisor, "scope.csv", csv_bytes(rows))
    assert [(e["row"], e["field"]) for e in job.errors] == [(2, "Owner (user name)")]


def test_duplicates_within_file_and_against_database(org):
    code = credit_code(777)
    rows = [HEADER,
            ["甲公司有限公司", code, "", "", "", "", "", ""],
            ["乙公司有限公司", code, "", "", "", "", "", ""],
            ["丙公司有限公司", org.cust_rep.credit_code, "", "", "", "", "", ""],
            ["上海星辰机械股份有限公司", "", "某人", "13812345678", "", "", "", ""]]
    job = upload_and_check(org.supervisor, "dups.csv", csv_bytes(rows))
    errors = {(e["row"], e["message"]) for e in job.errors}
    assert (2, "This credit code appears more than once in the file.") in errors
    assert (3, "This credit code appears more than once in the file.") in errors
    assert (4, "Another customer already has this credit code.") in errors
    warned = {w["row"] for w in job.warnings}
    assert 5 in warned  # same normalised name and same phone as an existing customer
    assert len([w for w in job.warnings if w["row"] == 5]) == 2


@pytest.mark.parametrize("name, content", [
    ("garbage.xlsx", b"\x00\x01not really a workbook" * 20),
    ("empty.csv", b""),
    ("客户.pdf", b"%PDF-1.4 hello"),
    ("header-only.csv", "客户名称,电话\n".encode()),
    ("latin.csv", b"\xff\xfe\xfa\xfb" * 10),
])
def test_invalid_file_refused_and_nothing_written(org, name, content):
    jobs, customers = ImportJob.objects.count(), Customer.objects.count()
    with pytest.raises(AppError) as exc:
        imports.import_upload(kind=CUSTOMERS, by=fresh(org.supervisor), file_name=name, content=content)
    assert exc.value.code == "import_file_invalid" and exc.value.status == 400
    assert "file" in exc.value.fields and str(exc.value.message)
    assert ImportJob.objects.count() == jobs and Customer.objects.count() == customers


def test_mapping_without_name_refused(org):
    job = imports.import_upload(kind=CUSTOMERS, by=fresh(org.supervisor), file_name="a.csv", content=csv_bytes([HEADER, *good_rows(org)]))
    with pytest.raises(ValidationFailed) as exc:
        imports.import_check(kind=CUSTOMERS, by=fresh(org.supervisor), job_id=job.pk, mapping={"credit_code": 1})
    assert exc.value.code == "import_mapping_invalid"
    with pytest.raises(ValidationFailed):
        imports.import_check(kind=CUSTOMERS, by=fresh(org.supervisor), job_id=job.pk, mapping={"name": 99})


def test_cancel_writes_nothing_and_blocks_confirm(org, django_capture_on_commit_callbacks):
    job = upload_and_check(org.supervisor, "a.csv", csv_bytes([HEADER, *good_rows(org)]))
    count = Customer.objects.count()
    job = imports.import_cancel(kind=CUSTOMERS, by=fresh(org.supervisor), job_id=job.pk)
    assert job.status == ImportStatus.CANCELLED
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == b""
    with pytest.raises(InvalidTransition), django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(kind=CUSTOMERS, by=fresh(org.supervisor), job_id=job.pk)
    assert Customer.objects.count() == count


def test_import_belongs_to_its_uploader(org):
    job = imports.import_upload(kind=CUSTOMERS, by=fresh(org.supervisor), file_name="a.csv", content=csv_bytes([HEADER, *good_rows(org)]))
    with pytest.raises(NotFound):
        selectors.import_get(kind=CUSTOMERS, by=fresh(org.manager), job_id=job.pk)
    with pytest.raises(NotFound):
        imports.import_check(kind=CUSTOMERS, by=fresh(org.manager), job_id=job.pk, mapping=job.mapping)


@pytest.mark.parametrize("role", ["finance", "planner", "gm"])
def test_import_capability(org, role):
    with pytest.raises(PermissionRefused):
        imports.import_upload(kind=CUSTOMERS, by=fresh(getattr(org, role)), file_name="a.csv",
                              content=csv_bytes([HEADER, *good_rows(org)]))


def test_confirm_writes_rows_contacts_and_audit(org, django_capture_on_commit_callbacks):
    job = upload_and_check(org.supervisor, "客户.xlsx", xlsx_bytes([HEADER, *good_rows(org)]))
    before = Customer.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(kind=CUSTOMERS, by=fresh(org.supervisor), job_id=job.pk)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportStatus.DONE and job.created_count == 3 and job.finished_at
    assert Customer.objects.count() == before + 3
    a = Customer.objects.get(name="温州正泰五金有限公司")
    assert a.owner == org.rep and a.unit == org.east_team and a.region == org.east
    assert a.tier == "A" and str(a.credit_limit) == "200000.00" and a.name_initials == "wzztwjyxgs"
    assert a.created_by == org.supervisor and a.notes == "老客户"
    b = Customer.objects.get(name="嘉兴丰收纺织有限公司")
    assert b.owner == org.rep_b and str(b.credit_limit) == "1000.50"
    assert b.contacts.get().phone == "0573-82345678" and b.contacts.get().is_primary
    c = Customer.objects.get(name="湖州太湖茶业有限公司")
    assert c.owner == org.supervisor and not c.contacts.exists()
    assert Contact.objects.filter(customer__in=[a, b, c]).count() == 2
    assert AuditEvent.objects.filter(action="customer.imported", customer_id__in=[a.pk, b.pk, c.pk]).count() == 3
    assert AuditEvent.objects.filter(action="customer.import_finished").get().after == {"created": 3}
    # Searchable like any other customer.
    assert [x.name for x in customer_list(user=fresh(org.rep))
            if x.name == "温州正泰五金有限公司"] == ["温州正泰五金有限公司"]


def test_invalid_job_cannot_be_confirmed(org, django_capture_on_commit_callbacks):
    rows = [HEADER, *good_rows(org), ["", "", "", "", "", "", "", ""] + ["x"]]
    rows[2][5] = "abc"
    job = upload_and_check(org.supervisor, "bad.csv", csv_bytes(rows))
    assert job.status == ImportStatus.INVALID
    before = Customer.objects.count()
    with pytest.raises(InvalidTransition), django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(kind=CUSTOMERS, by=fresh(org.supervisor), job_id=job.pk)
    assert Customer.objects.count() == before


def test_one_bad_row_at_write_time_writes_nothing(org, django_capture_on_commit_callbacks):
    """The file checked clean, but before it runs someone takes row 3's credit code: nothing is written."""
    job = upload_and_check(org.supervisor, "late.csv", csv_bytes([HEADER, *good_rows(org)]))
    assert job.status == ImportStatus.VALIDATED
    CustomerFactory(name="抢先登记的公司", owner=org.rep3, credit_code=credit_code(502))
    before, contacts, events = Customer.objects.count(), Contact.objects.count(), AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(kind=CUSTOMERS, by=fresh(org.supervisor), job_id=job.pk)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportStatus.FAILED and job.created_count == 0 and job.message
    assert Customer.objects.count() == before
    assert Contact.objects.count() == contacts
    assert not AuditEvent.objects.filter(action__startswith="customer.import").exists()
    assert AuditEvent.objects.count() == events


def test_execute_twice_imports_once(org, django_capture_on_commit_callbacks):
    job = upload_and_check(org.supervisor, "a.csv", csv_bytes([HEADER, *good_rows(org)]))
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(kind=CUSTOMERS, by=fresh(org.supervisor), job_id=job.pk)
    count = Customer.objects.count()
    imports.import_execute(job.pk)
    assert Customer.objects.count() == count


# --- export ----------------------------------------------------------------------------------------------

def read_export(user):
    user = fresh(user)
    out = export_customers(user=user, queryset=customer_list(user=user))
    ws = openpyxl.load_workbook(out).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_export_contains_only_visible_customers(org):
    header, rows = read_export(org.rep)
    assert [r[0] for r in rows] == [org.cust_rep.name]
    header, rows = read_export(org.supervisor)
    assert {r[0] for r in rows} == {org.cust_rep.name, org.cust_rep_b.name}
    header, rows = read_export(org.director)
    assert len(rows) == 4


def test_export_masks_phones_for_non_owners(org):
    header, rows = read_export(org.rep)
    phone_col = header.index("Contact phone")
    assert rows[0][phone_col] == "13812345678"
    header, rows = read_export(org.supervisor)
    by_name = {r[0]: r[phone_col] for r in rows}
    assert by_name[org.cust_rep.name] == "138****5678"
    assert by_name[org.cust_rep_b.name] == "139****1111"


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                                  "＝1+1"])
def test_export_neutralises_formulas(org, evil):
    CustomerFactory(name=evil, owner=org.rep, city=evil)
    header, rows = read_export(org.rep)
    row = next(r for r in rows if r[0] == "'" + evil)
    assert row[header.index("City")] == "'" + evil


def test_safe_cell_leaves_numbers_and_plain_text():
    assert safe_cell(-5) == -5
    assert safe_cell("上海") == "上海"
    assert safe_cell("=1") == "'=1"


def test_big_file_is_checked_by_the_task_worker_and_nothing_is_written_before_confirm(
        org, monkeypatch, django_capture_on_commit_callbacks):
    from salesflow.imports.models import ImportJob, ImportStatus

    monkeypatch.setattr(imports, "INLINE_CHECK_ROWS", 1)
    content = "客户名称,联系人,电话\n宁海第一贸易有限公司,甲,13611112222\n宁海第二贸易有限公司,乙,13611113333\n"
    job = imports.import_upload(kind=CUSTOMERS, by=fresh(org.rep), file_name="big.csv", content=content.encode())
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_check(kind=CUSTOMERS, by=fresh(org.rep), job_id=job.pk, mapping=job.mapping)
        assert job.status == ImportStatus.CHECKING
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportStatus.VALIDATED and job.payload
    assert not Customer.objects.filter(name__startswith="宁海").exists()
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(kind=CUSTOMERS, by=fresh(org.rep), job_id=job.pk)
    assert Customer.objects.filter(name__startswith="宁海", owner=org.rep).count() == 2
    assert not ImportJob.objects.get(pk=job.pk).payload  # the checked rows are dropped once written
