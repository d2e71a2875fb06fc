"""Who sees and may claim what waits in the public pool (公海): the one rule for leads and customers."""

from __future__ import annotations

from django.db.models import Q

from salesflow.org.roles import Scope
from salesflow.org.scope import data_scope


def pool_reach_q(user, scope, *, owner: str = "owner_id", unit: str = "unit_id"):
    """What the public pool (公海) adds to a user's data scope, for any record with an owner and a unit (leads,
    customers): a rep also sees the unowned records waiting in their own unit's pool or a pool above it. A unit
    head's subtree already holds its pools, leadership sees everything, a role without data scope no pool.
    An ``extra_scope`` for ``org.scope.ScopedQuerySet``."""
    if scope.kind != Scope.OWN:
        return None
    return Q(**{f"{owner}__isnull": True, f"{unit}__in": pool_unit_ids(user)})


def in_pool_scope(user, unit_id: int | None) -> bool:
    """Whether a pool record waiting in ``unit_id`` is in ``user``'s pool (the Python twin of pool_reach_q)."""
    scope = data_scope(user)
    if scope.kind == Scope.ALL:
        return True
    if scope.kind == Scope.UNIT:
        return unit_id in scope.unit_ids
    if scope.kind == Scope.OWN:
        return unit_id in pool_unit_ids(user)
    return False


def pool_unit_ids(user) -> list[int]:
    """The units whose pool a user may claim from: their own unit and those above it (read from its path)."""
    cached = getattr(user, "_salesflow_pool_units", None)
    if cached is not None:
        return cached
    unit = user.unit if user.unit_id else None
    ids = unit.ancestor_ids if unit is not None else []
    user._salesflow_pool_units = ids
    return ids
