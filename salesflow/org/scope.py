"""A user's data scope, computed once per request and cached on the user object.

Every business queryset applies it through ``visible_to(user)``; nothing else decides who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import OrgUnit
from .roles import LEADERSHIP, ROLE_SCOPE, UNIT_HEADS, Scope


@dataclass(frozen=True)
class DataScope:
    kind: str
    user_id: int | None
    unit_ids: frozenset[int]

    @property
    def sees_all(self) -> bool:
        return self.kind == Scope.ALL


def subtree_ids(unit_id: int | None) -> frozenset[int]:
    if unit_id is None:
        return frozenset()
    path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    if not path:
        return frozenset()
    return frozenset(OrgUnit.objects.filter(path__startswith=path).values_list("id", flat=True))


def data_scope(user) -> DataScope:
    cached = getattr(user, "_salesflow_scope", None)
    if cached is not None:
        return cached
    if user is None or not user.is_authenticated or not user.is_active:
        scope = DataScope(Scope.NONE, None, frozenset())
    else:
        kind = ROLE_SCOPE.get(user.role, Scope.NONE)
        units = subtree_ids(user.unit_id) if kind == Scope.UNIT else frozenset()
        scope = DataScope(kind, user.pk, units)
    user._salesflow_scope = scope
    return scope


def is_above(viewer, *, owner_id: int | None, unit_id: int | None) -> bool:
    """The owner themselves, leadership, or a unit head whose subtree holds the record."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if owner_id is not None and viewer.pk == owner_id:
        return True
    if viewer.role in LEADERSHIP:
        return True
    if viewer.role in UNIT_HEADS:
        return unit_id is not None and unit_id in data_scope(viewer).unit_ids
    return False


def scope_q(user, *, owner: str = "owner_id", unit: str = "unit_id"):
    """The one data-scope rule for records that carry an owner and the owner's unit (customers, opportunities,
    leads…): a Q to filter on, or None for "everything" (leadership). A rep: their own; a unit head: their
    subtree (records carry the owner's unit, kept by the services, so their own are in it too); no scope:
    nothing."""
    from django.db.models import Q

    scope = data_scope(user)
    if scope.kind == Scope.ALL:
        return None
    if scope.kind == Scope.UNIT:
        return Q(**{f"{unit}__in": scope.unit_ids})
    if scope.kind == Scope.OWN:
        return Q(**{owner: scope.user_id})
    return Q(pk__in=[])
