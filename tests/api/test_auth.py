"""Token auth, session auth with CSRF, lockout after repeated failures, and the OpenAPI document."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client

from salesflow.org import services
from salesflow.org.models import ApiToken

from ..factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token"


def post_json(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def test_token_flow(org):
    c = Client()
    resp = post_json(c, TOKEN_URL, {"username": "rep", "password": PASSWORD, "name": "ERP"})
    assert resp.status_code == 201
    body = resp.json()
    assert body["token"].startswith("sf_") and body["name"] == "ERP"
    assert ApiToken.objects.get(pk=body["id"]).key_hash == services.hash_token(body["token"])
    me = c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200 and me.json()["username"] == "rep" and me.json()["role"] == "rep"
    customers = c.get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert [x["name"] for x in customers.json()["items"]] == [org.cust_rep.name]


@pytest.mark.parametrize("payload", [{"username": "rep", "password": "wrong-password"},
                                     {"username": "nobody", "password": PASSWORD}])
def test_bad_credentials_401_json(org, payload):
    resp = post_json(Client(), TOKEN_URL, payload)
    assert resp.status_code == 401
    body = resp.json()
    assert set(body) == {"code", "message", "fields"} and body["code"] == "invalid_credentials" and body["message"]
    assert not ApiToken.objects.exists()


def test_token_request_missing_field_is_400(org):
    resp = post_json(Client(), TOKEN_URL, {"username": "rep"})
    assert resp.status_code == 400
    assert resp.json()["code"] == "validation_error" and "password" in resp.json()["fields"]


def test_revoked_token_gets_401(org):
    token, raw = services.api_token_create(by=org.rep)
    c = Client()
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    resp = post_json(c, f"/api/v1/auth/tokens/{token.pk}/revoke", {}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 200 and resp.json()["revoked_at"]
    resp = c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 401 and resp.json()["code"] == "not_authenticated"


def test_other_users_token_revoke_is_404_admin_can(org, client_for):
    token, raw = services.api_token_create(by=org.rep)
    resp = post_json(client_for(org.rep_b), f"/api/v1/auth/tokens/{token.pk}/revoke", {})
    missing = post_json(client_for(org.rep_b), "/api/v1/auth/tokens/999999/revoke", {})
    assert resp.status_code == missing.status_code == 404
    assert resp.json() == missing.json()
    assert post_json(client_for(org.admin), f"/api/v1/auth/tokens/{token.pk}/revoke", {}).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at


def test_token_list_own_and_admin_all(org, client_for):
    services.api_token_create(by=org.rep, name="mine")
    services.api_token_create(by=org.rep_b, name="theirs")
    assert [t["name"] for t in client_for(org.rep).get("/api/v1/auth/tokens?all_users=true").json()] == ["mine"]
    assert {t["username"] for t in client_for(org.admin).get("/api/v1/auth/tokens?all_users=true").json()} == {
        "rep", "rep_b"}
    assert "key_hash" not in client_for(org.rep).get("/api/v1/auth/tokens").json()[0]


@pytest.mark.parametrize("header", ["Bearer sf_not-a-real-token", "Bearer ", "Token abc", "Basic cmVwOnB3"])
def test_bad_bearer_401(org, header):
    resp = Client().get("/api/v1/customers", HTTP_AUTHORIZATION=header)
    assert resp.status_code == 401 and resp.json()["code"] == "not_authenticated"


def test_deactivated_user_session_is_refused(org, client_for):
    c = client_for(org.rep)
    type(org.rep).objects.filter(pk=org.rep.pk).update(is_active=False)
    assert c.get("/api/v1/me").status_code == 401


def test_session_post_requires_csrf(org):
    c = Client(enforce_csrf_checks=True)
    c.force_login(org.rep)
    assert c.get("/api/v1/customers").status_code == 200  # reads need no token
    resp = post_json(c, f"/api/v1/customers/{org.cust_rep.pk}/archive", {})
    assert resp.status_code in (401, 403)
    from salesflow.crm.models import Customer
    assert Customer.objects.get(pk=org.cust_rep.pk).status == "active"
    # With the CSRF cookie and header the same call goes through.
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    secret = _get_new_csrf_string()
    c.cookies["csrftoken"] = secret
    resp = post_json(c, f"/api/v1/customers/{org.cust_rep.pk}/archive", {},
                     HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret))
    assert resp.status_code == 200, resp.content
    assert Customer.objects.get(pk=org.cust_rep.pk).status == "archived"


def test_bearer_post_needs_no_csrf(org):
    token, raw = services.api_token_create(by=org.rep)
    c = Client(enforce_csrf_checks=True)
    resp = post_json(c, f"/api/v1/customers/{org.cust_rep.pk}/archive", {}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 200


def test_lockout_after_repeated_failures(org, settings):
    settings.AXES_FAILURE_LIMIT = 5
    c = Client()
    statuses = [post_json(c, TOKEN_URL, {"username": "rep", "password": f"wrong-{i}"}).status_code
                for i in range(6)]
    assert statuses[0] == 401
    assert statuses[-1] == 429
    assert 429 in statuses[:6] and statuses.index(429) <= 5
    resp = post_json(c, TOKEN_URL, {"username": "rep", "password": PASSWORD})  # even the right password now
    assert resp.status_code == 429
    body = resp.json()
    assert body["code"] == "too_many_attempts" and body["message"] and body["fields"] == {}
    assert not ApiToken.objects.filter(user=org.rep).exists()
    attempt = AccessAttempt.objects.get(username="rep")
    assert attempt.failures_since_start >= 5 and attempt.ip_address == "127.0.0.1"
    assert AccessFailureLog.objects.filter(username="rep").count() >= 5
    # Another user from the same address is not locked (lockout is per username + IP).
    assert post_json(c, TOKEN_URL, {"username": "rep_b", "password": PASSWORD}).status_code == 201


def test_success_resets_failures(org):
    c = Client()
    for i in range(3):
        post_json(c, TOKEN_URL, {"username": "rep", "password": f"wrong-{i}"})
    assert post_json(c, TOKEN_URL, {"username": "rep", "password": PASSWORD}).status_code == 201
    for i in range(3):
        assert post_json(c, TOKEN_URL, {"username": "rep", "password": f"wrong-again-{i}"}).status_code == 401


def test_openapi_lists_endpoints(db):
    resp = Client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    for path in ["/api/v1/customers", "/api/v1/customers/{customer_id}", "/api/v1/customers/{customer_id}/reassign",
                 "/api/v1/customers/{customer_id}/contacts", "/api/v1/users", "/api/v1/org-units",
                 "/api/v1/auth/token", "/api/v1/audit-events", "/api/v1/me"]:
        assert path in paths, path
    assert "post" in paths["/api/v1/customers"] and "get" in paths["/api/v1/customers"]


def test_security_headers_on_api(db):
    resp = Client().get("/api/v1/openapi.json")
    assert "default-src 'self'" in resp["Content-Security-Policy"]
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["X-Content-Type-Options"] == "nosniff"
