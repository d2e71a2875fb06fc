"""Visits fixtures: a frozen clock (Wednesday 13 May 2026, 10:00 in Shanghai) and helpers built on the services."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from salesflow.visits import services

from ..conftest import fresh

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 5, 11)
WEDNESDAY = dt.date(2026, 5, 13)
NOW = dt.datetime(2026, 5, 13, 10, 0, tzinfo=SH)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def make_plan(org, clock):
    """make_plan(by, period="week", day=WEDNESDAY, items=[{...}]) → a plan built through the services."""

    def make(by=None, period="week", day=WEDNESDAY, items=(), focus=""):
        by = fresh(by or org.rep)
        plan = services.plan_create(by=by, period=period, day=day, focus=focus)
        for item in items:
            services.plan_item_add(by=by, plan=plan, data=item)
        return plan

    return make


@pytest.fixture
def log_visit(org, clock):
    """log_visit(by, customer=…, when=…, **data) → a visit log through the service."""

    def make(by=None, customer=None, when=None, **data):
        by = fresh(by or org.rep)
        payload = {"outcome": "介绍了新产品，客户有兴趣", "customer_id": customer.pk if customer is not None else None}
        if when is not None:
            payload["visited_at"] = when
        payload.update(data)
        return services.visit_log_create(by=by, data=payload)

    return make
