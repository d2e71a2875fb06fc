"""Which pool policy applies where: the nearest unit (itself, then upwards) with a row, else the company row,
else the built-in defaults. Leads (claim cap, contact limit, qualifying score) and customers read it alike."""

from __future__ import annotations

from django.db.models import Q

from salesflow.org.models import OrgUnit

from .models import PoolPolicy

DEFAULT_POLICY = PoolPolicy(claim_cap=50, contact_limit_hours=18, qualify_threshold=60)


def policy_for(unit: OrgUnit | None) -> PoolPolicy:
    """The pool policy of the nearest unit (itself, then upwards) that has one, else the company default."""
    ids = unit.ancestor_ids if unit is not None else []
    return nearest_policy(ids, {p.unit_id: p for p in PoolPolicy.objects.filter(Q(unit_id__in=ids)
                                                                                 | Q(unit__isnull=True))})


def nearest_policy(ancestor_ids: list[int], policies: dict[int | None, PoolPolicy]) -> PoolPolicy:
    """The one inheritance rule: the first of the unit's ancestors (nearest first) with a row, else the company
    row, else the built-in defaults."""
    for pk in ancestor_ids:
        if pk in policies:
            return policies[pk]
    return policies.get(None) or DEFAULT_POLICY


def all_policies() -> list[PoolPolicy]:
    """Every policy a unit can end up with: the rows, and the built-in defaults where no company row exists."""
    rows = list(PoolPolicy.objects.all())
    return rows if any(p.unit_id is None for p in rows) else [*rows, DEFAULT_POLICY]


class PolicyBook:
    """Every pool policy and the unit tree read once, for sweeps and pages that resolve many units."""

    def __init__(self):
        self.policies = {p.unit_id: p for p in PoolPolicy.objects.select_related("unit")}
        self.paths = dict(OrgUnit.objects.values_list("id", "path"))

    def ancestors(self, unit_id: int | None) -> list[int]:
        path = self.paths.get(unit_id, "") if unit_id is not None else ""
        return [int(part) for part in reversed(path.split("/")) if part]

    def for_unit(self, unit_id: int | None) -> PoolPolicy:
        return nearest_policy(self.ancestors(unit_id), self.policies)

    def nearest_inherited(self, unit: OrgUnit) -> PoolPolicy:
        """The policy a unit inherits when it has none of its own: the nearest unit above it with one, else the
        company default."""
        return self.for_unit(unit.parent_id) if unit.parent_id else self.for_unit(None)
