"""Issue #15: bad input answers 4xx with the standard error body, never a 5xx; text no field may store is refused
at the door and scrubbed on the way out; redirects stay on the site; personal pages are never cached."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from salesflow.core.parsers import FieldError, check_text, text
from salesflow.crm.models import Customer
from salesflow.org import services as org_services

from ..conftest import fresh

BAD_TEXTS = ["上海\u000b机械", "上海\u0000机械", "上海\ud800机械", "上海\u001b机械"]


@pytest.fixture
def rep_api(org):
    _, raw = org_services.api_token_create(by=org.rep)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _json(value: str) -> str:
    import json

    return json.dumps(value)  # keeps a lone surrogate as the \ud800 escape a client would send


# --- text no field may store ------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_api_body_text_with_control_nul_or_surrogate_is_a_field_error(org, rep_api, bad):
    resp = rep_api.post("/api/v1/customers", '{"name": ' + _json(bad) + "}", content_type="application/json")
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "validation_error" and "control characters" in body["fields"]["name"][0]
    assert Customer.objects.count() == 4


def test_api_nested_and_query_text_is_checked_too(org, rep_api):
    resp = rep_api.post("/api/v1/customers", '{"name": "上海机械", "contacts": [{"name": "王\\u0007"}]}',
                        content_type="application/json")
    assert resp.status_code == 400 and "contacts.0.name" in resp.json()["fields"]
    resp = rep_api.get("/api/v1/customers", {"q": "a\x00b"})
    assert resp.status_code == 400 and resp.json()["fields"] == {"q": [resp.json()["fields"]["q"][0]]}


def test_api_keeps_tabs_and_line_breaks(org, rep_api):
    resp = rep_api.post("/api/v1/customers", '{"name": "上海\\t机械", "notes": "一\\r\\n二"}',
                        content_type="application/json")
    assert resp.status_code == 201, resp.content
    assert Customer.objects.get(pk=resp.json()["id"]).notes == "一\r\n二"


def test_forms_refuse_control_characters_single_line_and_keep_line_breaks_in_a_textarea():
    from salesflow.leads.forms import LeadForm

    form = LeadForm(data={"name": "上海\u000b机械", "need_notes": "一\r\n二"})
    assert not form.is_valid()
    assert "control characters" in form.errors["name"][0] and "need_notes" not in form.errors
    form = LeadForm(data={"name": "上海\n机械"})
    assert not form.is_valid() and "name" in form.errors  # a single-line field holds no line break
    assert LeadForm(data={"name": "上海机械", "need_notes": "一\r\n\t二"}).is_valid()


def test_parsers_check_and_scrub():
    with pytest.raises(FieldError):
        check_text("a\x0bb")
    with pytest.raises(FieldError):
        check_text("a\tb", multiline=False)
    assert check_text("a\tb\r\n") == "a\tb\r\n"
    assert text(" a\x0bb\x00c\ud800d ") == "a bcd"  # a spreadsheet's cell: scrubbed, nobody to ask


def test_page_search_with_nul_is_not_a_500(org, client_for):
    client = client_for(org.rep)
    client.raise_request_exception = False
    resp = client.get("/customers/", {"q": "星辰\x00"})
    assert resp.status_code == 200


def test_export_never_fails_on_stored_text(org):
    from salesflow.crm.exports import export_customers
    from salesflow.crm.selectors import customer_list

    Customer.objects.filter(pk=org.cust_rep.pk).update(name="上海\u000b星辰", address="=HYPERLINK(\"x\")\u0001")
    out = export_customers(user=fresh(org.rep), queryset=customer_list(user=fresh(org.rep)))
    sheet = load_workbook(io.BytesIO(out.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "上海 星辰" and rows[1][5] == "'=HYPERLINK(\"x\") "


# --- 5xx on bad input -------------------------------------------------------------------------------------

HUGE_PAGE = "99999999999999999999"


def _paginated_operations():
    from salesflow.api import api

    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        get = item.get("get")
        if get and any(p["name"] == "page" for p in get.get("parameters", [])) and "{" not in path:
            yield path


def test_every_paginated_api_list_refuses_a_huge_page_with_a_400(org):
    paths = list(_paginated_operations())
    assert len(paths) >= 10
    _, raw = org_services.api_token_create(by=org.admin)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
    for path in paths:
        resp = client.get(path, {"page": HUGE_PAGE})
        assert resp.status_code == 400, (path, resp.status_code)
        assert resp.json()["code"] == "validation_error" and "page" in resp.json()["fields"], path
        assert client.get(path, {"page": "1000000"}).status_code in (200, 403), path  # past the end: empty


def test_paginated_pages_take_a_huge_page(org, client_for):
    from django.urls import reverse

    client = client_for(org.manager)
    client.raise_request_exception = False
    for name in ("crm:customer_list", "notifications:notification_list", "approvals:inbox"):
        assert client.get(reverse(name), {"page": HUGE_PAGE}).status_code == 200, name


@pytest.mark.parametrize("url, field", [("/api/v1/opportunities?close_quarter=9999Q4", "close_quarter"),
                                        ("/api/v1/pipeline/summary?period=9999Q4", "period"),
                                        ("/api/v1/pipeline/summary?period=0000Q1", "period")])
def test_a_quarter_past_the_calendar_is_a_400(org, url, field):
    _, raw = org_services.api_token_create(by=org.manager)
    resp = Client(raise_request_exception=False).get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 400 and resp.json()["code"] == "validation_error"
    assert field in resp.json()["fields"]


def test_quarter_range_past_the_calendar_is_none():
    from salesflow.deals.selectors import quarter_range

    assert quarter_range("9999Q4") is None and quarter_range("9999Q3") is not None


def test_multipart_token_request_without_boundary_is_a_400_with_the_standard_body(org):
    resp = Client(raise_request_exception=False).post("/api/v1/auth/token", b"--x\r\nusername=rep\r\n",
                                                      content_type="multipart/form-data")
    assert resp.status_code == 400
    assert set(resp.json()) == {"code", "message", "fields"} and resp.json()["code"] == "invalid_body"


def test_a_request_body_above_the_limit_is_a_413_with_the_standard_body(org, rep_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = '{"name": "' + "a" * (2 * 1024 * 1024) + '"}'
    resp = rep_api.post("/api/v1/customers", body, content_type="application/json")
    assert resp.status_code == 413
    assert resp.json()["code"] == "request_too_large" and resp.json()["message"]


# --- anonymous writes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [("post", "/api/v1/customers"), ("patch", "/api/v1/customers/1"),
                                          ("post", "/api/v1/auth/tokens/1/revoke")])
def test_anonymous_api_write_is_401_not_a_csrf_403(org, method, path):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    resp = getattr(client, method)(path, '{"name": "x"}', content_type="application/json")
    assert resp.status_code == 401 and resp.json()["code"] == "not_authenticated"


def test_a_signed_in_browser_still_needs_the_csrf_token(org):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(org.rep)
    resp = client.post("/api/v1/customers", '{"name": "x"}', content_type="application/json")
    assert resp.status_code == 403


# --- redirects after POST stay on the site ----------------------------------------------------------------

def test_token_revoke_does_not_follow_a_next_elsewhere(org, client_for):
    token, _raw = org_services.api_token_create(by=org.rep)
    client = client_for(org.rep)
    resp = client.post(f"/account/tokens/{token.pk}/revoke/", {"next": "https://evil.example/phish"})
    assert resp.status_code == 302 and resp["Location"] == "/account/tokens/"
    token2, _raw = org_services.api_token_create(by=org.rep)
    resp = client.post(f"/account/tokens/{token2.pk}/revoke/", {"next": "/account/tokens/?all=1"})
    assert resp["Location"] == "/account/tokens/?all=1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "\\\\evil.example"])
def test_kanban_move_does_not_follow_a_next_elsewhere(org, client_for, target):
    from django.urls import reverse

    from salesflow.deals import services as deals

    opp = deals.opportunity_create(by=fresh(org.rep), customer_id=org.cust_rep.pk, data={"name": "封箱机"})
    resp = client_for(org.rep).post(reverse("deals:opportunity_move"),
                                    {"opportunity": opp.pk, "stage": "needs", "next": target})
    assert resp.status_code == 302 and resp["Location"] == reverse("deals:opportunity_kanban")


def test_safe_next_is_the_only_next_follower():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "salesflow"
    followers = [p for p in root.rglob("*.py") if re.search(r"redirect\(request\.(POST|GET)\.get\(\"next\"", p.read_text())]
    assert followers == []


# --- no-store -----------------------------------------------------------------------------------------------

def test_personal_pages_and_api_answers_are_not_stored(org, client_for, rep_api):
    resp = client_for(org.rep).get("/customers/")
    assert resp.status_code == 200 and "no-store" in resp["Cache-Control"]
    resp = rep_api.get("/api/v1/customers")
    assert resp.status_code == 200 and "no-store" in resp["Cache-Control"]
    resp = Client().get("/api/v1/me")
    assert "no-store" in resp["Cache-Control"]
    resp = Client().get("/accounts/login/")
    assert "no-store" not in resp.get("Cache-Control", "")


def test_an_id_beyond_the_database_range_is_a_400(org, rep_api):
    resp = rep_api.get("/api/v1/customers", {"owner": HUGE_PAGE})
    assert resp.status_code == 400 and "owner" in resp.json()["fields"]
    resp = rep_api.post("/api/v1/customers", '{"name": "上海机械", "owner_id": 99999999999999999999}',
                        content_type="application/json")
    assert resp.status_code == 400 and "owner_id" in resp.json()["fields"]


def test_a_path_with_nul_is_a_404(org, rep_api, client_for):
    resp = rep_api.get("/api/v1/approval-policies/%00")
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    client = client_for(org.rep)
    client.raise_request_exception = False
    assert client.get("/customers/%00/").status_code == 404
