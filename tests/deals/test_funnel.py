"""Funnel figures (seed 004, R26) against a hand-computed fixture: six deals of Q1 2026 with known histories.

    deal  amount  path (day after 5 Jan 2026)                         now    furthest
    A     100     contact 0 → needs 10 → quote 20 → won 30            won    won
    B     200     contact 0 → needs 5 → lost 15                       lost   needs
    C     300     contact 0 → quote 8 → sign 18 → won 48 (skips needs) won    won
    D     400     contact 0                                           contact contact
    E     500     contact 0 → needs 20                                needs  needs
    F     600     contact 0 → needs 4 → quote 10 → lost 12            lost   quote

reached: contact 6, needs 5 (C counts: it got further), quote 3, sign 2, won 2
conversion: 5/6, 3/5, 2/3, 2/2 · win rate 2/4 · cycle (30 + 48) / 2 = 39 days
days in stage: contact (10+5+8+20+4)/5 = 9.4, needs (10+10+6)/3 = 8.67, quote (10+10+2)/3 = 7.33, sign 30
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesflow.deals import services
from salesflow.deals.funnel import FunnelFilters, pipeline_summary
from salesflow.deals.models import Opportunity, OpportunityStageChange

from ..conftest import fresh

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
PATHS = {
    "A": (100, [("contact", 0), ("needs", 10), ("quote", 20), ("won", 30)]),
    "B": (200, [("contact", 0), ("needs", 5), ("lost", 15)]),
    "C": (300, [("contact", 0), ("quote", 8), ("sign", 18), ("won", 48)]),
    "D": (400, [("contact", 0)]),
    "E": (500, [("contact", 0), ("needs", 20)]),
    "F": (600, [("contact", 0), ("needs", 4), ("quote", 10), ("lost", 12)]),
}


def build(user, customer, name, amount, path, reason, start=START):
    """Through the real services, then the clock is set back to the path's days."""
    o = services.opportunity_create(by=user, customer_id=customer.pk, data={"name": name, "amount": str(amount)})
    for stage, _day in path[1:]:
        if stage == "won":
            services.opportunity_win(by=user, opportunity_id=o.pk)
        elif stage == "lost":
            services.opportunity_lose(by=user, opportunity_id=o.pk, reason_id=reason.pk)
        else:
            services.opportunity_move(by=user, opportunity_id=o.pk, to_stage=stage)
    previous = None
    for change, (_stage, day) in zip(o.stage_changes.order_by("id"), path, strict=True):
        at = start + dt.timedelta(days=day)
        seconds = 0 if previous is None else int((at - previous).total_seconds())
        OpportunityStageChange.objects.filter(pk=change.pk).update(at=at, seconds_in_stage=seconds)
        previous = at
    closed = previous if path[-1][0] in ("won", "lost") else None
    Opportunity.objects.filter(pk=o.pk).update(first_contact_at=start, stage_entered_at=previous, closed_at=closed)
    return o


@pytest.fixture
def deals(org, lost_reason):
    for name, (amount, path) in PATHS.items():
        build(org.rep, org.cust_rep, name, amount, path, lost_reason)
    # Outside the figures below: a rep of the north, and a deal first contacted in the previous quarter.
    build(org.rep2, org.cust_rep2, "N", 999, [("contact", 0), ("won", 10)], lost_reason)
    build(org.rep, org.cust_rep, "Old", 50, [("contact", 0)], lost_reason, start=dt.datetime(2025, 11, 3, tzinfo=dt.UTC))


def test_figures_match_the_hand_computed_fixture(org, deals):
    s = pipeline_summary(user=fresh(org.rep), filters=FunnelFilters(period="2026Q1"))
    stages = {row["stage"]: row for row in s["stages"]}
    assert s["count"] == 6 and s["amount"] == Decimal(2100)
    assert list(stages) == ["contact", "needs", "quote", "sign"]  # after-sales follows the win: no stage (R15)
    assert [stages[k]["count"] for k in stages] == [1, 1, 0, 0]
    assert [stages[k]["reached"] for k in stages] == [6, 5, 3, 2]
    assert stages["needs"]["reached_amount"] == Decimal(1700)
    assert [stages[k]["conversion"] for k in stages] == [0.8333, 0.6, 0.6667, 1.0]
    assert stages["sign"]["next_stage"] == "won"
    assert s["won"] == {"count": 2, "amount": Decimal(400)} and s["lost"] == {"count": 2, "amount": Decimal(800)}
    assert s["win_rate"] == 0.5
    assert s["avg_cycle_days"] == 39.0
    assert [stages[k]["avg_days_in_stage"] for k in stages] == [9.4, 8.67, 7.33, 30.0]


def test_period_scope_and_filters(org, deals):
    assert pipeline_summary(user=fresh(org.rep))["count"] == 7  # all time: the November deal too
    assert pipeline_summary(user=fresh(org.rep), filters=FunnelFilters(period="2025Q4"))["count"] == 1
    everyone = pipeline_summary(user=fresh(org.admin), filters=FunnelFilters(period="2026Q1"))
    assert everyone["count"] == 7 and everyone["win_rate"] == 0.6  # 3 won, 2 lost
    north = pipeline_summary(user=fresh(org.admin), filters=FunnelFilters(region=org.north.pk))
    assert north["count"] == 1 and north["avg_cycle_days"] == 10.0
    assert pipeline_summary(user=fresh(org.manager2), filters=FunnelFilters(owner=org.rep.pk))["count"] == 0
    team = pipeline_summary(user=fresh(org.supervisor), filters=FunnelFilters(unit=org.east_team.pk, period="2026Q1"))
    assert team["count"] == 6
    assert pipeline_summary(user=fresh(org.rep_b))["count"] == 0


def test_figures_take_a_fixed_number_of_queries(org, deals, lost_reason):
    user = fresh(org.admin)
    pipeline_summary(user=user)
    with CaptureQueriesContext(connection) as before:
        pipeline_summary(user=user)
    for i in range(5):
        build(org.rep, org.cust_rep, f"X{i}", 10, [("contact", 0), ("needs", 3), ("won", 9)], lost_reason)
    with CaptureQueriesContext(connection) as after:
        pipeline_summary(user=user)
    assert len(before) == len(after) <= 4


def test_R26_key_measures_conversion_win_rate_and_sales_cycle_are_reported_per_scope(org, deals):
    # R26: conversion rate and sales cycle (004), by rep/region — a rep's figures never include another region.
    rep = pipeline_summary(user=fresh(org.rep), filters=FunnelFilters(period="2026Q1"))
    north = pipeline_summary(user=fresh(org.rep2), filters=FunnelFilters(period="2026Q1"))
    assert rep["stages"][0]["conversion"] == 0.8333 and rep["win_rate"] == 0.5 and rep["avg_cycle_days"] == 39.0
    assert north["count"] == 1 and north["win_rate"] == 1.0 and north["avg_cycle_days"] == 10.0
