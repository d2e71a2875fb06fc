"""What every lead service shares: the audited fields, validation (clean_lead), the duplicate check, the
scoring, and the lock and move helpers. Who may do what to a lead is declared on the model (``Lead.permits``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from salesflow.audit.events import EventType
from salesflow.core.chinese import name_key
from salesflow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.parsers import (
    ZERO,
    parse_choice,
    parse_credit_code,
    parse_field,
    parse_money,
    parse_phone,
    parse_province,
    text,
)
from salesflow.crm.choices import Industry, SourceChannel
from salesflow.crm.services import NEAR_NAME_SCORE, customer_find_duplicates
from salesflow.org.heads import whom_to_ask
from salesflow.org.models import User
from salesflow.org.roles import Role, has_capability
from salesflow.org.selectors import assignable_users, region_of

from .. import error_codes as codes
from ..models import (
    LEAD_FLOW,
    Assessment,
    Lead,
    LeadScoringRule,
    LeadStatus,
)

AUDITED_FIELDS = ["name", "contact_name", "phone", "credit_code", "province", "city", "industry", "channel",
                  "campaign", "need_notes", "estimated_amount", "status", "owner", "unit"]
TEXT_LIMITS = {"name": 200, "contact_name": 64, "city": 32, "campaign": 100, "need_notes": 4000}
# Reps who can be handed leads by round-robin or territory rules.
WORKING_ROLES = [Role.REP]


# --- validation ----------------------------------------------------------------------------------------

CHOICE_FIELDS = {"industry": Industry, "channel": SourceChannel}


def clean_lead(data: dict) -> tuple[dict, dict]:
    """(cleaned values, errors by field) for a new lead; shared by the pages, the API and the importer (whose
    sheets may spell amounts "1.2万" and choices by their Chinese labels: the parsers read both)."""
    cleaned, errors = {}, {}
    for key, limit in TEXT_LIMITS.items():
        cleaned[key] = text(data.get(key))
        if len(cleaned[key]) > limit:
            errors[key] = [_("At most {n} characters.").format(n=limit)]
    if not cleaned["name"]:
        errors["name"] = [_("This field is required.")]
    cleaned["phone"], cleaned["phone_digits"] = parse_field(errors, "phone", parse_phone, data.get("phone"),
                                                            fallback=("", ""))
    cleaned["credit_code"] = parse_field(errors, "credit_code", parse_credit_code, data.get("credit_code"),
                                         fallback="")
    cleaned["province"] = parse_field(errors, "province", parse_province, data.get("province"),
                                      fallback=text(data.get("province")))
    for key, choices in CHOICE_FIELDS.items():
        cleaned[key] = parse_field(errors, key, parse_choice, data.get(key), fallback=text(data.get(key)),
                                   choices=choices)
    cleaned["estimated_amount"] = parse_field(errors, "estimated_amount", parse_money, data.get("estimated_amount"),
                                              fallback=ZERO)
    return cleaned, errors


# --- duplicates ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeadDuplicate:
    kind: str  # "lead" | "customer"
    id: int
    name: str
    reason: str  # "credit_code" | "phone" | "name"
    # Whom to ask, when the caller may not see the record: then its name is not told (issue #15).
    ask: str = ""

    def describe(self) -> str:
        reasons = {"credit_code": _("same credit code"), "phone": _("same phone number"), "name": _("similar name")}
        kinds = {"lead": _("lead"), "customer": _("customer")}
        if self.ask:
            return _("A {kind} outside your scope already exists ({reason}): ask {whom}.").format(
                kind=kinds[self.kind], reason=reasons[self.reason], whom=self.ask)
        return _("{kind} {name} (reason: {reason})").format(kind=kinds[self.kind], name=self.name, reason=reasons[self.reason])


def lead_find_duplicates(*, name: str, credit_code: str = "", phone_digits: str = "",
                         exclude_id: int | None = None, viewer=None) -> list[LeadDuplicate]:
    """Company-wide, against leads and customer files: same phone, same credit code, near-identical name; with a
    ``viewer``, a lead or customer outside their scope is told as existing, with whom to ask, never by name."""
    found: dict[tuple[str, int], LeadDuplicate] = {}
    base = Lead.objects.exclude(status=LeadStatus.CONVERTED).only("id", "name", "name_key")
    if exclude_id:
        base = base.exclude(pk=exclude_id)
    if credit_code:
        for lead in base.filter(credit_code=credit_code)[:5]:
            found.setdefault(("lead", lead.pk), LeadDuplicate("lead", lead.pk, lead.name, "credit_code"))
    if phone_digits:
        for lead in base.filter(phone_digits=phone_digits)[:5]:
            found.setdefault(("lead", lead.pk), LeadDuplicate("lead", lead.pk, lead.name, "phone"))
    key = name_key(name)
    if len(key) >= 2:
        prefix = key[:2]
        for lead in base.filter(name_key__gte=prefix, name_key__lt=prefix + "\uffff")[:200]:
            if lead.name_key == key or fuzz.ratio(lead.name_key, key) >= NEAR_NAME_SCORE:
                found.setdefault(("lead", lead.pk), LeadDuplicate("lead", lead.pk, lead.name, "name"))
    if viewer is not None and found:
        ids = [pk for _kind, pk in found]
        visible = set(Lead.objects.visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))
        hidden = dict(Lead.objects.filter(pk__in=set(ids) - visible).values_list("pk", "unit_id"))
        whom = whom_to_ask(hidden.values())
        found = {key: dataclasses.replace(d, name="", ask=whom[hidden[d.id]]) if d.id in hidden else d
                 for key, d in found.items()}
    for dup in customer_find_duplicates(name=name, credit_code=credit_code,
                                        phone_digits=[phone_digits] if phone_digits else [], viewer=viewer):
        found.setdefault(("customer", dup.customer_id),
                         LeadDuplicate("customer", dup.customer_id, dup.name, dup.reason, ask=dup.ask))
    return list(found.values())


def _raise_duplicates(duplicates: list[LeadDuplicate]) -> None:
    raise Conflict(
        codes.LEAD_DUPLICATE,
        _("This lead may already exist: {list}. Check it, then confirm to save anyway.").format(
            list="; ".join(d.describe() for d in duplicates)),
        fields={"name": [d.describe() for d in duplicates]},
    )


# --- scoring -------------------------------------------------------------------------------------------

def lead_score(*, need: str, purchasing_power: str, credit: str, rules: dict | None = None) -> int:
    table = rules if rules is not None else scoring_table()
    return sum(table.get((assessment, level), 0) for assessment, level in (
        (Assessment.NEED, need), (Assessment.PURCHASING_POWER, purchasing_power), (Assessment.CREDIT, credit)))


def scoring_table() -> dict[tuple[str, str], int]:
    return {(r.assessment, r.level): r.points for r in LeadScoringRule.objects.all()}


# --- helpers -------------------------------------------------------------------------------------------

def _require(by, capability: str) -> None:
    if not has_capability(by, capability):
        raise PermissionRefused()


def _locked(by, lead_id: int) -> Lead:
    lead = Lead.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=lead_id).first()
    if lead is None:
        raise NotFound(_("Lead not found."))
    return lead


def _move(by, lead: Lead, action: str, *, owner: User | None, note: str = "", event: EventType,
          fields: tuple[str, ...] = ()) -> Lead:
    before = {"status": lead.status, "owner": lead.owner_id, "unit": lead.unit_id}
    lead.status = LEAD_FLOW.next(lead.status, action)
    now = timezone.now()
    if owner is not None:
        lead.owner, lead.unit, lead.assigned_at = owner, owner.unit, now
        lead.region = lead.region or region_of(owner.unit)
    lead.save(update_fields=["status", "owner", "unit", "region", "assigned_at", *fields, "updated_at"])
    event.record(by=by, obj=lead, before=before,
                 after={"status": lead.status, "owner": lead.owner_id, "unit": lead.unit_id}, note=note)
    return lead


def _check_target(by, owner: User) -> None:
    if not owner.is_active or not assignable_users(user=by).filter(pk=owner.pk).exists():
        raise ValidationFailed({"owner": [_("You cannot assign leads to this user.")]},
                               code=codes.LEAD_OWNER_OUT_OF_SCOPE)
