"""A user's data scope, computed once per request and cached on the user object.

Every business queryset applies it through ``visible_to(user)``; nothing else decides who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from .models import OrgUnit
from .roles import LEADERSHIP, ROLE_SCOPE, UNIT_HEADS, Scope, widest_scope


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
        # The widest scope of every role held; the primary role's answers alone (no query) when it is "all".
        kind = ROLE_SCOPE.get(user.role, Scope.NONE)
        if kind != Scope.ALL:
            kind = widest_scope(user.roles)
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
    if viewer.holds_any(LEADERSHIP):
        return True
    if viewer.holds_any(UNIT_HEADS):
        return unit_id is not None and unit_id in data_scope(viewer).unit_ids
    return False


def scope_q(user, *, owner: str = "owner_id", unit: str = "unit_id", owner_always: bool = False, extra=None):
    """The one data-scope rule for records that carry an owner and the owner's unit (customers, opportunities,
    leads…): a Q to filter on, or None for "everything" (leadership). A rep: their own; a unit head: their
    subtree (records carry the owner's unit, kept by the services, so their own are in it too); no scope:
    nothing.

    ``owner_always``: the owner field names someone who keeps their own records whatever their role's scope (a
    requester and their requests, even when the requester's unit has moved out of a unit head's subtree).
    ``extra``: more records the user may read beyond the owner/unit rule (the approver asked to decide, the
    customer-service supervisor after the hand-over, the public pool…): a Q, or a callable taking the
    ``DataScope`` and returning a Q or None; OR'd in for everybody but leadership, who already see everything."""
    scope = data_scope(user)
    if scope.kind == Scope.ALL:
        return None
    if scope.user_id is None:  # anonymous or deactivated: nothing, whatever the model adds
        return Q(pk__in=[])
    parts = []
    if scope.kind == Scope.UNIT:
        parts.append(Q(**{f"{unit}__in": scope.unit_ids}))
    if scope.kind == Scope.OWN or owner_always:
        parts.append(Q(**{owner: scope.user_id}))
    more = extra(scope) if callable(extra) else extra
    if more is not None:
        parts.append(more)
    if not parts:
        return Q(pk__in=[])
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


class ScopedQuerySet(models.QuerySet):
    """The base of every business queryset with a data scope: ``Model.objects.visible_to(user)``.

    A model declares which field holds the record's owner and which the owner's unit, and may add the records
    a user reads beyond them (``extra_scope``); the rule itself is ``scope_q`` above, written once::

        class ProspectQuerySet(ScopedQuerySet):
            scope_owner = "consultant_id"

            def extra_scope(self, user, scope):
                return Q(service_owner_id=user.pk) if user.holds(Role.SERVICE) else None
    """

    scope_owner: str = "owner_id"
    scope_unit: str = "unit_id"
    scope_owner_always: bool = False

    def extra_scope(self, user, scope: DataScope) -> Q | None:
        """Records ``user`` reads beyond their owner/unit scope (never called for leadership)."""
        return None

    def scope_q(self, user, *, extra_scope=None) -> Q | None:
        extra = extra_scope or self.extra_scope
        return scope_q(user, owner=self.scope_owner, unit=self.scope_unit, owner_always=self.scope_owner_always,
                       extra=lambda scope: extra(user, scope))

    def visible_to(self, user, *, extra_scope=None):
        """The records ``user`` may read. ``extra_scope`` (same signature as the method) stands in for the model's
        own for one read: the public pool reads customers with the pool's reach instead of the hand-over's."""
        q = self.scope_q(user, extra_scope=extra_scope)
        return self if q is None else self.filter(q)
