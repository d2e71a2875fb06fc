"""Whom to ask about a record one may not see: the head of the unit that keeps it (issue #15).

A duplicate warning must tell a rep that the customer (lead, prospect) already exists without naming a record
outside their scope; it names the person to ask instead: the nearest active supervisor or manager at or above the
record's unit (a team's supervisor, else the office's, else the region's manager).
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import OrgUnit, User
from .roles import UNIT_HEADS


def unit_heads(unit_ids: Iterable[int | None]) -> dict[int, User]:
    """{unit id: its nearest head} for each unit that has one at or above it; two queries whatever the count."""
    wanted = {u for u in unit_ids if u}
    if not wanted:
        return {}
    chains = {unit.pk: unit.ancestor_ids for unit in OrgUnit.objects.filter(pk__in=wanted).only("id", "path")}
    above = {a for chain in chains.values() for a in chain}
    heads: dict[int, User] = {}
    for user in (User.objects.active().holding(*UNIT_HEADS).filter(unit_id__in=above)
                 .select_related("unit").order_by("pk")):
        heads.setdefault(user.unit_id, user)
    return {pk: heads[next(a for a in chain if a in heads)] for pk, chain in chains.items()
            if any(a in heads for a in chain)}


def whom_to_ask(unit_ids: Iterable[int | None]) -> dict[int | None, str]:
    """{unit id: whom to ask about a record it keeps}: "华东大区的赵磊", or the administrator when nobody heads
    the unit (a record without a unit too)."""
    from django.utils.translation import gettext as _

    unit_ids = set(unit_ids)
    heads = unit_heads(unit_ids)
    return {u: _("{name} of {unit}").format(name=heads[u].display_name, unit=heads[u].unit.name) if u in heads
            else _("the system administrator") for u in unit_ids}
