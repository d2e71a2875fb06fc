"""Who approves a stage: resolved through the organisation when the stage starts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from salesflow.org.models import OrgUnit, User
from salesflow.org.roles import Role

from .models import ApproverRule, Delegation


def _ancestors(unit_id: int | None) -> list[int]:
    if unit_id is None:
        return []
    path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or ""
    return [int(p) for p in path.strip("/").split("/") if p]


def _first_with_role(role: str, unit_ids: list[int]) -> list[User]:
    """The nearest unit (walking up from the requester) that has an active user with this role."""
    found = list(User.objects.active().filter(role=role, unit_id__in=unit_ids))
    for unit_id in reversed(unit_ids):
        here = [u for u in found if u.unit_id == unit_id]
        if here:
            return here
    return []


def resolve(rule: str, role: str, requester: User) -> list[User]:
    units = _ancestors(requester.unit_id)
    if rule == ApproverRule.REQUESTER_SUPERVISOR:
        if requester.manager and requester.manager.is_active and requester.manager.role == Role.SUPERVISOR:
            return [requester.manager]
        return _first_with_role(Role.SUPERVISOR, units)
    if rule == ApproverRule.REQUESTER_MANAGER:
        return [requester.manager] if requester.manager and requester.manager.is_active else []
    if rule == ApproverRule.REGION_MANAGER:
        return _first_with_role(Role.MANAGER, units)
    if rule == ApproverRule.ROLE:
        return list(User.objects.active().filter(role=role).order_by("id"))
    return []


def next_level_up(user: User, escalation: dict[str, str]) -> list[User]:
    """Escalation: the policy's role map first (e.g. supervisor → manager), else the user's own manager."""
    target_role = escalation.get(user.role)
    if target_role:
        people = _first_with_role(target_role, _ancestors(user.unit_id)) or list(
            User.objects.active().filter(role=target_role).order_by("id"))
        if people:
            return people
    return [user.manager] if user.manager_id and user.manager.is_active else []


def with_delegation(users: list[User], on: dt.date) -> list[tuple[User, User | None]]:
    """(assignee, on_behalf_of): someone away hands their approvals to the delegate of the day."""
    if not users:
        return []
    active = {
        d.user_id: d.delegate
        for d in Delegation.objects.select_related("delegate").filter(
            Q(user__in=users), starts_on__lte=on, ends_on__gte=on, delegate__is_active=True)
    }
    return [(active[u.pk], u) if u.pk in active else (u, None) for u in users]
