"""Imports from Excel/CSV: upload → column mapping → check (every row) → confirm → one transaction.

The machinery is shared by every kind of import (customers here, leads in ``salesflow/leads/imports.py``):
reading the file, suggesting the column mapping, the job's state machine, the worker tasks and the progress
count. A kind plugs in an ``ImportHandler``: its target fields, how it checks the rows and how it writes them.

Rows are validated in Python against prepared look-ups (no query per row) and written in batches inside
one transaction: all or nothing. Row numbers in errors are the sheet's own (header = row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DatabaseError, connection, connections, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.audit import events
from salesflow.audit.models import AuditEvent
from salesflow.core.chinese import name_key, pinyin_keys
from salesflow.core.errors import AppError, NotFound, PermissionRefused, ValidationFailed
from salesflow.org.roles import has_capability
from salesflow.org.selectors import assignable_users, region_of

from . import error_codes as codes
from .models import IMPORT_FLOW, Contact, Customer, ImportJob, ImportKind, ImportStatus
from .validation import Lookups, clean_contact, clean_customer

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
BATCH = 2000
PREVIEW_ROWS = 20
INLINE_CHECK_ROWS = 2000  # bigger files are checked by the task worker while the page polls
MAX_REPORTED_ERRORS = 1000
PROGRESS_EVERY = 5000  # rows between two saves of the progress count (one UPDATE each)
RUNNING = (ImportStatus.CHECKING, ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportFileError(AppError):
    def __init__(self, message):
        super().__init__(codes.IMPORT_FILE_INVALID, message, fields={"file": [message]})


# --- what a kind of import plugs in ---------------------------------------------------------------------------

@dataclass
class CheckResult:
    """What a handler's check found: the rows to keep for the write (JSON-serialisable), the errors (which
    block the import), warnings, the first rows for the preview, and a summary line."""

    rows: list | dict
    errors: list[dict]
    warnings: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    message: str = ""


@dataclass
class WriteResult:
    created: int
    message: str = ""


class ImportHandler:
    """One kind of import. Subclasses set the class attributes and implement ``check`` and ``write``."""

    kind: str = ""
    capability: str = ""
    # key → (label, header words that map to it automatically); mapped columns are kept as {key: index}.
    targets: dict[str, tuple] = {}
    # Targets that must be mapped, with the message when one is not.
    required: dict[str, object] = {}

    def clean_options(self, *, by, stage: str, data: dict) -> dict:
        """Settings chosen beside the columns ("mapping") or on the preview ("confirm"); stored in the
        mapping under ``OPTIONS``. Raise ValidationFailed for a bad value."""
        return {}

    def check(self, *, job: ImportJob, rows: list[list], progress: Progress) -> CheckResult:
        raise NotImplementedError

    def write(self, *, job: ImportJob, rows: list | dict, progress: Progress) -> WriteResult:
        """Runs inside the import's one transaction; raise an AppError to refuse (nothing is written)."""
        raise NotImplementedError


OPTIONS = "_options"  # the key of the mapping that holds a handler's options (never a column)
HANDLERS: dict[str, ImportHandler] = {}


def register(handler: ImportHandler) -> None:
    """Called from the app's AppConfig.ready (so the worker knows every kind)."""
    HANDLERS[handler.kind] = handler


def handler_for(kind: str) -> ImportHandler:
    return HANDLERS[kind]


def options_of(job: ImportJob) -> dict:
    return dict(job.mapping.get(OPTIONS) or {})


def columns_of(job: ImportJob) -> dict[str, int]:
    return {k: v for k, v in job.mapping.items() if k != OPTIONS}


def cell(row: list, mapping: dict[str, int], key: str):
    index = mapping.get(key)
    if index is None or index >= len(row):
        return ""
    return row[index]


def row_errors(sheet_row: int, errors: dict, targets: dict) -> list[dict]:
    """A handler's per-field errors of one row as report lines (the field shown by its mapping label)."""
    return [{"row": sheet_row, "field": str(targets.get(key, (key,))[0]), "message": str(message)}
            for key, messages in errors.items() for message in messages]


def values_in(model: type[models.Model], column: str, values: Iterable, *, fields: tuple[str, ...],
              queryset: QuerySet | None = None) -> list[tuple]:
    """Rows whose ``column`` is one of ``values``, read in chunks (one query per 900 values, not per row)."""
    wanted = sorted({v for v in values if v})
    qs = queryset if queryset is not None else model.objects.all()
    found: list[tuple] = []
    for i in range(0, len(wanted), 900):
        found.extend(qs.filter(**{f"{column}__in": wanted[i:i + 900]}).values_list(*fields))
    return found


class Progress:
    """Rows processed so far (``ImportJob.progress``), saved every PROGRESS_EVERY rows where the polling page
    can see them. The check runs outside any transaction, so a plain UPDATE commits at once. The write is one
    transaction: on PostgreSQL the count goes through a second connection (the write does not lock the job
    row until it finishes); SQLite has one writer at a time, so there the count moves when the write commits."""

    def __init__(self, job_id: int, *, in_write: bool = False, every: int | None = None):
        self.job_id = job_id
        self.in_write = in_write
        self.every = every or PROGRESS_EVERY
        self.done = 0
        self._saved = 0
        self._side = None

    def iterate(self, items: Iterable) -> Iterator:
        for item in items:
            yield item
            self.advance(1)

    def advance(self, n: int) -> None:
        self.done += n
        if self.done - self._saved >= self.every:
            self.save()

    def save(self) -> None:
        self._saved = self.done
        if not self.in_write:
            ImportJob.objects.filter(pk=self.job_id).update(progress=self.done)
        elif connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection(connection.alias)
            table = connection.ops.quote_name(ImportJob._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET progress = %s WHERE id = %s",  # noqa: S608 — identifier only
                               [self.done, self.job_id])

    def stage(self, message: str) -> None:
        """What the check is doing once every row is read (e.g. looking for duplicates), shown under the bar."""
        if not self.in_write:
            ImportJob.objects.filter(pk=self.job_id).update(message=message)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


# --- reading the file -----------------------------------------------------------------------------------------

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


def _non_empty(rows: list[list]) -> list[list]:
    return [r for r in rows if any(str(c).strip() for c in r if c is not None)]


def suggest_mapping(headers: list[str], targets: dict[str, tuple] | None = None) -> dict[str, int]:
    mapping = {}
    normalised = [str(h or "").strip().lower() for h in headers]
    for key, (_label, words) in (targets if targets is not None else TARGETS).items():
        for index, header in enumerate(normalised):
            if header in words and index not in mapping.values():
                mapping[key] = index
                break
    return mapping


# --- the job's steps ------------------------------------------------------------------------------------------

def import_upload(*, by, file_name: str, content: bytes, kind: str = ImportKind.CUSTOMERS) -> ImportJob:
    handler = handler_for(kind)
    if not has_capability(by, handler.capability):
        raise PermissionRefused()
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than 50 MB."))
    rows = _non_empty(read_rows(file_name, content))
    if len(rows) < 2:
        raise ImportFileError(_("The file has no data rows under its header row."))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(_("The file has more than {n} rows.").format(n=MAX_ROWS))
    headers = [str(h or "").strip() for h in rows[0]]
    return ImportJob.objects.create(kind=kind, created_by=by, file_name=file_name[:255], content=content,
                                    headers=headers, mapping=suggest_mapping(headers, handler.targets),
                                    total_rows=len(rows) - 1)


def _visible_jobs(by, kind: str) -> QuerySet[ImportJob]:
    """A user's own imports; an administrator sees everybody's."""
    qs = ImportJob.objects.filter(kind=kind)
    return qs if has_capability(by, "import.view_all") else qs.filter(created_by=by)


def import_get(*, by, job_id: int, kind: str = ImportKind.CUSTOMERS) -> ImportJob:
    job = _visible_jobs(by, kind).select_related("created_by").defer("content", "payload").filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def import_history(*, by, kind: str) -> QuerySet[ImportJob]:
    """The import history page: newest first, without the file, the checked rows or the findings."""
    if not has_capability(by, handler_for(kind).capability):
        raise PermissionRefused()
    return (_visible_jobs(by, kind).select_related("created_by")
            .defer("content", "payload", "headers", "mapping", "errors", "warnings", "preview").order_by("-id"))


def _job_for_update(by, job_id: int, kind: str) -> ImportJob:
    """Only the uploader acts on an import (an administrator may look, not act)."""
    job = ImportJob.objects.select_for_update().filter(pk=job_id, created_by=by, kind=kind).first()
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def _parse_mapping(mapping: dict, headers: list[str], handler: ImportHandler) -> dict[str, int]:
    clean, errors = {}, {}
    for key, value in mapping.items():
        if key not in handler.targets or value in (None, "", -1, "-1"):
            continue
        try:
            index = int(value)
        except (TypeError, ValueError):
            errors[key] = [_("Choose a column.")]
            continue
        if not 0 <= index < len(headers):
            errors[key] = [_("Choose a column.")]
        clean[key] = index
    for key, message in handler.required.items():
        if key not in clean:
            errors[key] = [str(message)]
    if errors:
        raise ValidationFailed(errors, code=codes.IMPORT_MAPPING_INVALID)
    return clean


@transaction.atomic
def import_check(*, by, job_id: int, mapping: dict, kind: str = ImportKind.CUSTOMERS,
                 options: dict | None = None) -> ImportJob:
    """Apply a column mapping (and the kind's options) and check every row; nothing is written to the
    business tables. Small files are checked at once; big ones by the task worker (the page shows progress)."""
    from .tasks import check_import

    handler = handler_for(kind)
    job = _job_for_update(by, job_id, kind)
    if job.status in (ImportStatus.VALIDATED, ImportStatus.INVALID):
        job.status = IMPORT_FLOW.next(job.status, "remap")
    columns = _parse_mapping(mapping, job.headers, handler)
    chosen = handler.clean_options(by=by, stage="mapping", data=options or {})
    job.mapping = {**columns, OPTIONS: chosen} if chosen else columns
    job.status = IMPORT_FLOW.next(job.status, "check")
    job.payload = b""
    job.progress = 0
    job.message = ""
    job.save(update_fields=["mapping", "status", "payload", "progress", "message"])
    if job.total_rows <= INLINE_CHECK_ROWS:
        return import_run_check(job.pk)
    transaction.on_commit(lambda: check_import.enqueue(job.pk))
    return job


def _data_rows(job: ImportJob) -> list[list]:
    return _non_empty(read_rows(job.file_name, bytes(job.content)))[1:]


def _compress(rows: list | dict) -> bytes:
    return zlib.compress(json.dumps(rows, ensure_ascii=False).encode(), 3)


def _decompress(payload) -> list | dict:
    return json.loads(zlib.decompress(bytes(payload))) if payload else []


def import_run_check(job_id: int) -> ImportJob | None:
    """The check proper. It reads and validates without holding the job's row lock (the progress count is
    saved as it goes), then stores its findings under the lock if the job is still waiting for them."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id, status=ImportStatus.CHECKING).first()
    if job is None:
        return ImportJob.objects.defer("content", "payload").filter(pk=job_id).first()
    handler = handler_for(job.kind)
    progress = Progress(job.pk)
    result = handler.check(job=job, rows=_data_rows(job), progress=progress)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.CHECKING:
            return job
        job.errors = result.errors[:MAX_REPORTED_ERRORS]
        job.warnings = result.warnings[:MAX_REPORTED_ERRORS]
        job.preview = result.preview
        job.payload = b"" if result.errors else _compress(result.rows)
        job.progress = progress.done
        job.status = IMPORT_FLOW.next(job.status, "validate_bad" if result.errors else "validate_ok")
        job.message = (_("{n} errors found; fix the file and upload it again.").format(n=len(result.errors))
                       if result.errors else result.message)
        job.save()
    return job


@transaction.atomic
def import_cancel(*, by, job_id: int, kind: str = ImportKind.CUSTOMERS) -> ImportJob:
    job = _job_for_update(by, job_id, kind)
    job.status = IMPORT_FLOW.next(job.status, "cancel")
    job.content = job.payload = b""
    job.save(update_fields=["status", "content", "payload"])
    return job


def import_confirm(*, by, job_id: int, kind: str = ImportKind.CUSTOMERS, options: dict | None = None) -> ImportJob:
    """Queue the write; the task runs the whole file in one transaction."""
    from .tasks import run_import

    handler = handler_for(kind)
    with transaction.atomic():
        job = _job_for_update(by, job_id, kind)
        job.status = IMPORT_FLOW.next(job.status, "confirm")
        chosen = handler.clean_options(by=by, stage="confirm", data=options or {})
        if chosen:
            job.mapping = {**job.mapping, OPTIONS: {**options_of(job), **chosen}}
        job.progress = 0
        job.save(update_fields=["status", "mapping", "progress"])
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def import_execute(job_id: int) -> ImportJob | None:
    """Write a confirmed import in one transaction (all or nothing).
    Safe to run twice (two workers): the row lock and the status transition let only one proceed."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return job
        job.status = IMPORT_FLOW.next(job.status, "start")
        job.save(update_fields=["status"])
    progress = Progress(job_id, in_write=True)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # SQLite's default page cache (2 MiB) spills a big transaction's dirty index pages to the WAL and
            # reads them back; an import into tables of 100,000s of rows wants room (this connection only,
            # allocated as used).
            cursor.execute("PRAGMA cache_size = -262144")
    try:
        with transaction.atomic():
            # Not locked: the status transition above made this worker the only writer, and the job row must
            # stay free for the progress count written beside this transaction (see Progress).
            job = ImportJob.objects.select_related("created_by").get(pk=job_id)
            result = handler_for(job.kind).write(job=job, rows=_decompress(job.payload), progress=progress)
            job.status = IMPORT_FLOW.next(job.status, "finish")
            job.created_count = result.created
            job.message = result.message
            job.progress = job.total_rows
            job.finished_at = timezone.now()
            job.content = job.payload = b""
            job.save()
    except AppError as exc:
        _fail(job_id, str(exc.message))
    except (DatabaseError, connection.Database.Error):  # the driver's own error class: COPY runs on its cursor
        logger.exception("import %s failed in the database", job_id)
        _fail(job_id, _("The database refused the write; nothing was imported. Try again later."))
    finally:
        progress.close()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # SQLite keeps no statistics by itself: without them it picks slow plans for scoped lists.
            cursor.execute("ANALYZE")
    return ImportJob.objects.defer("content", "payload").get(pk=job_id)


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, message=message,
                                               finished_at=timezone.now())


# --- customers ------------------------------------------------------------------------------------------------

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


def validate_rows(*, by, rows: list[list], mapping: dict[str, int], progress: Progress | None = None):
    """Check every row; returns (valid row payloads, errors, warnings). Errors name sheet rows (header = 1)."""
    lookups = Lookups.load()
    owners = {}
    for u in assignable_users(user=by):
        owners[u.username.lower()] = u
        if u.name:
            owners.setdefault(u.name.lower(), u)
    payloads, errors, warnings = [], [], []
    codes_in_file: Counter = Counter()

    for offset, row in enumerate(progress.iterate(rows) if progress else rows):
        sheet_row = offset + 2
        data = {key: cell(row, mapping, key) for key in CUSTOMER_KEYS}
        cleaned, problems = clean_customer(data, lookups)
        owner_raw = str(cell(row, mapping, "owner") or "").strip()
        owner = owners.get(owner_raw.lower()) if owner_raw else by
        if owner is None:
            problems["owner"] = [_("Unknown user, or not one you may assign customers to.")]
        contact = None
        if any(str(cell(row, mapping, k) or "").strip() for k in ("contact_name", "contact_phone", "contact_position")):
            contact, c_errors = clean_contact({
                "name": cell(row, mapping, "contact_name"), "phone": cell(row, mapping, "contact_phone"),
                "position": cell(row, mapping, "contact_position"), "is_primary": True})
            problems.update({f"contact_{k}": v for k, v in c_errors.items()})
        if cleaned.get("credit_code"):
            codes_in_file[cleaned["credit_code"]] += 1
        errors.extend(row_errors(sheet_row, problems, TARGETS))
        payloads.append((sheet_row, cleaned, owner, contact))
    for sheet_row, cleaned, _owner, _contact in payloads:
        code = cleaned.get("credit_code")
        if code and codes_in_file[code] > 1:
            errors.append({"row": sheet_row, "field": str(TARGETS["credit_code"][0]),
                           "message": _("This credit code appears more than once in the file.")})
    # Company-wide duplicates, checked in chunks (one query per 900 values, not per row).
    taken = {c for (c,) in values_in(Customer, "credit_code", codes_in_file, fields=("credit_code",))}
    keys = {name_key(c["name"]) for _r, c, _o, _c in payloads if c.get("name")}
    existing_keys = {k for (k,) in values_in(Customer, "name_key", keys, fields=("name_key",))}
    phones = {c["phone_digits"] for _r, _cl, _o, c in payloads if c and c.get("phone_digits")}
    existing_phones = {p for (p,) in values_in(Contact, "phone_digits", phones, fields=("phone_digits",))}
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


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _pack(payloads) -> list:
    """The checked rows, with their search keys, so the write needs no second validation pass."""
    packed = []
    for sheet_row, cleaned, owner, contact in payloads:
        values = {key: _plain(value) for key, value in cleaned.items()}
        values["name_initials"], values["name_pinyin"] = pinyin_keys(cleaned["name"])
        values["name_key"] = name_key(cleaned["name"])
        packed.append([sheet_row, values, owner.pk, contact])
    return packed


class CustomerImport(ImportHandler):
    kind = ImportKind.CUSTOMERS
    capability = "customer.import"
    targets = TARGETS
    required = {"name": gettext_lazy("Map a column to the customer name.")}

    def check(self, *, job, rows, progress):
        payloads, errors, warnings = validate_rows(by=job.created_by, rows=rows, mapping=columns_of(job),
                                                   progress=progress)
        preview = [
            {"row": r, "name": c.get("name", ""), "credit_code": c.get("credit_code", ""),
             "owner": getattr(o, "username", ""), "contact": (ct or {}).get("name", ""),
             "phone": (ct or {}).get("phone", "")}
            for r, c, o, ct in payloads[:PREVIEW_ROWS]
        ]
        return CheckResult(rows=[] if errors else _pack(payloads), errors=errors, warnings=warnings,
                           preview=preview)

    def write(self, *, job, rows, progress):
        created = write_rows(by=job.created_by, job=job, packed=rows)
        return WriteResult(created=created, message=_("%(n)s customers imported.") % {"n": created})


register(CustomerImport())


def write_rows(*, by, job: ImportJob, packed: list | None = None) -> int:
    """Insert the rows the check accepted. Only what the database may have changed since the check is
    looked at again (credit codes taken meanwhile, owners still active); the unique constraint stays the
    last guard."""
    if packed is None:
        packed = _decompress(job.payload)
    if not packed:
        raise AppError(codes.IMPORT_NOT_READY, _("The file has not been checked; check it again."))
    taken = {c for (c,) in values_in(Customer, "credit_code", (v.get("credit_code") for _r, v, _o, _c in packed),
                                     fields=("credit_code",))}
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
