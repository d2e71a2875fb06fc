"""The customer import: the customer kind of the import framework (salesflow/imports).

Here: the fields a column can map to, the check of every row against prepared look-ups (no query per row), the
duplicates (credit codes company-wide and in the file: errors; near-identical names and phones: warnings) and
the write — customers, their contacts and one audit row per customer, in the import's one transaction.
Registered in CrmConfig.ready.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.audit.events import record_many
from salesflow.core.bulk import insert_dicts
from salesflow.core.chinese import name_key, pinyin_keys
from salesflow.core.errors import ValidationFailed
from salesflow.imports import error_codes as import_codes
from salesflow.imports.handlers import (
    PREVIEW_ROWS,
    CheckResult,
    ImportHandler,
    WriteResult,
    cell,
    columns_of,
    row_errors,
    values_in,
)
from salesflow.imports.models import ImportJob
from salesflow.imports.services import Progress
from salesflow.org.selectors import assignable_users, region_of

from . import events
from .models import Contact, Customer
from .validation import Lookups, clean_contact, clean_customer

CUSTOMER_IMPORT_KIND = "customers"  # stored on the jobs (ImportJob.kind): never changes once used

# --- the columns ------------------------------------------------------------------------------------------------

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
    kind = CUSTOMER_IMPORT_KIND
    label = gettext_lazy("Customers")
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


def write_rows(*, by, job: ImportJob, packed: list) -> int:
    """Insert the rows the check accepted. Only what the database may have changed since the check is
    looked at again (credit codes taken meanwhile, owners still active); the unique constraint stays the
    last guard."""
    taken = {c for (c,) in values_in(Customer, "credit_code", (v.get("credit_code") for _r, v, _o, _c in packed),
                                     fields=("credit_code",))}
    if taken:
        rows = sorted(r for r, v, _o, _c in packed if v.get("credit_code") in taken)
        raise ValidationFailed(
            {"credit_code": [_("Row {row}: another customer already has this credit code.").format(row=r)
                             for r in rows[:20]]},
            message=_("Since the check, other customers took {n} of these credit codes; nothing was imported.")
            .format(n=len(rows)), code=import_codes.IMPORT_ROWS_INVALID)
    owners = {u.pk: u for u in assignable_users(user=by)}
    missing = sorted({o for _r, _v, o, _c in packed if o not in owners})
    if missing:
        raise ValidationFailed({"owner": [_("An owner is no longer active.")]},
                               message=_("An owner in the file is no longer active; nothing was imported."),
                               code=import_codes.IMPORT_ROWS_INVALID)
    return bulk_insert(by=by, rows=packed, owners=owners, job=job)


def bulk_insert(*, by, rows, owners: dict, job: ImportJob) -> int:
    """Insert checked rows: customers, their contacts and one audit event per customer (as plain rows)."""
    regions: dict = {}
    note = job.file_name
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
    record_many(events.CUSTOMER_IMPORTED.row(by=by, object_type="crm.customer", object_id=pk, object_repr=c["name"],
                                             customer_id=pk, note=note, after={"owner": c["owner_id"]})
                for pk, c in zip(ids, customers, strict=True))
    events.CUSTOMER_IMPORT_FINISHED.record(by=by, obj=job, object_repr=note, after={"created": len(customers)})
    return len(customers)
