"""/api/v1/opportunities and /api/v1/pipeline/summary: scope, refusals, moves, closing, query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesflow.deals.models import Opportunity

pytestmark = pytest.mark.django_db
BASE = "/api/v1/opportunities"


def send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def test_create_get_patch_move_win(org, client_for):
    c = client_for(org.rep)
    r = send(c, "post", BASE, {"customer_id": org.cust_rep.pk, "name": "API 商机", "amount": "120000.50",
                               "expected_close": "2026-03-31"})
    assert r.status_code == 201, r.content
    oid = r.json()["id"]
    assert r.json()["stage"] == "contact" and r.json()["probability"] == 10 and r.json()["amount"] == "120000.50"
    r = send(c, "patch", f"{BASE}/{oid}", {"probability": 35, "products": "数控机床"})
    assert r.status_code == 200 and r.json()["probability"] == 35
    r = send(c, "post", f"{BASE}/{oid}/move", {"stage": "needs"})
    assert r.status_code == 200 and r.json()["stage"] == "needs" and r.json()["probability"] == 35
    r = send(c, "post", f"{BASE}/{oid}/move", {"stage": "needs"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = send(c, "post", f"{BASE}/{oid}/win")
    assert r.status_code == 200 and r.json()["stage"] == "won" and r.json()["closed_at"]
    assert c.get(f"{BASE}/{oid}").json()["owner_id"] == org.rep.pk


@pytest.mark.parametrize("amount, stored", [(120000.5, "120000.50"), ("120,000.505", "120000.51"), ("12万", "120000.00"),
                                            (0, "0.00")])
def test_amount_is_a_number_or_a_numeric_string_in_and_a_decimal_string_out(org, client_for, amount, stored):
    c = client_for(org.rep)
    r = send(c, "post", BASE, {"customer_id": org.cust_rep.pk, "name": "金额", "amount": amount})
    assert r.status_code == 201, r.content
    assert r.json()["amount"] == stored and str(Opportunity.objects.get(pk=r.json()["id"]).amount) == stored
    r = send(c, "patch", f"{BASE}/{r.json()['id']}", {"amount": 99.995})
    assert r.status_code == 200 and r.json()["amount"] == "100.00"


@pytest.mark.parametrize("amount, message", [("abc", "Enter an amount such as 500000.00."), (True, "Enter an amount such as 500000.00."),
                                             (-1, "Enter a value from 0.00 to 999999999999.99.")])
def test_bad_amount_is_400_with_the_parsers_message(org, client_for, amount, message):
    r = send(client_for(org.rep), "post", BASE, {"customer_id": org.cust_rep.pk, "name": "金额", "amount": amount})
    assert r.status_code == 400 and r.json()["code"] == "validation_error"
    assert r.json()["fields"]["amount"] == [message]


def test_lose_needs_a_known_reason(org, client_for, opportunity, lost_reason, competitor):
    o = opportunity()
    c = client_for(org.rep)
    r = send(c, "post", f"{BASE}/{o.pk}/lose", {"reason_id": 999999})
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    r = send(c, "post", f"{BASE}/{o.pk}/lose", {"reason_id": lost_reason.pk, "competitor_id": competitor.pk})
    assert r.status_code == 200 and r.json()["stage"] == "lost" and r.json()["competitor_ids"] == [competitor.pk]


@pytest.mark.parametrize(("who", "status"), [("rep_b", 404), ("rep2", 404), ("manager2", 404), ("finance", 403),
                                             ("supervisor", 200)])
def test_move_refusals(org, client_for, opportunity, who, status):
    o = opportunity()
    r = send(client_for(getattr(org, who)), "post", f"{BASE}/{o.pk}/move", {"stage": "quote"})
    assert r.status_code == status
    assert Opportunity.objects.get(pk=o.pk).stage == ("quote" if status == 200 else "contact")


def test_anonymous_is_401(opportunity, client_for):
    o = opportunity()
    assert client_for(None).get(f"{BASE}/{o.pk}").status_code == 401
    assert client_for(None).get("/api/v1/pipeline/summary").status_code == 401


def test_list_scope_filters_and_query_count(org, client_for, opportunity):
    opportunity()
    opportunity(user=org.rep2, customer=org.cust_rep2)
    c = client_for(org.rep)
    body = c.get(BASE).json()
    assert body["count"] == 1 and body["items"][0]["owner_id"] == org.rep.pk
    assert client_for(org.admin).get(BASE, {"region": org.north.pk}).json()["count"] == 1
    with CaptureQueriesContext(connection) as few:
        c.get(BASE)
    for _i in range(10):
        opportunity()
    with CaptureQueriesContext(connection) as many:
        assert c.get(BASE).json()["count"] == 11
    assert len(few) == len(many)


def test_pipeline_summary(org, client_for, opportunity):
    o = opportunity(amount="1000")
    send(client_for(org.rep), "post", f"{BASE}/{o.pk}/win")
    r = client_for(org.rep).get("/api/v1/pipeline/summary")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["win_rate"] == 1.0 and body["won"]["count"] == 1
    assert [s["reached"] for s in body["stages"]] == [1, 1, 1, 1]
    assert client_for(org.rep2).get("/api/v1/pipeline/summary").json()["count"] == 0
    bad = client_for(org.rep).get("/api/v1/pipeline/summary", {"period": "2026Q9"})
    assert bad.status_code == 400 and "period" in bad.json()["fields"]
    assert client_for(org.planner).get("/api/v1/pipeline/summary").status_code == 403
