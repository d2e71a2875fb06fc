"""Assignment of leads: by hand, round-robin within a team (a locked cursor per team), or by territory rule;
claiming from and releasing to the public pool (its policy and scope come from the pool app)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from salesflow.audit.events import EventType
from salesflow.core.errors import AppError, Conflict, NotFound, ValidationFailed
from salesflow.org.models import OrgUnit, User
from salesflow.org.roles import CAPABILITIES, Role
from salesflow.pool.policies import policy_for
from salesflow.pool.scope import pool_unit_ids

from .. import error_codes as codes
from .. import events
from ..models import (
    LEAD_FLOW,
    OPEN_STATUSES,
    Lead,
    LeadAssignmentRule,
    RoundRobinCursor,
)
from .common import WORKING_ROLES, _check_target, _locked, _move

# --- assignment ----------------------------------------------------------------------------------------

class AssignMode:
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    TERRITORY = "territory"
    ALL = (MANUAL, ROUND_ROBIN, TERRITORY)


def _team_reps(team: OrgUnit) -> list[User]:
    return list(User.objects.active().filter(unit=team).holding(*WORKING_ROLES).order_by("pk"))


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
    Lead.role_require("assign", by=by)
    lead = _locked(by, lead.pk)
    lead.require_permitted("assign", by=by)  # the state: the flow, when the lead moves (after the target)
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
    Lead.role_require("claim", by=by)
    User.objects.select_for_update().filter(pk=by.pk).first()
    lead = _locked(by, lead.pk)
    lead.require_permitted("claim", by=by)
    if lead.owner_id is not None:
        raise Conflict(codes.LEAD_ALREADY_CLAIMED, _("Somebody has already taken this lead."))
    if not lead.open_for("claim"):
        raise Conflict(codes.LEAD_NOT_IN_POOL, _("This lead is not waiting in the pool."))
    # A rep claims only from their own pools; whoever also holds a wider claiming role (a supervisor who sells)
    # claims with that role's reach.
    if lead.unit_id not in pool_unit_ids(by) and by.roles & CAPABILITIES["lead.claim"] == {Role.REP}:
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
    Lead.role_require("release", by=by)
    lead = _locked(by, lead.pk)
    lead.require_permitted("release", by=by)
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
