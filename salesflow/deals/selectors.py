"""Permission-scoped reads of opportunities (商机); every read goes through visible_to."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.org.roles import has_capability
from salesflow.org.scope import subtree_ids

from .models import Opportunity
from .pipeline import OPEN_STAGES, Stage

# --- opportunities (商机) -------------------------------------------------------------------------------

QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)
KANBAN_CARDS = 20


def quarter_range(value: str) -> tuple[dt.datetime, dt.datetime] | None:
    """'2026Q1' → [1 Jan 2026, 1 Apr 2026) as aware datetimes in the site's time zone; None if not a quarter."""
    match = QUARTER_RE.match((value or "").strip())
    if not match:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    try:
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    except ValueError:  # 0000Q1, or 9999Q4 that would end in the year 10000: not a quarter (a 500 before)
        return None
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz), dt.datetime.combine(end, dt.time.min, tzinfo=tz))


def recent_quarters(n: int = 8) -> list[str]:
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _i in range(n):
        out.append(f"{year}Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return out


@dataclass
class OpportunityFilters:
    q: str = ""
    owner: int | None = None
    stage: str = ""
    region: int | None = None
    unit: int | None = None
    customer: int | None = None
    close_quarter: str = ""  # the expected close date falls in this quarter


def opportunities_in_scope(user, *, history: bool = True) -> QuerySet[Opportunity]:
    """``history=False``: without the closed deals of the user's customers that another owner won or lost
    (``OpportunityQuerySet.extra_scope``): figures of the user's own scope, like the funnel, leave them out."""
    if not has_capability(user, "customer.view"):
        raise PermissionRefused()
    if not history:
        return Opportunity.objects.visible_to(user, extra_scope=lambda _user, _scope: None)
    return Opportunity.objects.visible_to(user)


def opportunities_narrowed(qs, *, owner=None, region=None, unit=None):
    if owner:
        qs = qs.filter(owner_id=owner)
    if region:
        qs = qs.filter(region_id=region)
    if unit:
        qs = qs.filter(unit_id__in=subtree_ids(unit))
    return qs


def opportunity_list(*, user, filters: OpportunityFilters | None = None) -> QuerySet[Opportunity]:
    f = filters or OpportunityFilters()
    qs = opportunities_narrowed(opportunities_in_scope(user), owner=f.owner, region=f.region, unit=f.unit)
    if f.stage in Stage.values:
        qs = qs.filter(stage=f.stage)
    elif f.stage == "open":
        qs = qs.filter(stage__in=OPEN_STAGES)
    if f.customer:
        qs = qs.filter(customer_id=f.customer)
    period = quarter_range(f.close_quarter)
    if period:
        qs = qs.filter(expected_close__gte=period[0].date(), expected_close__lt=period[1].date())
    q = (f.q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(customer__name__icontains=q))
    return qs.select_related("customer", "owner", "region").order_by("-id")


def opportunity_get(*, user, opportunity_id: int) -> Opportunity:
    opportunity = (opportunities_in_scope(user).select_related("customer", "owner", "region", "unit", "lost_reason", "won_by")
                   .prefetch_related("competitors").filter(pk=opportunity_id).first())
    if opportunity is None:
        raise NotFound(_("Opportunity not found."))
    return opportunity


# What a card shows: loading only these keeps a board of 100 cards cheap to build.
CARD_FIELDS = ("id", "name", "stage", "amount", "probability", "expected_close", "owner_id", "customer_id",
               "customer__name", "owner__name", "owner__username")
# What a row of the opportunity list page shows.
LIST_FIELDS = (*CARD_FIELDS, "region_id", "region__name")


@dataclass
class KanbanColumn:
    stage: Stage
    cards: list
    count: int
    amount: object


def kanban(*, user, owner: int | None = None, unit: int | None = None, limit: int = KANBAN_CARDS,
           stages=None) -> list[KanbanColumn]:
    """Per open stage: the first ``limit`` cards (soonest expected close first), the count and the amount.
    Two queries whatever the size: one GROUP BY for the totals, one windowed query for the cards."""
    qs = opportunities_narrowed(opportunities_in_scope(user), owner=owner, unit=unit)
    stages = [Stage(s) for s in (stages or OPEN_STAGES)]
    qs = qs.filter(stage__in=stages)
    totals = {row["stage"]: row for row in qs.order_by().values("stage").annotate(n=Count("pk"), total=Sum("amount"))}
    ranked = (qs.select_related("customer", "owner").only(*CARD_FIELDS)
              .annotate(rank=Window(RowNumber(), partition_by=[F("stage")],
                                    order_by=[F("expected_close").asc(nulls_last=True), F("id").desc()]))
              .filter(rank__lte=limit).order_by("stage", "rank"))
    cards: dict[str, list] = {}
    for card in ranked:
        cards.setdefault(card.stage, []).append(card)
    return [KanbanColumn(stage=s, cards=cards.get(s, []), count=totals.get(s, {}).get("n", 0),
                         amount=totals.get(s, {}).get("total") or 0) for s in stages]


# --- pickers and managed lists -----------------------------------------------------------------------------

def opportunity_picker(*, user, owner_id: int | None = None, customer_id: int | None = None,
                       open_only: bool = False) -> QuerySet[Opportunity]:
    """Opportunities a form may offer, in ``user``'s data scope, newest first (the service checks again)."""
    qs = Opportunity.objects.visible_to(user)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if open_only:
        qs = qs.filter(stage__in=OPEN_STAGES)
    return qs.order_by("-id")


def lost_reason_list(*, active_only: bool = False) -> QuerySet:
    """Why deals are lost (a managed list, names only)."""
    from .models import LostReason

    qs = LostReason.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def competitor_list() -> QuerySet:
    from .models import Competitor

    return Competitor.objects.all()
