"""Issue #15: API tokens end (API_TOKEN_TTL_DAYS, default 90), idle ones stop working (API_TOKEN_IDLE_DAYS), and
the password exchange replaces the token of the same name and caps live tokens per person."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from salesflow.core.errors import AppError
from salesflow.org import services
from salesflow.org.models import ApiToken

from ..conftest import fresh
from ..factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token"


def _exchange(name="ERP", username="rep"):
    return Client().post(TOKEN_URL, {"username": username, "password": PASSWORD, "name": name},
                         content_type="application/json")


def _me(raw):
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def test_a_token_expires_after_its_term(org, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False)
    body = _exchange().json()
    token = ApiToken.objects.get(pk=body["id"])
    assert token.expires_at == timezone.now() + dt.timedelta(days=90)
    assert body["expires_at"].startswith("2026-04-05")
    for day in range(0, 90, 20):  # used regularly, so never idle
        time_machine.move_to(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC) + dt.timedelta(days=day), tick=False)
        assert _me(body["token"]) == 200
    time_machine.move_to(dt.datetime(2026, 4, 5, 9, 1, tzinfo=dt.UTC), tick=False)
    assert _me(body["token"]) == 401


def test_the_term_is_a_setting(org, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    token, _raw = services.api_token_create(by=fresh(org.rep), name="短期")
    assert token.expires_at - token.created_at < dt.timedelta(days=7, seconds=5)


def test_an_idle_token_stops_working(org, time_machine, settings):
    settings.API_TOKEN_IDLE_DAYS = 30
    time_machine.move_to(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False)
    raw = _exchange().json()["token"]
    time_machine.move_to(dt.datetime(2026, 2, 5, 9, tzinfo=dt.UTC), tick=False)
    assert _me(raw) == 401


def test_the_exchange_replaces_the_token_of_the_same_name(org):
    first, second = _exchange().json(), _exchange().json()
    other = _exchange(name="BI").json()
    assert _me(first["token"]) == 401 and _me(second["token"]) == 200 and _me(other["token"]) == 200
    assert ApiToken.objects.get(pk=first["id"]).revoked_at is not None
    live = [t for t in ApiToken.objects.filter(user=org.rep) if t.is_active]
    assert sorted(t.name for t in live) == ["BI", "ERP"]


def test_live_tokens_are_capped_per_person(org, settings):
    settings.API_TOKEN_MAX_PER_USER = 3
    for i in range(3):
        assert _exchange(name=f"集成{i}").status_code == 201
    refused = _exchange(name="集成9")
    assert refused.status_code == 400 and refused.json()["code"] == "token_limit_reached"
    with pytest.raises(AppError):
        services.api_token_create(by=fresh(org.rep), name="页面")
    assert _exchange(name="集成0").status_code == 201  # replacing one of the same name stays possible
    assert _exchange(username="rep2", name="集成9").status_code == 201  # the cap is per person


def test_tokens_page_shows_expiry_and_refuses_beyond_the_cap(org, client_for, settings):
    settings.API_TOKEN_MAX_PER_USER = 1
    c = client_for(org.rep)
    c.post("/account/tokens/", {"name": "一"})
    html = c.post("/account/tokens/", {"name": "二"}, follow=True).content.decode()
    assert "revoke one first" in html and ApiToken.objects.filter(user=org.rep).count() == 1
    token = ApiToken.objects.get(user=org.rep)
    assert token.expires_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in html
    # Another rep does not see the token on their page.
    assert token.prefix not in client_for(org.rep2).get("/account/tokens/").content.decode()
