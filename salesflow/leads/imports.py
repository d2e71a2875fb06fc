"""The lead import (issue #4): leads' handler in the import framework (salesflow/imports), registered in
LeadsConfig.ready.

Here: the fields a column can map to, the check of each row (the lead form's own validator, plus amounts such as
"1.2万" and the choice labels of an Excel sheet), the duplicates — against leads, customers and earlier rows of the
same file — and which rows to write. The write itself is leads.services.lead_create_many: scoring by the lead
scoring rules, owners by the importer's role and the chosen assignment mode, one audit row for the import.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz

from salesflow.core.chinese import mask_phone, name_key
from salesflow.core.errors import ValidationFailed
from salesflow.core.parsers import parse_choice, parse_field, text
from salesflow.crm.choices import SourceChannel
from salesflow.crm.models import Contact, Customer
from salesflow.crm.services import NEAR_NAME_SCORE
from salesflow.imports.handlers import (
    MAX_REPORTED_ERRORS,
    PREVIEW_ROWS,
    CheckResult,
    ImportHandler,
    WriteResult,
    columns_of,
    options_of,
    row_errors,
    values_in,
)
from salesflow.org.heads import whom_to_ask
from salesflow.org.models import UnitKind
from salesflow.org.selectors import assignable_users

from . import services
from .models import Lead, LeadStatus, Level

LEAD_IMPORT_KIND = "leads"  # stored on the jobs (ImportJob.kind): never changes once used

TARGETS: dict[str, tuple] = {
    "name": (gettext_lazy("Company / name"),
             ["名称", "公司名称", "企业名称", "客户名称", "单位名称", "公司", "客户", "name", "company"]),
    "contact_name": (gettext_lazy("Contact name"), ["联系人", "联系人姓名", "姓名", "contact", "contact name"]),
    "phone": (gettext_lazy("Phone"), ["电话", "手机", "手机号", "手机号码", "联系电话", "联系方式", "phone", "mobile"]),
    "credit_code": (gettext_lazy("Unified social credit code"), ["统一社会信用代码", "信用代码", "credit code", "uscc"]),
    "province": (gettext_lazy("Province"), ["省份", "省", "province"]),
    "city": (gettext_lazy("City"), ["城市", "市", "city"]),
    "industry": (gettext_lazy("Industry"), ["行业", "所属行业", "industry"]),
    "channel": (gettext_lazy("Source channel"), ["来源", "来源渠道", "渠道", "source", "channel"]),
    "campaign": (gettext_lazy("Campaign"), ["活动", "营销活动", "推广活动", "市场活动", "campaign"]),
    "need_notes": (gettext_lazy("What they need"), ["需求", "需求描述", "需求说明", "备注", "need notes", "notes"]),
    "estimated_amount": (gettext_lazy("Estimated amount"),
                         ["预计金额", "预估金额", "意向金额", "金额", "amount", "estimated amount"]),
    "need": (gettext_lazy("Need"), ["需求程度", "需求等级", "need"]),
    "purchasing_power": (gettext_lazy("Purchasing power"), ["购买力", "采购能力", "purchasing power"]),
    "credit": (gettext_lazy("Credit"), ["信用", "信用等级", "信用状况", "credit"]),
}
LEVEL_KEYS = services.LEVEL_FIELDS


class Duplicates:
    SKIP = "skip"  # the default: rows that look like an existing lead or customer are left out
    IMPORT = "import"  # import them anyway (a row with an existing customer's credit code is still left out)
    ALL = (SKIP, IMPORT)


Assign = services.BulkAssign  # who gets the imported leads (the confirm step's choice)


# A row's standing after the duplicate check (kept with the checked rows for the write).
NEW, DUPLICATE, CUSTOMER_CODE = "", "duplicate", "customer_code"


# --- one row --------------------------------------------------------------------------------------------------

def mapping_pairs(mapping: dict[str, int]) -> tuple[tuple[str, int | None], ...]:
    """(target, column index or None) for every target, in a form cheap to read 50,000 times."""
    return tuple((key, mapping.get(key)) for key in TARGETS)


def clean_row(row: list, pairs: tuple, options: dict) -> tuple[dict, dict]:
    """(values, errors by field) of one sheet row (``pairs``: mapping_pairs of the column mapping): the lead
    form's validator (services.clean_lead, whose parsers read a sheet's "1.2万" and Chinese labels too); the
    file-wide channel and campaign fill empty cells."""
    width = len(row)
    data = {key: row[index] if index is not None and index < width else "" for key, index in pairs}
    for key in ("channel", "campaign"):
        if not text(data[key]):
            data[key] = options.get(key, "")
    values, errors = services.clean_lead(data)
    for key in LEVEL_KEYS:
        values[key] = parse_field(errors, key, parse_choice, data[key], fallback=Level.UNKNOWN, choices=Level,
                                  blank=Level.UNKNOWN)
    values["estimated_amount"] = str(values["estimated_amount"])
    values["name_key"] = name_key(values["name"])
    return values, errors


# --- duplicates -----------------------------------------------------------------------------------------------

def _min_length(score: int, gap) -> int:
    """The shortest key for which a pair ``gap(n)`` edits apart still reaches ``score`` (rapidfuzz's ratio is
    100 × (1 − Indel distance / total length))."""
    n = 1
    while 100 * (1 - gap(n)) < score:
        n += 1
    return n


# One character inserted or deleted: keys of n and n + 1 characters, distance 1.
MIN_INDEL = _min_length(NEAR_NAME_SCORE, lambda n: 1 / (2 * n + 1))
# One character changed: two keys of n characters, distance 2.
MIN_CHANGE = _min_length(NEAR_NAME_SCORE, lambda n: 2 / (2 * n))


class NameIndex:
    """Near-identical names for a whole file at once, by crm's rule (the normalised name key, then rapidfuzz's
    ratio ≥ NEAR_NAME_SCORE). Comparing every row with every existing name is out of reach (50,000 × 250,000),
    so candidates come from one-character deletions (as SymSpell does): keys one insertion, deletion or change
    apart share a key or a deletion, and every candidate is then scored. The file's keys are indexed with their
    deletions; an existing key is looked up with its own. Below MIN_INDEL / MIN_CHANGE characters a single edit
    already scores under the threshold, so only equal keys count there. Two or more edits apart scores ≥ 88 only
    for keys of 13 characters or more; those pairs are not looked for."""

    def __init__(self, keys: list[str]):
        self.keys = keys
        self.exact: dict[str, list[int]] = {}
        self.deleted: dict[str, list[int]] = {}
        shortest = min(MIN_INDEL + 1, MIN_CHANGE)
        exact, deleted = self.exact, self.deleted
        for i, key in enumerate(keys):
            n = len(key)
            if n < 2:
                continue
            exact.setdefault(key, []).append(i)
            if n >= shortest:
                for j in range(n):
                    deleted.setdefault(key[:j] + key[j + 1:], []).append(i)

    def near(self, key: str) -> list[int]:
        """Indexes of the keys near-identical to ``key`` (called once per existing name: kept lean)."""
        n = len(key)
        if n < 2:
            return []
        exact, deleted = self.exact, self.deleted
        found = exact.get(key)
        candidates = list(deleted.get(key, ())) if n >= MIN_INDEL else []  # indexed keys one character longer
        if n >= MIN_CHANGE:
            for d in [key[:j] + key[j + 1:] for j in range(n)]:
                candidates += exact.get(d, ())  # indexed keys one character shorter
                candidates += deleted.get(d, ())  # the same length, one character changed
        elif n > MIN_INDEL:
            for j in range(n):
                hit = exact.get(key[:j] + key[j + 1:])
                if hit:
                    candidates += hit
        if not candidates:
            return list(found) if found else []
        keys = self.keys
        near = [i for i in dict.fromkeys(candidates) if keys[i] != key and fuzz.ratio(keys[i], key) >= NEAR_NAME_SCORE]
        return [*found, *near] if found else near


@dataclass(frozen=True)
class Match:
    kind: str  # "customer" | "lead" | "row" (an earlier row of the same file)
    ref: int  # the customer's or lead's id, or the earlier row's sheet row number
    reason: str  # "credit_code" | "phone" | "name"


MAX_MATCHES = 3  # per row, in the preview


RANK = {"credit_code": 0, "phone": 1, "name": 2}  # the strongest reason a row matches a record is the one shown
KIND_ORDER = {"customer": 0, "lead": 1, "row": 2}


def find_duplicates(values: list[dict], sheet_rows: list[int]) -> list[list[Match]]:
    """For each row, what it looks like: customers and leads company-wide (a rep must learn a lead is taken
    even if they cannot see it) and earlier rows of the file — same credit code, same phone, near-identical
    name. Converted leads are left out: their customer stands for them.

    Each table is read once, as a stream of (id, name key, credit code, phone): the name check has to see every
    name anyway, and one pass is cheaper than IN-lists of 50,000 codes and phones (Django prepares each value).
    Nothing is queried per row."""
    found: list[dict[tuple[str, int], str]] = [{} for _ in values]

    def add(i: int, kind: str, ref: int, reason: str) -> None:
        """Keep the MAX_MATCHES strongest matches of a row (a customer's credit code is never crowded out)."""
        row = found[i]
        known = row.get((kind, ref))
        if known is not None:
            if RANK[reason] < RANK[known]:
                row[(kind, ref)] = reason
            return
        if len(row) >= MAX_MATCHES:
            weakest = max(row, key=lambda k: (RANK[row[k]], KIND_ORDER[k[0]]))
            if (RANK[reason], KIND_ORDER[kind]) >= (RANK[row[weakest]], KIND_ORDER[weakest[0]]):
                return
            del row[weakest]
        row[(kind, ref)] = reason

    codes: dict[str, list[int]] = {}
    phones: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        if v["credit_code"]:
            codes.setdefault(v["credit_code"], []).append(i)
        if v["phone_digits"]:
            phones.setdefault(v["phone_digits"], []).append(i)
    index = NameIndex([v["name_key"] for v in values])

    def scan(kind: str, records) -> None:
        near, codes_get, phones_get = index.near, codes.get, phones.get
        for pk, key, code, phone in records:
            if code and (hit := codes_get(code)):
                for i in hit:
                    add(i, kind, pk, "credit_code")
            if phone and (hit := phones_get(phone)):
                for i in hit:
                    add(i, kind, pk, "phone")
            if key and (hit := near(key)):
                for i in hit:
                    add(i, kind, pk, "name")

    chunk = 10_000
    scan("customer", ((pk, key, code, "") for pk, key, code in Customer.objects.values_list(
        "id", "name_key", "credit_code").iterator(chunk_size=chunk)))
    scan("customer", ((pk, "", "", phone) for pk, phone in Contact.objects.exclude(phone_digits="").values_list(
        "customer_id", "phone_digits").iterator(chunk_size=chunk)))
    scan("lead", Lead.objects.exclude(status=LeadStatus.CONVERTED).values_list(
        "id", "name_key", "credit_code", "phone_digits").iterator(chunk_size=chunk))
    for reason, groups in (("credit_code", codes), ("phone", phones)):
        for same in groups.values():
            for i in same[1:]:
                add(i, "row", sheet_rows[same[0]], reason)
    for i, v in enumerate(values):
        earlier = next((j for j in index.near(v["name_key"]) if j < i), None)
        if earlier is not None:
            add(i, "row", sheet_rows[earlier], "name")
    return [sorted((Match(kind, ref, reason) for (kind, ref), reason in row.items()),
                   key=lambda m: (RANK[m.reason], KIND_ORDER[m.kind])) for row in found]


def standing(matches: list[Match]) -> str:
    if any(m.kind == "customer" and m.reason == "credit_code" for m in matches):
        return CUSTOMER_CODE
    return DUPLICATE if matches else NEW


def describe_matches(*, by, rows: list[tuple[int, dict, list[Match]]]) -> list[dict]:
    """The preview's warnings: what each duplicate row matches — the lead's or customer's name and owner, and
    the phone masked unless the importer owns that record (R20). A record outside the importer's scope is told as
    existing, with whom to ask (the head of its unit), never by name, owner or number (issue #15)."""
    lead_ids = {m.ref for _r, _v, ms in rows for m in ms if m.kind == "lead"}
    customer_ids = {m.ref for _r, _v, ms in rows for m in ms if m.kind == "customer"}
    owner = ("owner_id", "owner__name", "owner__username")
    leads = {pk: rest for pk, *rest in values_in(Lead, "pk", lead_ids, fields=("id", "name", *owner, "phone"))}
    customers = {pk: [*rest, ""] for pk, *rest in values_in(Customer, "pk", customer_ids, fields=("id", "name", *owner))}
    hidden: dict[tuple[str, int], int | None] = {}
    for kind, model, ids in (("lead", Lead, lead_ids), ("customer", Customer, customer_ids)):
        visible = {pk for (pk,) in values_in(model, "pk", ids, fields=("id",),
                                             queryset=model.objects.visible_to(by))}
        hidden.update({(kind, pk): unit for pk, unit in values_in(model, "pk", ids - visible,
                                                                  fields=("id", "unit_id"))})
    whom = whom_to_ask(hidden.values())
    primary = Contact.objects.filter(is_primary=True)
    for customer_id, phone in values_in(Contact, "customer_id", customer_ids, fields=("customer_id", "phone"),
                                        queryset=primary):
        customers[customer_id][-1] = phone
    warnings = []
    for sheet_row, values, matches in rows:
        described = []
        for m in matches:
            if m.kind == "row":
                described.append({"kind": "row", "row": m.ref, "reason": m.reason, "name": "", "owner": "",
                                  "phone": ""})
                continue
            name, owner_id, owner_name, username, phone = (leads if m.kind == "lead" else customers).get(
                m.ref, ("", None, "", "", ""))
            if (m.kind, m.ref) in hidden:
                described.append({"kind": m.kind, "reason": m.reason, "name": "", "owner": "", "phone": "",
                                  "ask": whom[hidden[(m.kind, m.ref)]]})
                continue
            if m.reason == "phone":
                phone = values["phone"]
            described.append({"kind": m.kind, "id": m.ref, "reason": m.reason, "name": name,
                              "owner": owner_name or username or "",
                              "phone": phone if owner_id == by.pk else mask_phone(phone)})
        warnings.append({"row": sheet_row, "always_skipped": standing(matches) == CUSTOMER_CODE,
                         "matches": described, "message": "; ".join(_describe(d) for d in described)})
    return warnings


def _describe(match: dict) -> str:
    reasons = {"credit_code": _("same credit code"), "phone": _("same phone number"), "name": _("similar name")}
    if match["kind"] == "row":
        return _("row {row} of this file ({reason})").format(row=match["row"], reason=reasons[match["reason"]])
    kinds = {"lead": _("lead"), "customer": _("customer")}
    if match.get("ask"):
        return _("A {kind} outside your scope already exists ({reason}): ask {whom}.").format(
            kind=kinds[match["kind"]], reason=reasons[match["reason"]], whom=match["ask"])
    return _("{kind} {name}, owner {owner} ({reason})").format(
        kind=kinds[match["kind"]], name=match["name"], owner=match["owner"] or _("pool"),
        reason=reasons[match["reason"]])


# --- the handler ----------------------------------------------------------------------------------------------

class LeadImport(ImportHandler):
    kind = LEAD_IMPORT_KIND
    label = gettext_lazy("Leads")
    capability = "lead.import"
    targets = TARGETS
    required = {"name": gettext_lazy("Map a column to the company or name of the lead.")}

    def clean_options(self, *, by, stage, data):
        errors = {}
        if stage == "mapping":
            channel = str(data.get("channel") or "").strip()
            if channel and channel not in SourceChannel.values:
                errors["default_channel"] = [_("Choose a source channel.")]
            campaign = str(data.get("campaign") or "").strip()
            if len(campaign) > 100:
                errors["default_campaign"] = [_("At most {n} characters.").format(n=100)]
            if errors:
                raise ValidationFailed(errors)
            return {"channel": channel, "campaign": campaign}
        duplicates = data.get("duplicates") or Duplicates.SKIP
        if duplicates not in Duplicates.ALL:
            errors["duplicates"] = [_("Choose what to do with the duplicates.")]
        assign, team = Assign.SELF, None
        if Lead.role_allows("assign", by=by):
            assign = data.get("assign") or Assign.POOL
            if assign not in Assign.CHOSEN:
                errors["assign"] = [_("Unknown assignment mode.")]
            if assign == Assign.ROUND_ROBIN:
                team = _int(data.get("team"))
                if team is None or not assignable_users(user=by).filter(
                        unit_id=team, unit__kind=UnitKind.TEAM).exists():
                    errors["team"] = [_("Choose a team.")]
        if errors:
            raise ValidationFailed(errors)
        return {"duplicates": duplicates, "assign": assign, "team": team}

    def check(self, *, job, rows, progress):
        pairs, options = mapping_pairs(columns_of(job)), options_of(job)
        checked, errors = [], []
        for offset, row in enumerate(progress.iterate(rows)):
            values, problems = clean_row(row, pairs, options)
            errors.extend(row_errors(offset + 2, problems, TARGETS))
            checked.append((offset + 2, values))
        if errors:
            return CheckResult(rows=[], errors=errors, preview=_preview(checked[:PREVIEW_ROWS], {}))
        progress.stage(_("Looking for duplicates among the leads, the customers and the file…"))
        matches = find_duplicates([v for _r, v in checked], [r for r, _v in checked])
        flagged = [(r, v, ms) for (r, v), ms in zip(checked, matches, strict=True) if ms]
        always = sum(1 for _r, _v, ms in flagged if standing(ms) == CUSTOMER_CODE)
        warnings = describe_matches(by=job.created_by, rows=flagged[:MAX_REPORTED_ERRORS])
        message = _("{total} rows checked: {new} new, {dups} look like existing leads, customers or earlier rows.") \
            .format(total=len(checked), new=len(checked) - len(flagged), dups=len(flagged))
        if always:
            message += " " + _("{n} have the credit code of an existing customer and are always skipped.").format(
                n=always)
        standings = [standing(ms) for ms in matches]
        # The checked rows as lists under one list of keys: half the JSON of a dict per row, to write and to read.
        keys = list(checked[0][1])
        packed = {"keys": keys, "rows": [[r, state, *(v[k] for k in keys)]
                                         for (r, v), state in zip(checked, standings, strict=True)]}
        return CheckResult(rows=packed, errors=[], warnings=warnings, message=message, preview=_preview(
            checked[:PREVIEW_ROWS], dict(zip([r for r, _v in checked], standings, strict=True))))

    def write(self, *, job, rows, progress):
        keys = rows["keys"]
        rows = [(r, dict(zip(keys, values, strict=True)), state) for r, state, *values in rows["rows"]]
        options = options_of(job)
        duplicates = options.get("duplicates", Duplicates.SKIP)
        skip_duplicates = duplicates != Duplicates.IMPORT
        # A customer registered since the check with one of these credit codes: left out like the others.
        taken = {c for (c,) in values_in(Customer, "credit_code", (v["credit_code"] for _r, v, _s in rows),
                                         fields=("credit_code",))}
        keep = [v for _r, v, state in rows if state != CUSTOMER_CODE and v["credit_code"] not in taken
                and not (state == DUPLICATE and skip_duplicates)]
        skipped = len(rows) - len(keep)
        result = services.lead_create_many(
            by=job.created_by, rows=keep, assign=options.get("assign", Assign.SELF), team_id=options.get("team"),
            source=job, figures={"skipped_duplicates": skipped, "duplicates": duplicates},
            progress=progress.advance)
        message = _("{created} leads imported, {skipped} skipped as duplicates.").format(
            created=result.created, skipped=skipped)
        if result.unrouted:
            message += " " + _("{n} matched no territory rule you may assign by and wait in the pool.").format(
                n=result.unrouted)
        return WriteResult(created=result.created, message=message)


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _preview(checked: list[tuple[int, dict]], standings: dict[int, str]) -> list[dict]:
    return [{"row": r, "name": v["name"], "contact": v["contact_name"], "phone": v["phone"],
             "place": f"{v['province']}{v['city']}", "campaign": v["campaign"],
             "channel": str(SourceChannel(v["channel"]).label) if v["channel"] in SourceChannel.values else "",
             "amount": v["estimated_amount"], "standing": standings.get(r, NEW)} for r, v in checked]
