"""The lead rules as data: scoring rules and territory (assignment) rules. The pool policies per unit (claim
cap, contact limit, qualifying score) are the pool app's (``salesflow.pool.services.policy_save``).

Who may change what (org.roles ``lead.configure`` / ``lead.configure_company``):
- the sales director and the administrator: everything, including the scoring rules (one table for the whole
  company);
- a sales manager: the territory rules of their region — a manager's rule must name their region, so it can
  only route that region's leads, and must send them to a team or user of that region.
Every change is validated (translated errors, nothing written) and audited.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from salesflow.audit.events import snapshot
from salesflow.core.errors import NotFound, PermissionRefused, ValidationFailed
from salesflow.core.parsers import parse_field, parse_flag, parse_int, parse_province, text
from salesflow.crm.choices import Industry
from salesflow.org.models import OrgUnit, UnitKind, User
from salesflow.org.roles import Role, has_capability
from salesflow.org.scope import data_scope

from .. import error_codes as codes
from .. import events
from ..models import Assessment, LeadAssignmentRule, LeadScoringRule, Level
from .common import WORKING_ROLES

POINTS_MAX = 100
RULE_FIELDS = ["priority", "province", "region", "industry", "team", "user", "is_active"]


def _require(by, capability: str) -> None:
    if not has_capability(by, capability):
        raise PermissionRefused()


def _company_wide(by) -> bool:
    return has_capability(by, "lead.configure_company")




# --- scoring rules ---------------------------------------------------------------------------------------

def scoring_grid() -> dict[str, dict[str, int]]:
    """{assessment: {level: points}} for every assessment and level (missing rows count 0)."""
    grid = {a: {lv: 0 for lv in Level.values} for a in Assessment.values}
    for rule in LeadScoringRule.objects.all():
        grid.setdefault(rule.assessment, {})[rule.level] = rule.points
    return grid


@transaction.atomic
def scoring_rules_save(*, by, points: dict[str, object]) -> dict[str, dict[str, int]]:
    """Save the points of each assessment level; ``points`` is keyed "<assessment>.<level>"."""
    _require(by, "lead.configure_company")
    errors, wanted = {}, {}
    for assessment in Assessment.values:
        for level in Level.values:
            key = f"{assessment}.{level}"
            value = parse_field(errors, key, parse_int, points.get(key), low=0, high=POINTS_MAX)
            if value is not None:
                wanted[(assessment, level)] = value
    if errors:
        raise ValidationFailed(errors)
    rows = {(r.assessment, r.level): r for r in LeadScoringRule.objects.select_for_update().order_by("pk")}
    before = {f"{a}.{lv}": r.points for (a, lv), r in rows.items()}
    changed = False
    for (assessment, level), value in wanted.items():
        rule = rows.get((assessment, level))
        if rule is None:
            LeadScoringRule.objects.create(assessment=assessment, level=level, points=value)
            changed = True
        elif rule.points != value:
            rule.points = value
            rule.save(update_fields=["points"])
            changed = True
    after = {f"{a}.{lv}": v for (a, lv), v in wanted.items()}
    if changed:
        events.LEAD_SCORING_SAVED.record(by=by, object_type="leads.leadscoringrule", object_id="",
                                         object_repr=str(_("Lead scoring rules")),
                                         before={k: v for k, v in before.items() if after.get(k) != v},
                                         after={k: v for k, v in after.items() if before.get(k) != v})
    return scoring_grid()


def score_examples(grid: dict[str, dict[str, int]]) -> list[dict]:
    """Three sample leads and what they score, to show what the points and the threshold mean."""
    samples = [("high", "high", "high"), ("high", "medium", "medium"), ("medium", "low", "unknown")]
    out = []
    for need, power, credit in samples:
        parts = [grid[Assessment.NEED][need], grid[Assessment.PURCHASING_POWER][power], grid[Assessment.CREDIT][credit]]
        out.append({"need": Level(need).label, "purchasing_power": Level(power).label, "credit": Level(credit).label,
                    "parts": parts, "score": sum(parts)})
    return out


# --- territory (assignment) rules --------------------------------------------------------------------------

def rule_in_scope(by, rule: LeadAssignmentRule) -> bool:
    if _company_wide(by):
        return True
    units = data_scope(by).unit_ids
    return rule.region_id in units


def _unit(value, *, kinds=None) -> OrgUnit | None:
    if value in (None, ""):
        return None
    if isinstance(value, OrgUnit):
        return value
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    qs = OrgUnit.objects.filter(pk=pk, is_active=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.first()


def clean_rule(by, data: dict) -> dict:
    errors, cleaned = {}, {}
    priority = parse_field(errors, "priority", parse_int, data.get("priority", 100), low=0, high=32_767)
    cleaned["priority"] = priority if priority is not None else 100
    province = parse_field(errors, "province", parse_province, data.get("province"), fallback=text(data.get("province")))
    cleaned["province"] = province
    industry = str(data.get("industry") or "").strip()
    if industry and industry not in Industry.values:
        errors["industry"] = [_("Choose an industry from the list.")]
    cleaned["industry"] = industry
    region = _unit(data.get("region"), kinds=[UnitKind.REGION])
    if data.get("region") not in (None, "") and region is None:
        errors["region"] = [_("Choose a region from the list.")]
    cleaned["region"] = region
    team = _unit(data.get("team"))
    if data.get("team") not in (None, "") and team is None:
        errors["team"] = [_("Choose an active unit.")]
    cleaned["team"] = team
    user = None
    if data.get("user") not in (None, ""):
        user = data["user"] if isinstance(data["user"], User) else \
            User.objects.active().select_related("unit").filter(pk=_int_or_none(data["user"])).first()
        if user is None or not user.is_active:
            errors["user"] = [_("Choose an active user.")]
            user = None
    cleaned["user"] = user
    cleaned["is_active"] = parse_flag(data.get("is_active", True))
    if not (province or industry or region or data.get("region")):
        errors.setdefault("__all__", []).append(
            _("A rule needs at least one condition: a province, a region or an industry."))
    if team is None and user is None and "team" not in errors and "user" not in errors:
        errors.setdefault("__all__", []).append(_("Send the matching leads to a team or to a user."))
    if team is not None and user is not None and not (user.unit_id and user.unit.path.startswith(team.path)):
        errors["user"] = [_("{user} is not in {team}.").format(user=user.display_name, team=team.name)]
    if team is not None and user is None and "team" not in errors and not User.objects.active().filter(
            unit=team).holding(*WORKING_ROLES).exists():
        errors["team"] = [_("The team {team} has no active reps.").format(team=team.name)]
    if not _company_wide(by):
        units = data_scope(by).unit_ids
        if region is None or region.pk not in units:
            errors.setdefault("region", []).append(_("Choose your own region: your rules route its leads only."))
        if team is not None and team.pk not in units:
            errors.setdefault("team", []).append(_("Choose a team of your region."))
        if user is not None and user.unit_id not in units:
            errors.setdefault("user", []).append(_("Choose a user of your region."))
    if errors:
        code = "validation_error"
        if not (province or industry or region):
            code = codes.RULE_NO_CONDITION
        elif team is None and user is None:
            code = codes.RULE_NO_TARGET
        raise ValidationFailed(errors, code=code)
    return cleaned


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _locked_rule(by, rule_id: int) -> LeadAssignmentRule:
    rule = LeadAssignmentRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None or not rule_in_scope(by, rule):
        raise NotFound(_("Rule not found."))
    return rule


@transaction.atomic
def rule_save(*, by, rule_id: int | None = None, data: dict) -> LeadAssignmentRule:
    _require(by, "lead.configure")
    rule = _locked_rule(by, rule_id) if rule_id else LeadAssignmentRule()
    cleaned = clean_rule(by, data)
    before = snapshot(rule, RULE_FIELDS) if rule.pk else None
    for field, value in cleaned.items():
        setattr(rule, field, value)
    rule.save()
    after = snapshot(rule, RULE_FIELDS)
    if before is None or before != after:
        (events.LEAD_RULE_UPDATED if before else events.LEAD_RULE_CREATED).record(
            by=by, obj=rule, before=before, after=after, object_repr=describe_rule(rule))
    return rule


@transaction.atomic
def rule_set_active(*, by, rule_id: int, active: bool) -> LeadAssignmentRule:
    _require(by, "lead.configure")
    rule = _locked_rule(by, rule_id)
    if rule.is_active != active:
        rule.is_active = active
        rule.save(update_fields=["is_active"])
        (events.LEAD_RULE_ACTIVATED if active else events.LEAD_RULE_DEACTIVATED).record(
            by=by, obj=rule, before={"is_active": not active}, after={"is_active": active},
            object_repr=describe_rule(rule))
    return rule


@transaction.atomic
def rule_move(*, by, rule_id: int, direction: str) -> list[LeadAssignmentRule]:
    """Move a rule one place up or down in the order the router tries them: the rules are renumbered 10, 20, 30…
    (their relative order otherwise unchanged), all under lock, and the new order is audited once."""
    _require(by, "lead.configure")
    if direction not in ("up", "down"):
        raise ValidationFailed({"direction": [_("Move a rule up or down.")]})
    rules = list(LeadAssignmentRule.objects.select_for_update().order_by("priority", "id"))
    index = next((i for i, r in enumerate(rules) if r.pk == rule_id), None)
    if index is None or not rule_in_scope(by, rules[index]):
        raise NotFound(_("Rule not found."))
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rules):
        return rules
    before = [r.pk for r in rules]
    rules[index], rules[other] = rules[other], rules[index]
    for position, rule in enumerate(rules, start=1):
        if rule.priority != position * 10:
            rule.priority = position * 10
            rule.save(update_fields=["priority"])
    moved = rules[other]
    events.LEAD_RULE_REORDERED.record(by=by, obj=moved, object_repr=describe_rule(moved),
                                      before={"order": before}, after={"order": [r.pk for r in rules]},
                                      note=_("Moved up") if direction == "up" else _("Moved down"))
    return rules


def describe_rule(rule: LeadAssignmentRule) -> str:
    conditions = [rule.province, rule.region.name if rule.region_id else "",
                  rule.get_industry_display() if rule.industry else ""]
    target = rule.user.display_name if rule.user_id else (rule.team.name if rule.team_id else "")
    return "{conditions} → {target}".format(conditions=" / ".join(filter(None, conditions)) or "—", target=target)


def assignable_targets(by) -> tuple[list[OrgUnit], list[User], list[OrgUnit]]:
    """(teams, users, regions) a rule of this user may name."""
    teams = OrgUnit.objects.filter(is_active=True).exclude(kind__in=[UnitKind.COMPANY]).order_by("path")
    users = User.objects.active().holding(*WORKING_ROLES, Role.SUPERVISOR, Role.MANAGER) \
        .select_related("unit").order_by("unit__path", "username")
    regions = OrgUnit.objects.filter(kind=UnitKind.REGION, is_active=True).order_by("path")
    if not _company_wide(by):
        units = data_scope(by).unit_ids
        teams, users, regions = teams.filter(pk__in=units), users.filter(unit_id__in=units), \
            regions.filter(pk__in=units)
    return list(teams), list(users), list(regions)
