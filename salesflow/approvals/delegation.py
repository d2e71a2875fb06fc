"""Who may stand in for an approver who is away (issue #15: delegation within bounds).

A delegate must be able to hold the decisions of the person away:

* **Role.** For each role of theirs that decides approvals (the sales line, leadership, or a role a policy stage
  names), the delegate holds the same role or a higher one: on the sales line a supervisor hands to a supervisor,
  a manager or the director (or a leadership role above them); leadership (the GM, the VPs, the director) hand
  among leadership; any other deciding role (the accountant) only to someone holding it. Someone who decides
  nothing hands to someone holding their primary role. ``settings.APPROVAL_DELEGATE_EXTRA_ROLES`` widens this per
  role of the person away (policy data: ``{"accountant": ["finance_vp"]}``).
* **Unit.** The delegate sits in the same region as the person away (the subtree under the region), or above
  them on the path to the company; people at headquarters reach the whole company.
* **Engine.** When a stage starts, a delegate who is the requester, or who stands in the requester's reporting
  line below the person away, does not get the task: the person away keeps it (``line_below``).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from salesflow.org.models import User
from salesflow.org.roles import Role

from .resolve import SALES_LINE

# Leadership among whom approvals are handed (the administrator decides no approvals).
LEADERSHIP = [Role.GM, Role.SALES_VP, Role.MARKETING_VP, Role.FINANCE_VP, Role.DIRECTOR]


def _policy_roles() -> set[str]:
    from .models import PolicyStage

    return {r for r in PolicyStage.objects.exclude(role="").values_list("role", flat=True).distinct()}


def _eligible_roles(role: str) -> set[str]:
    if role in SALES_LINE:
        eligible = set(SALES_LINE[SALES_LINE.index(role):]) | set(LEADERSHIP)
    elif role in LEADERSHIP:
        eligible = set(LEADERSHIP)
    else:
        eligible = {role}
    return eligible | set(settings.APPROVAL_DELEGATE_EXTRA_ROLES.get(role, ()))


def _units_in_reach(user: User) -> Q:
    """The delegator's region subtree, plus the units above them (materialised paths "000001/000004/…")."""
    if user.unit_id is None:
        return Q()
    path = user.unit.path
    parts = [p for p in path.split("/") if p]
    region = "".join(p + "/" for p in parts[:2])
    above = ["".join(p + "/" for p in parts[:i]) for i in range(1, len(parts))]
    return Q(unit__path__startswith=region) | Q(unit__path__in=above)


def eligible_delegates(*, user: User) -> QuerySet[User]:
    """The active colleagues who may stand in for ``user`` (the form lists these; the service checks against it)."""
    deciding = set(SALES_LINE) | set(LEADERSHIP) | _policy_roles()
    roles = [r for r in user.role_list if r in deciding] or [user.role]
    qs = User.objects.active().exclude(pk=user.pk).filter(_units_in_reach(user))
    for role in roles:
        qs = qs.filter(pk__in=User.objects.holding(*_eligible_roles(role)).values("pk"))
    return qs.select_related("unit").order_by("name", "username")


# How high a role stands, to tell who is "below" the person away in a requester's reporting line.
_RANK = {Role.REP: 0, Role.ASSISTANT: 0, Role.SUPERVISOR: 1, Role.MANAGER: 2, Role.DIRECTOR: 3, Role.SALES_VP: 4,
         Role.MARKETING_VP: 4, Role.FINANCE_VP: 4, Role.GM: 5}


def _rank(user: User) -> int:
    return max((_RANK.get(r, 0) for r in user.roles), default=0)


def line_below(requester: User, delegator: User, *, limit: int = 20) -> set[int]:
    """The requester and their managers below the person away: walking up the reporting line, stop at the person
    away or at the first manager who stands as high as they do (the line of a VP's request passes the director
    and stops at the GM). None of these may decide the request in the absent person's place."""
    ids = {requester.pk}
    top = _rank(delegator)
    current = requester.manager if requester.manager_id else None
    while current is not None and current.pk != delegator.pk and current.pk not in ids and len(ids) < limit:
        if _rank(current) >= top:
            break
        ids.add(current.pk)
        current = current.manager if current.manager_id else None
    return ids
