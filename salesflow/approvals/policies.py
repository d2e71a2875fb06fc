"""Approval policies as data: validated, saved, loaded from the shipped TOML file, and shown as TOML."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from salesflow.core.errors import PermissionRefused, ValidationFailed
from salesflow.org.roles import Role, has_capability

from . import error_codes as codes
from . import events
from .conditions import OPERATORS
from .models import ApprovalPolicy, ApproverRule, PolicyStage, StageKind, StageMode
from .registry import DOCUMENT_LABELS

DEFAULT_FILE = Path(__file__).with_name("policies.toml")
STAGE_KEYS = {"step", "name", "rule", "role", "mode", "kind", "deadline_days"}
POLICY_KEYS = {"code", "name", "document_type", "description", "regulation", "conditions", "priority",
               "escalation", "escalation_grace_hours", "same_day_cutoff", "is_active", "stages"}
DEFAULT_CUTOFF = dt.time(16, 0)


def _cycle(escalation: dict[str, str]) -> list[str] | None:
    for start in escalation:
        seen, role = [], start
        while role in escalation:
            if role in seen:
                return seen[seen.index(role):] + [role]
            seen.append(role)
            role = escalation[role]
    return None


def validate_policy(data: dict) -> dict:
    """Return the cleaned policy or raise ValidationFailed naming each problem."""
    errors: dict[str, list] = {}

    def err(key, message):
        errors.setdefault(key, []).append(message)

    unknown = set(data) - POLICY_KEYS
    if unknown:
        err("policy", _("Unknown keys: {keys}.").format(keys=", ".join(sorted(unknown))))
    code = str(data.get("code", "")).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", code):
        err("code", _("A code is lower-case letters, digits and hyphens, e.g. discount."))
    name = str(data.get("name", "")).strip()
    if not name:
        err("name", _("This field is required."))
    document_type = str(data.get("document_type", "")).strip()
    if document_type not in DOCUMENT_LABELS:
        err("document_type", _("Unknown document type “{value}”.").format(value=document_type))
    conditions = data.get("conditions") or []
    if not isinstance(conditions, list):
        err("conditions", _("Conditions must be a list."))
        conditions = []
    for i, c in enumerate(conditions, start=1):
        if not isinstance(c, dict) or not str(c.get("field", "")).strip() or c.get("op") not in OPERATORS:
            err("conditions", _("Condition {n}: name a field and an operator ({ops}).").format(
                n=i, ops=", ".join(OPERATORS)))
    escalation = data.get("escalation") or {}
    if not isinstance(escalation, dict):
        err("escalation", _("Escalation must map a role to a role."))
        escalation = {}
    for source, target in escalation.items():
        for role in (source, target):
            if role not in Role.values:
                err("escalation", _("Unknown role “{role}”.").format(role=role))
    cycle = _cycle({k: v for k, v in escalation.items() if isinstance(v, str)})
    if cycle:
        err("escalation", _("Circular escalation: {chain}.").format(chain=" → ".join(cycle)))
    stages = data.get("stages") or []
    if not isinstance(stages, list) or not stages:
        err("stages", _("A policy needs at least one stage."))
        stages = []
    clean_stages = []
    for i, s in enumerate(stages, start=1):
        if not isinstance(s, dict):
            err("stages", _("Stage {n} is empty.").format(n=i))
            continue
        extra = set(s) - STAGE_KEYS
        if extra:
            err("stages", _("Stage {n}: unknown keys {keys}.").format(n=i, keys=", ".join(sorted(extra))))
        stage_name = str(s.get("name", "")).strip()
        rule, role, mode = s.get("rule"), str(s.get("role", "") or ""), s.get("mode", StageMode.ANY)
        kind = s.get("kind", StageKind.GATE)
        if not stage_name:
            err("stages", _("Stage {n} has no name.").format(n=i))
        if rule not in ApproverRule.values:
            err("stages", _("Stage {n}: unknown approver rule “{rule}”.").format(n=i, rule=rule))
        if rule == ApproverRule.ROLE and role not in Role.values:
            err("stages", _("Stage {n}: unknown role “{role}”.").format(n=i, role=role))
        if mode not in StageMode.values:
            err("stages", _("Stage {n}: the decision must be all or any.").format(n=i))
        if kind not in StageKind.values:
            err("stages", _("Stage {n}: the stage type must be gate or opinion.").format(n=i))
        try:
            step = int(s.get("step", i))
            # No deadline_days = no deadline: shipped policies carry only the deadlines the regulations give.
            days = None if s.get("deadline_days") in (None, "") else int(s["deadline_days"])
            if step < 1 or (days is not None and days < 0) or isinstance(s.get("deadline_days"), bool):
                raise ValueError
        except (TypeError, ValueError):
            err("stages", _("Stage {n}: step and deadline must be whole numbers (step from 1).").format(n=i))
            step, days = i, None
        clean_stages.append({"step": step, "name": stage_name, "rule": rule, "role": role if rule == "role" else "",
                             "mode": mode, "kind": kind, "deadline_days": days})
    try:
        priority = int(data.get("priority", 100))
        grace = int(data.get("escalation_grace_hours", 4))
        if priority < 0 or grace < 0:
            raise ValueError
    except (TypeError, ValueError):
        err("priority", _("Priority and grace hours must be whole numbers."))
        priority, grace = 100, 4
    cutoff = data.get("same_day_cutoff", DEFAULT_CUTOFF)
    if isinstance(cutoff, str):
        try:
            cutoff = dt.time.fromisoformat(cutoff.strip())
        except ValueError:
            cutoff = None
    if not isinstance(cutoff, dt.time):
        err("same_day_cutoff", _("The same-day cut-off is a time of day, e.g. 16:00."))
        cutoff = DEFAULT_CUTOFF
    if errors:
        raise ValidationFailed(errors, message=_("The policy is not valid."), code=codes.POLICY_INVALID)
    return {
        "code": code, "name": name, "document_type": document_type,
        "description": str(data.get("description", "")), "regulation": str(data.get("regulation", ""))[:16],
        "conditions": conditions, "priority": priority, "escalation": escalation,
        "escalation_grace_hours": grace, "same_day_cutoff": cutoff.replace(tzinfo=None),
        "is_active": bool(data.get("is_active", True)), "stages": clean_stages,
    }


@transaction.atomic
def policy_save(*, by, data: dict, system: bool = False) -> ApprovalPolicy:
    """Create or replace a policy (by code). Requests under way keep the stages they started with."""
    if not system and not has_capability(by, "approvals.manage_policies"):
        raise PermissionRefused()
    cleaned = validate_policy(data)
    stages = cleaned.pop("stages")
    policy = ApprovalPolicy.objects.select_for_update().filter(code=cleaned["code"]).first()
    before = policy_as_dict(policy) if policy else None
    if policy is None:
        policy = ApprovalPolicy.objects.create(**cleaned)
    else:
        for key, value in cleaned.items():
            setattr(policy, key, value)
        policy.version += 1
        policy.save()
        policy.stages.all().delete()
    PolicyStage.objects.bulk_create([PolicyStage(policy=policy, **s) for s in stages])
    events.APPROVAL_POLICY_SAVED.record(by=by, obj=policy, before=before, after=policy_as_dict(policy))
    return policy


def policy_load_file(*, by, path: Path | None = None, system: bool = False) -> list[ApprovalPolicy]:
    try:
        data = tomllib.loads((path or DEFAULT_FILE).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValidationFailed({"file": [str(exc)]}, message=_("The policy file cannot be read."),
                               code=codes.POLICY_INVALID) from None
    with transaction.atomic():
        return [policy_save(by=by, data=p, system=system) for p in data.get("policy", [])]


def policy_as_dict(policy: ApprovalPolicy) -> dict:
    return {
        "code": policy.code, "name": policy.name, "document_type": policy.document_type,
        "description": policy.description, "regulation": policy.regulation, "conditions": policy.conditions,
        "priority": policy.priority, "escalation": policy.escalation,
        "escalation_grace_hours": policy.escalation_grace_hours,
        "same_day_cutoff": _time_text(policy.same_day_cutoff), "is_active": policy.is_active,
        "stages": [{"step": s.step, "name": s.name, "rule": s.rule, "role": s.role, "mode": s.mode, "kind": s.kind,
                    **({"deadline_days": s.deadline_days} if s.deadline_days is not None else {})}
                   for s in policy.stages.order_by("step", "id")],
    }


def _time_text(value) -> str:
    if isinstance(value, str):  # a policy read back before the database converted the field
        value = dt.time.fromisoformat(value)
    return value.strftime("%H:%M")


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def policy_as_toml(policy: ApprovalPolicy) -> str:
    data = policy_as_dict(policy)
    stages = data.pop("stages")
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items()]
    lines.append("stages = [")
    lines += [f"  {_toml_value(s)}," for s in stages]
    lines.append("]")
    return "\n".join(lines) + "\n"


def policy_from_toml(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationFailed({"toml": [str(exc)]}, message=_("The text is not valid TOML."),
                               code=codes.POLICY_INVALID) from None
