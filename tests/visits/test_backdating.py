"""Issue #15: a visit cannot be back-dated beyond a configurable window (VISIT_BACKDATE_DAYS, default 7)."""

import datetime as dt

import pytest

from salesflow.core.errors import ValidationFailed
from salesflow.visits import services
from salesflow.visits.models import VisitLog

from ..conftest import fresh
from .conftest import NOW


def test_a_visit_older_than_the_window_is_refused(org, log_visit):
    with pytest.raises(ValidationFailed) as exc:
        log_visit(customer=org.cust_rep, when=(NOW - dt.timedelta(days=8)).isoformat())
    assert "within 7 days" in exc.value.fields["visited_at"][0]
    assert not VisitLog.objects.exists()


def test_a_visit_inside_the_window_is_logged(org, log_visit):
    log = log_visit(customer=org.cust_rep, when=(NOW - dt.timedelta(days=6, hours=23)).isoformat())
    assert log.visited_at == NOW - dt.timedelta(days=6, hours=23)


def test_the_window_is_a_setting(org, log_visit, settings):
    settings.VISIT_BACKDATE_DAYS = 30
    log_visit(customer=org.cust_rep, when=(NOW - dt.timedelta(days=20)).isoformat())
    settings.VISIT_BACKDATE_DAYS = 1
    with pytest.raises(ValidationFailed):
        log_visit(customer=org.cust_rep, when=(NOW - dt.timedelta(days=2)).isoformat())


def test_the_demo_back_dates_through_its_own_clock(org, clock):
    # The sanctioned way (the demo builder): the check-in clock ``now`` is passed, so the window counts from it.
    when = NOW - dt.timedelta(days=40)
    log = services.visit_log_create(by=fresh(org.rep), now=when + dt.timedelta(minutes=5), data={
        "customer_id": org.cust_rep.pk, "visited_at": when.isoformat(), "outcome": "演示数据"})
    assert log.visited_at == when


def test_the_api_refuses_a_back_dated_visit(org, clock, client_for):
    response = client_for(org.rep).post("/api/v1/visit-logs", {
        "customer_id": org.cust_rep.pk, "visited_at": (NOW - dt.timedelta(days=10)).isoformat(),
        "outcome": "补录"}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "visited_at" in response.json()["fields"]
