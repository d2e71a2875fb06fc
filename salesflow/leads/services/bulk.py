"""Many leads at once (the lead import writes through lead_create_many): scoring and assignment as for one
lead, batched inserts, one audit event per import."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.core.bulk import insert_dicts
from salesflow.core.errors import ValidationFailed
from salesflow.org.models import OrgUnit, UnitKind, User
from salesflow.org.selectors import assignable_users, region_of

from .. import error_codes as codes
from .. import events
from ..models import (
    Lead,
    LeadAssignmentRule,
    LeadStatus,
    Level,
)
from .assignment import (
    AssignMode,
    _Rotation,
    _team_empty_message,
    _team_reps,
    _territory_rule,
    _territory_rules,
)
from .common import _require, lead_score, scoring_table

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
            Lead.role_require("assign", by=by)
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
