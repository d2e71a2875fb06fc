"""Every change to a lead: check permission, lock, check, write, audit — in one transaction.

Lock order, so two writers never wait on each other in a cycle: the claiming rep's user row, then the lead,
then the team's round-robin cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from salesflow.audit.events import EventType, record_many, snapshot
from salesflow.core.bulk import insert_dicts
from salesflow.core.chinese import name_key
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
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
from salesflow.notifications.services import notify
from salesflow.org.models import OrgUnit, UnitKind, User
from salesflow.org.roles import Role, has_capability
from salesflow.org.selectors import assignable_users, region_of
from salesflow.pool.policies import all_policies, policy_for
from salesflow.pool.scope import pool_unit_ids

from . import error_codes as codes
from . import events
from .models import (
    LEAD_FLOW,
    OPEN_STATUSES,
    Assessment,
    Lead,
    LeadAssignmentRule,
    LeadScoringRule,
    LeadStatus,
    Level,
    RoundRobinCursor,
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

    def describe(self) -> str:
        reasons = {"credit_code": _("same credit code"), "phone": _("same phone number"), "name": _("similar name")}
        kinds = {"lead": _("lead"), "customer": _("customer")}
        return _("{kind} {name} (reason: {reason})").format(kind=kinds[self.kind], name=self.name, reason=reasons[self.reason])


def lead_find_duplicates(*, name: str, credit_code: str = "", phone_digits: str = "",
                         exclude_id: int | None = None) -> list[LeadDuplicate]:
    """Company-wide, against leads and customer files: same phone, same credit code, near-identical name."""
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
    for dup in customer_find_duplicates(name=name, credit_code=credit_code,
                                        phone_digits=[phone_digits] if phone_digits else []):
        found.setdefault(("customer", dup.customer_id), LeadDuplicate("customer", dup.customer_id, dup.name, dup.reason))
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


def _require_worker(by, lead: Lead) -> None:
    """Working a lead (screen, contact, convert) is for its owner and those above them, or anyone for a pool lead
    in scope — the scope check has already happened in ``_locked``."""
    from salesflow.org.scope import is_above

    if lead.owner_id is not None and not is_above(by, owner_id=lead.owner_id, unit_id=lead.unit_id):
        raise PermissionRefused(_("Only the lead's owner and those above them may work this lead."))


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


# --- create --------------------------------------------------------------------------------------------

@transaction.atomic
def lead_create(*, by, data: dict, owner: User | None = None, confirm_duplicates: bool = False) -> Lead:
    """A new lead: given an owner it is assigned at once, otherwise it waits in the pool of the creator's unit."""
    _require(by, "lead.edit")
    cleaned, errors = clean_lead(data)
    if errors:
        raise ValidationFailed(errors)
    if owner is not None:
        _check_target(by, owner)
    if not confirm_duplicates:
        duplicates = lead_find_duplicates(name=cleaned["name"], credit_code=cleaned["credit_code"],
                                          phone_digits=cleaned["phone_digits"])
        if duplicates:
            _raise_duplicates(duplicates)
    unit = owner.unit if owner else by.unit
    lead = Lead(**cleaned, name_key=name_key(cleaned["name"]), owner=owner, unit=unit, region=region_of(unit),
                created_by=by, status=LeadStatus.ASSIGNED if owner else LeadStatus.NEW,
                assigned_at=timezone.now() if owner else None)
    lead.save()
    events.LEAD_CREATED.record(by=by, obj=lead, after=snapshot(lead, AUDITED_FIELDS))
    return lead


# --- screening -----------------------------------------------------------------------------------------

@transaction.atomic
def lead_screen(*, by, lead: Lead, need: str, purchasing_power: str, credit: str, note: str = "") -> Lead:
    """筛选: record the three assessments, score them with the rules; below the threshold the lead is parked."""
    _require(by, "lead.edit")
    lead = _locked(by, lead.pk)
    _require_worker(by, lead)
    errors = {key: [_("Choose a level.")] for key, value in
              (("need", need), ("purchasing_power", purchasing_power), ("credit", credit)) if value not in Level.values}
    if errors:
        raise ValidationFailed(errors)
    score = lead_score(need=need, purchasing_power=purchasing_power, credit=credit)
    threshold = policy_for(lead.unit).qualify_threshold
    action = "qualify" if score >= threshold else "park"
    before = {"status": lead.status, "score": lead.score}
    lead.status = LEAD_FLOW.next(lead.status, action)
    lead.need, lead.purchasing_power, lead.credit = need, purchasing_power, credit
    lead.score, lead.screened_at = score, timezone.now()
    lead.save(update_fields=["need", "purchasing_power", "credit", "score", "screened_at", "status", "updated_at"])
    events.LEAD_SCREENED.record(by=by, obj=lead, before=before, note=note,
                                after={"status": lead.status, "score": score, "threshold": threshold, "need": need,
                         "purchasing_power": purchasing_power, "credit": credit})
    return lead


# --- assignment ----------------------------------------------------------------------------------------

class AssignMode:
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    TERRITORY = "territory"
    ALL = (MANUAL, ROUND_ROBIN, TERRITORY)


def _team_reps(team: OrgUnit) -> list[User]:
    return list(User.objects.active().filter(unit=team, role__in=WORKING_ROLES).order_by("pk"))


class _Rotation:
    """Round-robin within one team: the rep after the last one served, in id order, then around again. The
    team's cursor row is locked once and moved once however many leads are handed out (``save``)."""

    def __init__(self, team: OrgUnit, reps: list[User]):
        self.reps = reps
        RoundRobinCursor.objects.get_or_create(team=team)
        self.cursor = RoundRobinCursor.objects.select_for_update().get(team=team)
        last = self.cursor.last_user_id
        self.next_index = next((i for i, u in enumerate(reps) if last is None or u.pk > last), 0)

    def next(self) -> User:
        rep = self.reps[self.next_index % len(self.reps)]
        self.next_index += 1
        self.cursor.last_user_id = rep.pk
        return rep

    def save(self) -> None:
        self.cursor.save(update_fields=["last_user_id"])


def _team_empty_message(team: OrgUnit) -> str:
    return _("The team {team} has no active reps.").format(team=team.name)


def _next_in_team(team: OrgUnit) -> User:
    reps = _team_reps(team)
    if not reps:
        raise AppError(codes.LEAD_TEAM_EMPTY, _team_empty_message(team))
    rotation = _Rotation(team, reps)
    rep = rotation.next()
    rotation.save()
    return rep


def _territory_rules() -> list[LeadAssignmentRule]:
    return list(LeadAssignmentRule.objects.filter(is_active=True).select_related("team", "user"))


def _territory_rule(rules: list[LeadAssignmentRule], lead: Lead) -> LeadAssignmentRule | None:
    """The first active rule, by priority, that matches the lead (LeadAssignmentRule.matches) and names
    somebody: an active user, or a team whose reps take turns."""
    for rule in rules:
        if rule.matches(lead) and ((rule.user_id and rule.user.is_active) or rule.team_id):
            return rule
    return None


def _by_territory(lead: Lead) -> User:
    rule = _territory_rule(_territory_rules(), lead)
    if rule is None:
        raise AppError(codes.LEAD_NO_RULE, _("No territory rule matches this lead."))
    if rule.user_id and rule.user.is_active:
        return rule.user
    return _next_in_team(rule.team)


@transaction.atomic
def lead_assign(*, by, lead: Lead, mode: str = AssignMode.MANUAL, owner: User | None = None,
                team: OrgUnit | None = None, note: str = "") -> Lead:
    """分配: to a chosen user, to the next rep of a team (round-robin), or by the territory rules.
    Reassignment keeps the history in the audit trail."""
    _require(by, "lead.assign")
    lead = _locked(by, lead.pk)
    if mode == AssignMode.MANUAL:
        if owner is None:
            raise ValidationFailed({"owner": [_("Choose a user.")]})
        target = owner
    elif mode == AssignMode.ROUND_ROBIN:
        if team is None:
            raise ValidationFailed({"team": [_("Choose a team.")]})
        target = _next_in_team(team)
    elif mode == AssignMode.TERRITORY:
        target = _by_territory(lead)
    else:
        raise ValidationFailed({"mode": [_("Unknown assignment mode.")]})
    _check_target(by, target)
    return _move(by, lead, "assign", owner=target, note=note, event=events.LEAD_ASSIGNED)


@transaction.atomic
def lead_claim(*, by, lead: Lead) -> Lead:
    """领取: a rep takes a lead from the pool, up to their unit's cap. The rep's own row is locked first, so two
    claims by one rep are counted one after the other; the lead's row lock lets only one of two reps win it."""
    _require(by, "lead.claim")
    User.objects.select_for_update().filter(pk=by.pk).first()
    lead = _locked(by, lead.pk)
    if lead.owner_id is not None:
        raise Conflict(codes.LEAD_ALREADY_CLAIMED, _("Somebody has already taken this lead."))
    if lead.status not in (LeadStatus.NEW, LeadStatus.RETURNED, LeadStatus.CONTACTED, LeadStatus.QUALIFIED):
        raise Conflict(codes.LEAD_NOT_IN_POOL, _("This lead is not waiting in the pool."))
    if lead.unit_id not in pool_unit_ids(by) and by.role == Role.REP:
        raise NotFound(_("Lead not found."))
    cap = policy_for(by.unit if by.unit_id else None).claim_cap
    held = Lead.objects.filter(owner=by, status__in=OPEN_STATUSES).count()
    if held >= cap:
        raise Conflict(codes.LEAD_CLAIM_CAP_REACHED,
                       _("You already hold {held} open leads; the cap is {cap}. Convert, park or release some first.")
                       .format(held=held, cap=cap))
    return _move(by, lead, "assign", owner=by, event=events.LEAD_CLAIMED)


@transaction.atomic
def lead_release(*, by, lead: Lead, note: str = "") -> Lead:
    """Back to the pool of the owner's unit (退回公海)."""
    _require(by, "lead.edit")
    lead = _locked(by, lead.pk)
    _require_worker(by, lead)
    if lead.owner_id is None:
        raise Conflict(codes.LEAD_NOT_IN_POOL, _("This lead is already in the pool."))
    return _to_pool(by, lead, note=note, event=events.LEAD_RELEASED)


def _to_pool(by, lead: Lead, *, note: str, event: EventType, overdue_at: dt.datetime | None = None) -> Lead:
    before = {"status": lead.status, "owner": lead.owner_id, "unit": lead.unit_id}
    lead.status = LEAD_FLOW.next(lead.status, "release")
    lead.owner, lead.assigned_at = None, None
    fields = ["status", "owner", "assigned_at", "updated_at"]
    if overdue_at is not None:
        lead.overdue_at = overdue_at
        fields.append("overdue_at")
    lead.save(update_fields=fields)
    event.record(by=by, obj=lead, before=before,
                 after={"status": lead.status, "owner": None, "unit": lead.unit_id}, note=note)
    return lead


@transaction.atomic
def lead_mark_contacted(*, by, lead: Lead, note: str = "") -> Lead:
    _require(by, "lead.edit")
    lead = _locked(by, lead.pk)
    _require_worker(by, lead)
    if lead.owner_id is None:
        raise Conflict(codes.LEAD_NOT_IN_POOL, _("Claim the lead before contacting it."))
    before = {"status": lead.status, "contacted_at": lead.contacted_at}
    if lead.status in (LeadStatus.ASSIGNED, LeadStatus.CONVERTED):
        # Only "assigned" moves on; a lead already further along just gets its contact time (converted refuses).
        lead.status = LEAD_FLOW.next(lead.status, "contact")
    lead.contacted_at = lead.contacted_at or timezone.now()
    lead.overdue_at = None
    lead.save(update_fields=["status", "contacted_at", "overdue_at", "updated_at"])
    events.LEAD_CONTACTED.record(by=by, obj=lead, before={"status": before["status"]},
                                 after={"status": lead.status}, note=note)
    return lead


# --- many at once (the lead import) ---------------------------------------------------------------------

class BulkAssign:
    """Who gets a batch of new leads (lead_create_many)."""

    SELF = "self"  # the creator keeps them (what a rep's import always does)
    POOL = "pool"  # nobody: they wait in the pool (公海) of the creator's unit
    ROUND_ROBIN = AssignMode.ROUND_ROBIN  # the reps of one team in turn
    TERRITORY = AssignMode.TERRITORY  # the territory rules; a lead no rule the creator may assign by matches: pool
    CHOSEN = (POOL, ROUND_ROBIN, TERRITORY)  # what a creator who may assign leads chooses from
    ALL = (SELF, *CHOSEN)


@dataclass(frozen=True)
class LeadsCreated:
    created: int
    unrouted: int = 0  # territory: leads that wait in the pool because no rule the creator may assign by matched


# The values of a new lead that a batch row carries (clean_lead's, the search key and the three levels).
BULK_FIELDS = ("name", "name_key", "contact_name", "phone", "phone_digits", "credit_code", "province", "city",
               "industry", "channel", "campaign", "need_notes")
LEVEL_FIELDS = ("need", "purchasing_power", "credit")
WRITE_CHUNK = 5000  # leads per insert, and per step of the progress count


class _Assigner:
    """Owners for a batch, by the rules lead_create and lead_assign apply one lead at a time: the creator, nobody
    (the pool), the next rep of a team, or the territory rules (each rule looked up once per combination of the
    criteria; a rule's target the creator may not assign to leaves the lead in the pool, counted in
    ``unrouted``). Each team's cursor is locked once and moved once (``save``)."""

    def __init__(self, *, by, mode: str, team_id: int | None):
        if mode not in BulkAssign.ALL:
            raise ValidationFailed({"assign": [_("Unknown assignment mode.")]})
        if mode != BulkAssign.SELF:
            _require(by, "lead.assign")
        self.by, self.mode = by, mode
        self.allowed = set(assignable_users(user=by).values_list("pk", flat=True)) \
            if mode in (BulkAssign.ROUND_ROBIN, BulkAssign.TERRITORY) else set()
        self.rotations: dict[int, _Rotation] = {}
        self.rules = _territory_rules() if mode == BulkAssign.TERRITORY else []
        self.routes: dict[tuple, LeadAssignmentRule | None] = {}
        self.unrouted = 0
        self.team = None
        if mode == BulkAssign.ROUND_ROBIN:
            self.team = OrgUnit.objects.filter(pk=team_id, kind=UnitKind.TEAM).first() if team_id else None
            if self.team is None:
                raise ValidationFailed({"team": [_("Choose a team.")]})

    def _next_in(self, team: OrgUnit) -> User:
        if team.pk not in self.rotations:
            reps = _team_reps(team)
            if not reps:
                raise ValidationFailed({"team": [_team_empty_message(team)]}, code=codes.LEAD_TEAM_EMPTY)
            self.rotations[team.pk] = _Rotation(team, reps)
        return self.rotations[team.pk].next()

    def owner_for(self, values: dict, region_id: int | None) -> User | None:
        if self.mode == BulkAssign.SELF:
            return self.by
        if self.mode == BulkAssign.POOL:
            return None
        if self.mode == BulkAssign.ROUND_ROBIN:
            owner = self._next_in(self.team)
            if owner.pk not in self.allowed:
                raise ValidationFailed({"team": [_("You cannot assign leads to this team.")]},
                                       code=codes.LEAD_OWNER_OUT_OF_SCOPE)
            return owner
        route = (values["province"], values["industry"], region_id)  # what LeadAssignmentRule.matches reads
        if route not in self.routes:
            probe = Lead(province=values["province"], industry=values["industry"], region_id=region_id)
            self.routes[route] = _territory_rule(self.rules, probe)
        rule = self.routes[route]
        owner = None
        if rule is not None:
            owner = rule.user if rule.user_id and rule.user.is_active else self._next_in(rule.team)
        if owner is None or owner.pk not in self.allowed:
            self.unrouted += 1
            return None
        return owner

    def save(self) -> None:
        for rotation in self.rotations.values():
            rotation.save()


@transaction.atomic
def lead_create_many(*, by, rows: Sequence[dict], assign: str = BulkAssign.SELF, team_id: int | None = None,
                     source=None, figures: dict | None = None,
                     progress: Callable[[int], None] | None = None) -> LeadsCreated:
    """Many new leads at once (the lead import), by the rules of lead_create, lead_assign and lead_score: owner,
    unit, region, status and assignment time as lead_create sets them; the owner by ``assign`` (BulkAssign); the
    score by the scoring rules when a row has a level. Done in bulk: each team's round-robin cursor locked and
    moved once, each combination of levels scored once, each unit's region looked up once, the rows inserted
    WRITE_CHUNK at a time (COPY on PostgreSQL, see core/bulk.py); ``progress(n)`` after each chunk.

    ``rows``: a new lead's values as clean_lead returns them, with ``name_key`` and the three levels
    (Level.UNKNOWN when not assessed). Looking for duplicates is the caller's part (the import checks the whole
    file at once). One audit event for the batch, ``lead.import_finished`` on ``source`` with the counts and
    ``figures``; each lead carries who created it (created_by) and when: an event per lead would add a third to
    the write of 50,000 leads."""
    _require(by, "lead.import")
    assigner = _Assigner(by=by, mode=assign, team_id=team_id)
    table, now, scores = scoring_table(), timezone.now(), {}
    regions: dict[int | None, int | None] = {}

    def region_id(unit_id: int | None) -> int | None:
        if unit_id not in regions:
            region = region_of(OrgUnit.objects.filter(pk=unit_id).first()) if unit_id else None
            regions[unit_id] = region.pk if region else None
        return regions[unit_id]

    leads = []
    for values in rows:
        owner = assigner.owner_for(values, region_id(by.unit_id))
        unit_id = owner.unit_id if owner else by.unit_id
        levels = tuple(values.get(key) or Level.UNKNOWN for key in LEVEL_FIELDS)
        if levels not in scores:  # a handful of combinations: each scored once
            scores[levels] = lead_score(**dict(zip(LEVEL_FIELDS, levels, strict=True)), rules=table) \
                if any(level != Level.UNKNOWN for level in levels) else None
        lead = {key: values[key] for key in BULK_FIELDS}
        lead.update(zip(LEVEL_FIELDS, levels, strict=True))
        lead.update(estimated_amount=Decimal(values["estimated_amount"]), score=scores[levels],
                    status=LeadStatus.ASSIGNED if owner else LeadStatus.NEW, owner_id=owner.pk if owner else None,
                    unit_id=unit_id, region_id=region_id(unit_id), assigned_at=now if owner else None,
                    created_by_id=by.pk)
        leads.append(lead)
    assigner.save()
    for start in range(0, len(leads), WRITE_CHUNK):
        chunk = leads[start:start + WRITE_CHUNK]
        insert_dicts(Lead, chunk)
        if progress is not None:
            progress(len(chunk))
    events.LEAD_IMPORT_FINISHED.record(by=by, obj=source, after={
        "created": len(leads), "unrouted": assigner.unrouted, "assignment": assign, **(figures or {})})
    return LeadsCreated(created=len(leads), unrouted=assigner.unrouted)


# --- conversion ----------------------------------------------------------------------------------------

@transaction.atomic
def lead_convert(*, by, lead: Lead, customer_id: int | None = None, opportunity: dict | None = None,
                 confirm_duplicates: bool = False) -> Lead:
    """A qualified lead becomes a customer file (or joins an existing one) and an opportunity, in one step:
    everything the lead knows is carried over, so nobody types it twice."""
    from salesflow.crm.models import Customer
    from salesflow.crm.services import customer_create
    from salesflow.deals.services import opportunity_create

    _require(by, "lead.edit")
    lead = _locked(by, lead.pk)
    _require_worker(by, lead)
    if not LEAD_FLOW.can(lead.status, "convert"):
        raise AppError(codes.LEAD_NOT_QUALIFIED, _("Only a qualified lead can be converted; screen it first."),
                       status=409)
    owner = lead.owner or by
    if customer_id:
        customer = Customer.objects.visible_to(by).filter(pk=customer_id).first()
        if customer is None:
            raise ValidationFailed({"customer": [_("Choose one of your customers.")]})
    else:
        contacts = [{"name": lead.contact_name or lead.name, "phone": lead.phone, "is_primary": True}] \
            if (lead.contact_name or lead.phone) else []
        customer = customer_create(
            by=by, owner=owner, confirm_duplicates=confirm_duplicates, contacts=contacts,
            data={"name": lead.name, "credit_code": lead.credit_code, "province": lead.province, "city": lead.city,
                  "industry": lead.industry, "source": lead.channel,
                  "region": str(lead.region_id) if lead.region_id else "",
                  "notes": "\n".join(filter(None, [lead.campaign and _("Campaign: {name}").format(name=lead.campaign),
                                                   lead.need_notes]))})
    data = {"name": lead.name, "amount": lead.estimated_amount, "products": lead.need_notes}
    data.update({k: v for k, v in (opportunity or {}).items() if v not in (None, "")})
    opp = opportunity_create(by=by, customer_id=customer.pk, data=data, owner=owner, source_lead_id=lead.pk)
    before = {"status": lead.status}
    lead.status = LEAD_FLOW.next(lead.status, "convert")
    lead.customer_id, lead.opportunity_id, lead.converted_at = customer.pk, opp.pk, timezone.now()
    lead.save(update_fields=["status", "customer_id", "opportunity_id", "converted_at", "updated_at"])
    events.LEAD_CONVERTED.record(by=by, obj=lead, customer_id=customer.pk, before=before,
                                 after={"status": lead.status, "customer": customer.pk, "opportunity": opp.pk})
    return lead


# --- the sweep -----------------------------------------------------------------------------------------

def leads_sweep(now: dt.datetime | None = None) -> dict:
    """Leads not contacted within their unit's working-time limit are flagged and returned to the pool, and the
    owner is told. Idempotent; safe with two workers (each lead is re-read under its row lock)."""
    from salesflow.workcal.calendar import snapshot

    now = now or timezone.now()
    cal = snapshot()
    shortest = min(p.contact_limit_hours for p in all_policies())
    # Working time never exceeds wall time, so only leads assigned at least `shortest` hours ago can be late.
    candidates = (Lead.objects.filter(status=LeadStatus.ASSIGNED, contacted_at__isnull=True,
                                      assigned_at__lte=now - dt.timedelta(hours=shortest))
                  .select_related("unit").order_by("pk").values_list("pk", flat=True))
    returned = 0
    limits: dict[int | None, int] = {}
    for pk in list(candidates):
        with transaction.atomic():
            lead = (Lead.objects.select_for_update(of=("self",)).select_related("owner", "unit")
                    .filter(pk=pk, status=LeadStatus.ASSIGNED, contacted_at__isnull=True).first())
            if lead is None or lead.assigned_at is None:
                continue
            if lead.unit_id not in limits:
                limits[lead.unit_id] = policy_for(lead.unit).contact_limit_hours
            limit = dt.timedelta(hours=limits[lead.unit_id])
            if cal.working_hours_between(lead.assigned_at, now) < limit:
                continue
            owner = lead.owner
            _to_pool(None, lead, overdue_at=now, event=events.LEAD_RETURNED_OVERDUE,
                     note=_("Not contacted within {hours} working hours").format(hours=limits[lead.unit_id]))
            name = lead.name
            notify([owner], kind="lead.returned_overdue",
                   title=lambda name=name: _("Lead returned to the pool: {name}").format(name=name),
                   body=lambda: _("You did not contact this lead within the working-time limit, so it went back "
                                  "to the pool."),
                   url=reverse("leads:lead_detail", args=[lead.pk]))
            returned += 1
    return {"returned": returned}


# --- hooks for the organisation (registered in apps.py) ---------------------------------------------------

def leads_transfer_all(*, from_user, to_user, by) -> int:
    """Deactivation: the leaving user's open leads go to their successor (converted ones keep their history)."""
    ids = list(Lead.objects.select_for_update().filter(owner=from_user).exclude(status=LeadStatus.CONVERTED)
               .order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    Lead.objects.filter(pk__in=ids).update(owner=to_user, unit=to_user.unit)
    record_many(events.LEAD_REASSIGNED.row(by=by, object_type="leads.lead", object_id=pk,
                                           before={"owner": from_user.pk}, after={"owner": to_user.pk})
                for pk in ids)
    return len(ids)


def leads_follow_owner_unit(*, user, by) -> int:
    """A rep moved to another team: their open leads move into that team's scope."""
    return (Lead.objects.filter(owner=user).exclude(status=LeadStatus.CONVERTED).exclude(unit_id=user.unit_id)
            .update(unit=user.unit_id))
