"""Funnel figures of seed 004 (R26): count and amount per stage, stage-to-stage conversion, win rate, average
sales cycle and average time in each stage — under the user's data scope, per rep, team, region and quarter.

Definitions (the tests check them against a hand-computed fixture):
- The set is the opportunities visible to the user, narrowed by rep / team / region; a quarter keeps the
  opportunities *first contacted* in it (a cohort), so every figure of one quarter is about the same deals.
- ``count``/``amount``: where the deals are now. ``reached``: deals that entered the stage or any later one
  (won counts as beyond 签约与交付; a lost deal counts up to the furthest open stage it entered), so a deal
  that skipped a stage still counts for it. ``conversion``: reached(next) / reached(this); the next of the
  last open stage is won.
- ``win_rate``: won / (won + lost) among the closed deals of the set.
- ``avg_cycle_days``: mean of closed_at − first_contact_at over the won deals.
- ``avg_days_in_stage``: mean of OpportunityStageChange.seconds_in_stage over finished stays in the stage
  (a deal still sitting in a stage does not count until it leaves).
- After-sales (售后服务) is not a stage: a deal is won when the contract is signed (002 E7) and service follows as
  the customer's phase, so its time is in neither the stages' stays nor the sales cycle.
- ``customer_conversion`` (004 转化率, "潜在客户转化为实际客户的比例"): of the prospects (reception) and leads
  (leads) in the set — in the user's data scope, narrowed by rep / team / region like the deals, and with a
  quarter those *registered or created* in it (a cohort, like the deals) — how many became a customer file.
  Those apps sit above deals, so each counts its own records through ``hooks.CUSTOMER_CONVERSIONS``.

Two aggregate queries for the deals plus one per conversion source, whatever the number of records; the only
Python loops run over the stages and the sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    Sum,
)

from salesflow.core.dbfunctions import SecondsBetween

from .hooks import CUSTOMER_CONVERSIONS
from .models import OpportunityStageChange
from .pipeline import FUNNEL_RANK, OPEN_STAGES, Stage
from .selectors import opportunities_in_scope, opportunities_narrowed, quarter_range

RANK = FUNNEL_RANK
DAY = 86400


@dataclass
class FunnelFilters:
    owner: int | None = None
    unit: int | None = None
    region: int | None = None
    period: str = ""  # a quarter such as 2026Q1


@dataclass
class Conversion:
    """One source's answer to CUSTOMER_CONVERSIONS: of ``total`` records in the set, ``converted`` became
    customers."""

    source: str  # "leads", "prospects"
    label: str
    total: int
    converted: int


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def customer_conversion(*, user, filters: FunnelFilters, period) -> dict:
    """Seed 004's conversion rate over every source that registered (leads, prospects), and per source."""
    sources = []
    for answer in CUSTOMER_CONVERSIONS.call(user=user, owner=filters.owner, unit=filters.unit,
                                            region=filters.region, period=period).values():
        if answer is None:
            continue
        sources.append({"source": answer.source, "label": str(answer.label), "total": answer.total,
                        "converted": answer.converted, "rate": _rate(answer.converted, answer.total)})
    total = sum(s["total"] for s in sources)
    converted = sum(s["converted"] for s in sources)
    return {"total": total, "converted": converted, "rate": _rate(converted, total), "sources": sources}


def pipeline_summary(*, user, filters: FunnelFilters | None = None) -> dict:
    f = filters or FunnelFilters()
    base = opportunities_narrowed(opportunities_in_scope(user, history=False), owner=f.owner, unit=f.unit, region=f.region)
    period = quarter_range(f.period)
    if period:
        base = base.filter(first_contact_at__gte=period[0], first_contact_at__lt=period[1])
    base = base.order_by()

    # 1–3. Where the deals are now, the furthest stage each entered (kept on the deal by the services) and the
    # sales cycle (closed − first contact; only the won rows' figure is used): one GROUP BY of at most 7 × 6 rows.
    now: dict[str, dict] = {}
    by_rank: dict[int, dict] = {}
    cycle_seconds, cycle_n = 0.0, 0
    span = SecondsBetween("closed_at", "first_contact_at")
    for row in base.values("stage", "furthest_rank").annotate(n=Count("pk"), total=Sum("amount"),
                                                              cycle=Sum(span), cycle_n=Count(span)):
        for key, bucket in ((row["stage"], now), (row["furthest_rank"], by_rank)):
            acc = bucket.setdefault(key, {"n": 0, "total": Decimal(0)})
            acc["n"] += row["n"]
            acc["total"] += row["total"] or Decimal(0)
        if row["stage"] == Stage.WON and row["cycle_n"]:
            cycle_seconds += row["cycle"]
            cycle_n += row["cycle_n"]

    # 4. Finished stays per stage.
    stays = {row["from_stage"]: row["avg"] for row in OpportunityStageChange.objects
             .filter(opportunity__in=base.values("pk"), from_stage__in=OPEN_STAGES).order_by()
             .values("from_stage").annotate(avg=Avg("seconds_in_stage"))}

    def reached(stage) -> tuple[int, Decimal]:
        rows = [row for r, row in by_rank.items() if r is not None and r >= RANK[stage]]
        return sum(row["n"] for row in rows), sum((row["total"] or Decimal(0) for row in rows), Decimal(0))

    stages = []
    chain = [*OPEN_STAGES, Stage.WON]
    for i, stage in enumerate(OPEN_STAGES):
        n_reached, amount_reached = reached(stage)
        n_next, _amount = reached(chain[i + 1])
        stay = stays.get(stage)
        stages.append({
            "stage": str(stage), "label": str(stage.label),
            "count": now.get(stage, {}).get("n", 0), "amount": now.get(stage, {}).get("total") or Decimal(0),
            "reached": n_reached, "reached_amount": amount_reached,
            "conversion": _rate(n_next, n_reached), "next_stage": str(chain[i + 1]),
            "avg_days_in_stage": round(float(stay) / DAY, 2) if stay is not None else None,
        })
    won, lost = now.get(Stage.WON, {}), now.get(Stage.LOST, {})
    won_n, lost_n = won.get("n", 0), lost.get("n", 0)
    total_n = sum(row["n"] for row in now.values())
    return {
        "filters": {"owner": f.owner, "unit": f.unit, "region": f.region, "period": f.period if period else ""},
        "count": total_n,
        "amount": sum((row["total"] or Decimal(0) for row in now.values()), Decimal(0)),
        "stages": stages,
        "won": {"count": won_n, "amount": won.get("total") or Decimal(0)},
        "lost": {"count": lost_n, "amount": lost.get("total") or Decimal(0)},
        "win_rate": _rate(won_n, won_n + lost_n),
        "avg_cycle_days": round(cycle_seconds / cycle_n / DAY, 2) if cycle_n else None,
        "customer_conversion": customer_conversion(user=user, filters=f, period=period),
    }
