"""Customer import from Excel/CSV: upload → column mapping → check (every row) → confirm → one transaction.

Rows are validated in Python against prepared look-ups (no query per row) and written in batches inside
one transaction: all or nothing. Row numbers in errors are the sheet's own (header = row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zlib
from collections import Counter
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.audit import events
from salesflow.audit.models import AuditEvent
from salesflow.core.chinese import name_key, pinyin_keys
from salesflow.core.errors import AppError, NotFound, PermissionRefused, ValidationFailed
from salesflow.org.roles import has_capability
from salesflow.org.selectors import assignable_users

from . import error_codes as codes
from .models import IMPORT_FLOW, Contact, Customer, ImportJob, ImportStatus
from .services import region_of
from .validation import Lookups, clean_contact, clean_customer

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
BATCH = 2000
PREVIEW_ROWS = 20
INLINE_CHECK_ROWS = 2000  # bigger files are checked by the task worker while the page polls
MAX_REPORTED_ERRORS = 1000

# Target fields, their label and the header words that map to them automatically.
TARGETS: dict[str, tuple] = {
    "name": (gettext_lazy("Name"), ["客户名称", "名称", "客户", "公司名称", "name", "customer"]),
    "kind": (gettext_lazy("Type"), ["类型", "客户类型", "type", "kind"]),
    "credit_code": (gettext_lazy("Unified social credit code"), ["统一社会信用代码", "信用代码", "credit code", "uscc"]),
    "province": (gettext_lazy("Province"), ["省份", "省", "province"]),
    "city": (gettext_lazy("City"), ["城市", "市", "city"]),
    "address": (gettext_lazy("Address"), ["地址", "详细地址", "address"]),
    "region": (gettext_lazy("Region"), ["大区", "区域", "region"]),
    "industry": (gettext_lazy("Industry"), ["行业", "industry"]),
    "source": (gettext_lazy("Source channel"), ["来源", "来源渠道", "source", "channel"]),
    "group": (gettext_lazy("Customer group"), ["客户分组", "分组", "客户组", "group"]),
    "value_type": (gettext_lazy("Value type"), ["价值类型", "value type"]),
    "tier": (gettext_lazy("Tier"), ["等级", "客户等级", "tier", "level"]),
    "credit_limit": (gettext_lazy("Credit limit"), ["信用额度", "额度", "credit limit"]),
    "owner": (gettext_lazy("Owner (user name)"), ["负责人", "所属销售", "业务员", "owner"]),
    "contact_name": (gettext_lazy("Contact name"), ["联系人", "联系人姓名", "contact", "contact name"]),
    "contact_position": (gettext_lazy("Contact position"), ["职务", "职位", "position"]),
    "contact_phone": (gettext_lazy("Contact phone"), ["电话", "手机", "联系电话", "phone", "mobile"]),
    "notes": (gettext_lazy("Notes"), ["备注", "notes", "remark"]),
}
CUSTOMER_KEYS = [k for k in TARGETS if not k.startswith("contact_") and k != "owner"]


class ImportFileError(AppError):
    def __init__(self, message):
        super().__init__(codes.IMPORT_FILE_INVALID, message, fields={"file": [message]})


def read_rows(file_name: str, content: bytes) -> list[list]:
    """The sheet's rows as lists of cell values (first sheet of a workbook; CSV in UTF-8 or GBK)."""
    lower = file_name.lower()
    if not content:
        raise ImportFileError(_("The file is empty."))
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK encoded."))
        try:
            return [row for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise ImportFileError(_("The CSV file cannot be read: {error}").format(error=exc)) from None
    if lower.endswith((".xlsx", ".xls", ".xlsm", ".ods")):
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            sheet = workbook.get_sheet_by_index(0)
            return sheet.to_python(skip_empty_area=False)
        except Exception:  # calamine raises several error types for a damaged workbook
            raise ImportFileError(_("The file is not a readable Excel workbook.")) from None
    raise ImportFileError(_("Upload an .xlsx, .xls or .csv file."))


def suggest_mapping(headers: list[str]) -> dict[str, int]:
    mapping = {}
    normalised = [str(h or "").strip().lower() for h in headers]
    for key, (_label, words) in TARGETS.items():
        for index, header in enumerate(normalised):
            if header in words and index not in mapping.values():
                mapping[key] = index
                break
    return mapping


def import_upload(*, by, file_name: str, content: bytes) -> ImportJob:
    if not has_capability(by, "customer.import"):
        raise PermissionRefused()
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than 50 MB."))
    rows = read_rows(file_name, content)
    rows = [r for r in rows if any(str(c).strip() for c in r if c is not None)]
    if len(rows) < 2:
        raise ImportFileError(_("The file has no data rows under its header row."))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(_("The file has more than {n} rows.").format(n=MAX_ROWS))
    headers = [str(h or "").strip() for h in rows[0]]
    job = ImportJob.objects.create(created_by=by, file_name=file_name[:255], content=content, headers=headers,
                                   mapping=suggest_mapping(headers), total_rows=len(rows) - 1)
    return job


def import_get(*, by, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id, created_by=by).defer("content", "payload").first()
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def _parse_mapping(mapping: dict, headers: list[str]) -> dict[str, int]:
    clean, errors = {}, {}
    for key, value in mapping.items():
        if key not in TARGETS or value in (None, "", -1, "-1"):
            continue
        try:
            index = int(value)
        except (TypeError, ValueError):
            errors[key] = [_("Choose a column.")]
            continue
        if not 0 <= index < len(headers):
            errors[key] = [_("Choose a column.")]
        clean[key] = index
    if "name" not in clean:
        errors["name"] = [_("Map a column to the customer name.")]
    if errors:
        raise ValidationFailed(errors, code=codes.IMPORT_MAPPING_INVALID)
    return clean


def validate_rows(*, by, rows: list[list], mapping: dict[str, int]):
    """Check every row; returns (valid row payloads, errors, warnings). Errors name sheet rows (header = 1)."""
    lookups = Lookups.load()
    owners = {}
    for u in assignable_users(user=by):
        owners[u.username.lower()] = u
        if u.name:
            owners.setdefault(u.name.lower(), u)
    payloads, errors, warnings = [], [], []
    codes_in_file: Counter = Counter()

    def cell(row, key):
        index = mapping.get(key)
        if index is None or index >= len(row):
            return ""
        return row[index]

    for offset, row in enumerate(rows):
        sheet_row = offset + 2
        data = {key: cell(row, key) for key in CUSTOMER_KEYS}
        cleaned, row_errors = clean_customer(data, lookups)
        owner_raw = str(cell(row, "owner") or "").strip()
        owner = owners.get(owner_raw.lower()) if owner_raw else by
        if owner is None:
            row_errors["owner"] = [_("Unknown user, or not one you may assign customers to.")]
        contact = None
        if any(str(cell(row, k) or "").strip() for k in ("contact_name", "contact_phone", "contact_position")):
            contact, c_errors = clean_contact({"name": cell(row, "contact_name"), "phone": cell(row, "contact_phone"),
                                               "position": cell(row, "contact_position"), "is_primary": True})
            row_errors.update({f"contact_{k}": v for k, v in c_errors.items()})
        if cleaned.get("credit_code"):
            codes_in_file[cleaned["credit_code"]] += 1
        for field, messages in row_errors.items():
            label = TARGETS.get(field, (field,))[0]
            for message in messages:
                errors.append({"row": sheet_row, "field": str(label), "message": str(message)})
        payloads.append((sheet_row, cleaned, owner, contact))
    for sheet_row, cleaned, _owner, _contact in payloads:
        code = cleaned.get("credit_code")
        if code and codes_in_file[code] > 1:
            errors.append({"row": sheet_row, "field": str(TARGETS["credit_code"][0]),
                           "message": _("This credit code appears more than once in the file.")})
    # Company-wide duplicates, checked in chunks (one query per 900 values, not per row).
    all_codes = [c for c in codes_in_file if c]
    taken = set()
    for i in range(0, len(all_codes), 900):
        taken.update(Customer.objects.filter(credit_code__in=all_codes[i:i + 900]).values_list("credit_code", flat=True))
    keys = {name_key(c["name"]): r for r, c, _o, _c in payloads if c.get("name")}
    existing_keys = set()
    key_list = list(keys)
    for i in range(0, len(key_list), 900):
        existing_keys.update(Customer.objects.filter(name_key__in=key_list[i:i + 900]).values_list("name_key", flat=True))
    phones = {c["phone_digits"]: r for r, _cl, _o, c in payloads if c and c.get("phone_digits")}
    phone_list = list(phones)
    existing_phones = set()
    for i in range(0, len(phone_list), 900):
        existing_phones.update(
            Contact.objects.filter(phone_digits__in=phone_list[i:i + 900]).values_list("phone_digits", flat=True))
    for sheet_row, cleaned, _owner, contact in payloads:
        if cleaned.get("credit_code") in taken:
            errors.append({"row": sheet_row, "field": str(TARGETS["credit_code"][0]),
                           "message": _("Another customer already has this credit code.")})
        if cleaned.get("name") and name_key(cleaned["name"]) in existing_keys:
            warnings.append({"row": sheet_row, "message": _("A customer with a near-identical name already exists.")})
        if contact and contact.get("phone_digits") in existing_phones:
            warnings.append({"row": sheet_row, "message": _("A customer with this phone number already exists.")})
    errors.sort(key=lambda e: e["row"])
    return payloads, errors, warnings


def _job_for_update(by, job_id: int) -> ImportJob:
    job = ImportJob.objects.select_for_update().filter(pk=job_id, created_by=by).first()
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def _data_rows(job: ImportJob) -> list[list]:
    rows = [r for r in read_rows(job.file_name, bytes(job.content)) if any(str(c).strip() for c in r if c is not None)]
    return rows[1:]


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _pack(payloads) -> bytes:
    """The checked rows, with their search keys, so the write needs no second validation pass."""
    packed = []
    for sheet_row, cleaned, owner, contact in payloads:
        values = {key: _plain(value) for key, value in cleaned.items()}
        values["name_initials"], values["name_pinyin"] = pinyin_keys(cleaned["name"])
        values["name_key"] = name_key(cleaned["name"])
        packed.append([sheet_row, values, owner.pk, contact])
    return zlib.compress(json.dumps(packed, ensure_ascii=False).encode(), 3)


@transaction.atomic
def import_check(*, by, job_id: int, mapping: dict) -> ImportJob:
    """Apply a column mapping and check every row; nothing is written to the customer files.
    Small files are checked at once; big ones by the task worker (the page shows progress)."""
    from .tasks import check_customer_import

    job = _job_for_update(by, job_id)
    if job.status in (ImportStatus.VALIDATED, ImportStatus.INVALID):
        job.status = IMPORT_FLOW.next(job.status, "remap")
    job.mapping = _parse_mapping(mapping, job.headers)
    job.status = IMPORT_FLOW.next(job.status, "check")
    job.payload = b""
    job.save(update_fields=["mapping", "status", "payload"])
    if job.total_rows <= INLINE_CHECK_ROWS:
        return import_run_check(job.pk)
    transaction.on_commit(lambda: check_customer_import.enqueue(job.pk))
    return job


def import_run_check(job_id: int) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("created_by").filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.CHECKING:
            return job
        payloads, errors, warnings = validate_rows(by=job.created_by, rows=_data_rows(job), mapping=job.mapping)
        job.errors = errors[:MAX_REPORTED_ERRORS]
        job.warnings = warnings[:MAX_REPORTED_ERRORS]
        job.preview = [
            {"row": r, "name": c.get("name", ""), "credit_code": c.get("credit_code", ""),
             "owner": getattr(o, "username", ""), "contact": (ct or {}).get("name", ""),
             "phone": (ct or {}).get("phone", "")}
            for r, c, o, ct in payloads[:PREVIEW_ROWS]
        ]
        job.payload = b"" if errors else _pack(payloads)
        job.status = IMPORT_FLOW.next(job.status, "validate_bad" if errors else "validate_ok")
        job.message = _("{n} errors found; fix the file and upload it again.").format(n=len(errors)) if errors else ""
        job.save()
    return job


@transaction.atomic
def import_cancel(*, by, job_id: int) -> ImportJob:
    job = _job_for_update(by, job_id)
    job.status = IMPORT_FLOW.next(job.status, "cancel")
    job.content = job.payload = b""
    job.save(update_fields=["status", "content", "payload"])
    return job


def import_confirm(*, by, job_id: int) -> ImportJob:
    """Queue the write; the task runs the whole file in one transaction."""
    from .tasks import run_customer_import

    with transaction.atomic():
        job = _job_for_update(by, job_id)
        job.status = IMPORT_FLOW.next(job.status, "confirm")
        job.save(update_fields=["status"])
        transaction.on_commit(lambda: run_customer_import.enqueue(job.pk))
    return job


def import_execute(job_id: int) -> ImportJob:
    """Write a confirmed import in one transaction (all or nothing).
    Safe to run twice (two workers): the row lock and the status transition let only one proceed."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return job
        job.status = IMPORT_FLOW.next(job.status, "start")
        job.save(update_fields=["status"])
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().select_related("created_by").get(pk=job_id)
            created = write_rows(by=job.created_by, job=job)
            job.status = IMPORT_FLOW.next(job.status, "finish")
            job.created_count = created
            job.finished_at = timezone.now()
            job.content = job.payload = b""
            job.save()
    except AppError as exc:
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, message=str(exc.message),
                                                   finished_at=timezone.now())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # SQLite keeps no statistics by itself: without them it picks slow plans for scoped lists.
            cursor.execute("ANALYZE")
    return ImportJob.objects.defer("content", "payload").get(pk=job_id)


def write_rows(*, by, job: ImportJob) -> int:
    """Insert the rows the check accepted. Only what the database may have changed since the check is
    looked at again (credit codes taken meanwhile, owners still active); the unique constraint stays the
    last guard."""
    packed = json.loads(zlib.decompress(bytes(job.payload))) if job.payload else []
    if not packed:
        raise AppError(codes.IMPORT_NOT_READY, _("The file has not been checked; check it again."))
    codes_wanted = [v["credit_code"] for _r, v, _o, _c in packed if v.get("credit_code")]
    taken = set()
    for i in range(0, len(codes_wanted), 900):
        taken.update(Customer.objects.filter(credit_code__in=codes_wanted[i:i + 900]).exclude(credit_code="")
                     .values_list("credit_code", flat=True))
    if taken:
        rows = sorted(r for r, v, _o, _c in packed if v.get("credit_code") in taken)
        raise ValidationFailed(
            {"credit_code": [_("Row {row}: another customer already has this credit code.").format(row=r)
                             for r in rows[:20]]},
            message=_("Since the check, other customers took {n} of these credit codes; nothing was imported.")
            .format(n=len(rows)), code=codes.IMPORT_ROWS_INVALID)
    owners = {u.pk: u for u in assignable_users(user=by)}
    missing = sorted({o for _r, _v, o, _c in packed if o not in owners})
    if missing:
        raise ValidationFailed({"owner": [_("An owner is no longer active.")]},
                               message=_("An owner in the file is no longer active; nothing was imported."),
                               code=codes.IMPORT_ROWS_INVALID)
    return bulk_insert(by=by, rows=packed, owners=owners, note=job.file_name)


def bulk_insert(*, by, rows, owners: dict, note: str = "") -> int:
    """Insert checked rows: customers, their contacts and one audit event per customer (as plain rows)."""
    from salesflow.core.bulk import insert_dicts

    regions: dict = {}
    ip = events.current_ip()
    customers, contacts = [], []
    for _row, values, owner_id, contact in rows:
        owner = owners[owner_id]
        values = dict(values)
        values["credit_limit"] = Decimal(values["credit_limit"])
        if values.get("collected_on"):
            values["collected_on"] = dt.date.fromisoformat(values["collected_on"])
        values["region_id"] = values.pop("region")
        values["group_id"] = values.pop("group")
        if values["region_id"] is None and owner.unit_id:
            if owner.unit_id not in regions:
                region = region_of(owner.unit)
                regions[owner.unit_id] = region.pk if region else None
            values["region_id"] = regions[owner.unit_id]
        values.update(owner_id=owner.pk, unit_id=owner.unit_id, created_by_id=by.pk)
        customers.append(values)
        contacts.append(contact)
    ids = insert_dicts(Customer, customers)
    insert_dicts(Contact, [{**contact, "customer_id": pk} for pk, contact in zip(ids, contacts, strict=True)
                           if contact])
    insert_dicts(AuditEvent, [
        {"actor_id": by.pk, "actor_name": by.username, "ip": ip, "action": "customer.imported",
         "object_type": "crm.customer", "object_id": str(pk), "object_repr": c["name"][:255], "customer_id": pk,
         "note": note, "after": {"owner": c["owner_id"]}}
        for pk, c in zip(ids, customers, strict=True)])
    events.record(by=by, action="customer.import_finished", object_type="crm.importjob", object_repr=note,
                  after={"created": len(customers)})
    return len(customers)
