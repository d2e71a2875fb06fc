"""The activity timeline of a customer or an opportunity (visits, reception records, stage changes, quotes later).

Each app that records activities registers a *source* (a hook handler, ADR 0004) in its AppConfig.ready:

    activity.SOURCES.register(source)

    def source(*, user, customer_id=None, opportunity_id=None, limit=50) -> Iterable[dict | Activity]

A source answers for one customer or one opportunity, newest first, at most ``limit`` items, reading through
its own permission-scoped selectors (so an item the user may not see never reaches the page). The detail pages
merge the sources newest first. Each source is one or two queries whatever the number of items.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass

from django.utils import timezone

from .hooks import Hook


@dataclass(frozen=True)
class Activity:
    at: dt.datetime
    kind: str  # "visit", "reception", "stage", …: picks the icon and the filter
    label: str  # the kind, translated: 拜访记录, 接待记录…
    title: str
    summary: str = ""
    url: str = ""
    actor: str = ""


SOURCES = Hook(
    "core.activity_sources",
    signature="source(*, user, customer_id=None, opportunity_id=None, limit=50) -> Iterable[dict | Activity]",
    doc="Read-only: the items of one customer's or one opportunity's timeline the user may see, newest first.",
    in_transaction=False,
)


def _as_activity(item) -> Activity:
    if isinstance(item, Activity):
        return item
    return Activity(at=item["at"], kind=item.get("kind", ""), label=str(item.get("label") or item.get("kind", "")),
                    title=str(item.get("title", "")), summary=str(item.get("summary", "") or ""),
                    url=item.get("url", "") or "", actor=str(item.get("actor", "") or ""))


def _key(a: Activity):
    at = a.at
    if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time.min)
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at


def _merged(user, limit: int, **target) -> list[Activity]:
    streams = []
    for items in SOURCES.call(user=user, limit=limit, **target).values():
        streams.append(sorted((_as_activity(i) for i in items), key=_key, reverse=True))
    return list(heapq.merge(*streams, key=_key, reverse=True))[:limit]


def for_customer(user, customer_id: int, limit: int = 50) -> list[Activity]:
    return _merged(user, limit, customer_id=customer_id)


def for_opportunity(user, opportunity_id: int, limit: int = 50) -> list[Activity]:
    return _merged(user, limit, opportunity_id=opportunity_id)
