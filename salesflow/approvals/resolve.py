"""Who approves a stage: resolved through the organisation when the stage starts.

A person may hold several roles (org: ``User.roles``); every lookup here goes through any of them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from salesflow.org.models import OrgUnit, User
from salesflow.org.roles import Role
from salesflow.org.selectors import users_holding

from .models import ApproverRule, Delegation

# The sales line from the bottom up. A stage whose lane is on it is fulfilled by a requester who holds that lane
# or one above it: a supervisor's own discount request is the supervisor's D8 decision (002 D8 "销售主管…确定是否
# 给予客户优惠条件"), and a sales manager asking for terms has both decided to give them (D8) and reviewed them (C9).
# This is our reading: the seed's chain starts from a consultant's customer and does not say who stands in when a
# senior person sells.
SALES_LINE = [Role.SUPERVISOR, Role.MANAGER, Role.DIRECTOR]


def lane_of(rule: str, role: str) -> str | None:
    """The role whose lane a stage sits in (its column in 002's chart), or None for the requester's own manager."""
    if rule == ApproverRule.REQUESTER_SUPERVISOR:
        return Role.SUPERVISOR
    if rule == ApproverRule.REGION_MANAGER:
        return Role.MANAGER
    if rule == ApproverRule.ROLE:
        return role or None
    return None


def fulfils_by_submitting(requester: User, rule: str, role: str) -> bool:
    """Whether the requester's own submission is this stage's decision: a stage on the sales line whose lane the
    requester holds, or a higher one (issue #13: "a requester who holds a stage's lane fulfils that stage by
    submitting")."""
    lane = lane_of(rule, role)
    if lane not in SALES_LINE:
        # Beyond the sales line (the marketing VP's B9, the GM's A9) a stage is someone else's judgement of the
        # request: a requester who also holds that role is simply not asked, and nobody decides their own request.
        return False
    if requester.holds(lane):
        return True
    rank = SALES_LINE.index(lane)
    return any(requester.holds(higher) for higher in SALES_LINE[rank + 1:])


def _ancestors(unit_id: int | None) -> list[int]:
    if unit_id is None:
        return []
    path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or ""
    return [int(p) for p in path.strip("/").split("/") if p]


def _first_with_role(role: str, unit_ids: list[int]) -> list[User]:
    """The nearest unit (walking up from the requester) that has an active user with this role."""
    found = list(users_holding(role).filter(unit_id__in=unit_ids).order_by("id"))
    for unit_id in reversed(unit_ids):
        here = [u for u in found if u.unit_id == unit_id]
        if here:
            return here
    return []


def resolve(rule: str, role: str, requester: User) -> list[User]:
    units = _ancestors(requester.unit_id)
    boss = requester.manager if requester.manager_id and requester.manager.is_active else None
    if rule == ApproverRule.REQUESTER_SUPERVISOR:
        if boss is not None and boss.holds(Role.SUPERVISOR):
            return [boss]
        return _first_with_role(Role.SUPERVISOR, units)
    if rule == ApproverRule.REQUESTER_MANAGER:
        return [boss] if boss is not None else []
    if rule == ApproverRule.REGION_MANAGER:
        return _first_with_role(Role.MANAGER, units)
    if rule == ApproverRule.ROLE:
        return list(users_holding(role).order_by("id"))
    return []


def next_level_up(user: User, escalation: dict[str, str], lane: str | None = None) -> list[User]:
    """Escalation: the policy's role map first (e.g. supervisor → manager), read for the role the person acts in
    (the stage's lane, else any role of theirs the map names), else the user's own manager."""
    acting = [lane] if lane and lane in escalation else sorted(r for r in user.roles if r in escalation)
    for source in acting:
        target_role = escalation[source]
        people = _first_with_role(target_role, _ancestors(user.unit_id)) or list(
            users_holding(target_role).order_by("id"))
        if people:
            return people
    return [user.manager] if user.manager_id and user.manager.is_active else []


def with_delegation(users: list[User], on: dt.date, requester: User | None = None) -> list[tuple[User, User | None]]:
    """(assignee, on_behalf_of): someone away hands their approvals to the delegate of the day — unless the delegate
    is the requester or stands in the requester's reporting line below them (issue #15): then they keep it."""
    from .delegation import line_below

    if not users:
        return []
    active = {
        d.user_id: d.delegate
        for d in Delegation.objects.select_related("delegate").filter(
            Q(user__in=users), starts_on__lte=on, ends_on__gte=on, delegate__is_active=True)
    }
    pairs = []
    for user in users:
        delegate = active.get(user.pk)
        if delegate is not None and requester is not None and delegate.pk in line_below(requester, user):
            delegate = None
        pairs.append((delegate, user) if delegate is not None else (user, None))
    return pairs
