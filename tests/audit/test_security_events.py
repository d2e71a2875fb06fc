"""Issue #15: refusals leave a security event (rate-limited), sign-ins and sign-outs are in the trail, and the login
throttle keys on the client address that TRUST_PROXY resolves — the same one the audit trail records."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client, RequestFactory

from salesflow.audit import events, security
from salesflow.audit.middleware import client_ip
from salesflow.audit.models import AuditEvent
from salesflow.core.errors import collect_refusals

from ..factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
SECURITY = [e.action for e in (events.SECURITY_NOT_FOUND, events.SECURITY_FORBIDDEN,
                               events.SECURITY_INVALID_TRANSITION, events.SECURITY_SELF_APPROVAL)]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def security_events(user, action=None):
    qs = AuditEvent.objects.filter(actor_id=user.pk, action__in=SECURITY)
    return list(qs.filter(action=action) if action else qs)


def signed_in(user):
    c = Client()
    c.force_login(user)
    return c


# --- refusals ---------------------------------------------------------------------------------------------

def test_another_reps_record_answers_404_and_leaves_a_security_event(org):
    c = signed_in(org.rep)
    assert c.get(f"/api/v1/customers/{org.cust_rep2.pk}").status_code == 404
    assert c.get(f"/customers/{org.cust_rep2.pk}/").status_code == 404
    (api, page) = sorted(security_events(org.rep, events.SECURITY_NOT_FOUND.action), key=lambda e: e.pk)
    assert api.object_repr == f"/api/v1/customers/{org.cust_rep2.pk}" and api.after["status"] == 404
    assert page.object_repr == f"/customers/{org.cust_rep2.pk}/"
    assert api.actor_name == "rep" and api.ip == "127.0.0.1"


def test_a_capability_refusal_and_a_refused_reveal_leave_security_events(org):
    assert signed_in(org.rep).get("/api/v1/audit-events").status_code == 403
    assert security_events(org.rep, events.SECURITY_FORBIDDEN.action)
    resp = signed_in(org.finance).post(f"/api/v1/customers/{org.cust_rep.pk}/reveal-phones")
    assert resp.status_code == 403
    (refused,) = security_events(org.finance, events.SECURITY_FORBIDDEN.action)
    assert refused.object_repr.endswith("/reveal-phones") and refused.after["method"] == "POST"


def test_an_illegal_transition_leaves_a_security_event(org):
    resp = signed_in(org.rep).post(f"/api/v1/customers/{org.cust_rep.pk}/restore", {},
                                   content_type="application/json")
    assert resp.status_code == 409 and resp.json()["code"] == "invalid_transition"
    (event,) = security_events(org.rep, events.SECURITY_INVALID_TRANSITION.action)
    assert event.after["code"] == "invalid_transition"


def test_a_refusal_said_in_place_on_a_page_is_recorded_too(org):
    # The page catches the service's refusal and answers with a message (a redirect), not an error page.
    resp = signed_in(org.rep).post(f"/customers/{org.cust_rep.pk}/status/", {"action": "restore"})
    assert resp.status_code == 302
    assert security_events(org.rep, events.SECURITY_INVALID_TRANSITION.action)


def test_a_self_approval_attempt_is_its_own_kind(org):
    request = RequestFactory().post("/approvals/tasks/1/decide/")
    request.user = org.rep
    from salesflow.core.errors import PermissionRefused

    with collect_refusals() as refusals:
        PermissionRefused("x", code="approval_self_approval", refusal="self_approval")
    security.record_refusals(request, type("R", (), {"status_code": 200})(), refusals)
    (event,) = security_events(org.rep)
    assert event.action == events.SECURITY_SELF_APPROVAL.action and event.after["code"] == "approval_self_approval"


def test_a_probe_with_nul_and_a_lone_surrogate_in_its_path_is_recorded_not_a_500(org):
    c = signed_in(org.rep)
    assert c.get("/api/v1/customers/%00").status_code in (400, 404)
    assert c.get("/customers/%ED%A0%80x/").status_code in (400, 404)
    events_ = security_events(org.rep, events.SECURITY_NOT_FOUND.action)
    assert events_ and all("\x00" not in e.object_repr and "\x00" not in e.note for e in events_)


def test_refusals_are_rate_limited_per_user_and_kind(org, settings):
    settings.AUDIT_REFUSALS_PER_MINUTE = 3
    c = signed_in(org.rep)
    for _ in range(10):
        assert c.get(f"/api/v1/customers/{org.cust_rep2.pk}").status_code == 404
    assert len(security_events(org.rep, events.SECURITY_NOT_FOUND.action)) == 3
    assert c.get("/api/v1/audit-events").status_code == 403  # another kind has its own budget
    assert len(security_events(org.rep, events.SECURITY_FORBIDDEN.action)) == 1
    signed_in(org.rep_b).get(f"/api/v1/customers/{org.cust_rep2.pk}")  # and another user
    assert len(security_events(org.rep_b)) == 1


def test_successful_requests_and_anonymous_callers_leave_no_security_event(org):
    c = signed_in(org.rep)
    assert c.get(f"/api/v1/customers/{org.cust_rep.pk}").status_code == 200
    assert Client().get(f"/api/v1/customers/{org.cust_rep2.pk}").status_code == 401
    assert not AuditEvent.objects.filter(action__in=SECURITY).exists()


# --- sign-in and sign-out ---------------------------------------------------------------------------------

def test_sign_in_and_sign_out_are_in_the_trail(org):
    c = Client()
    resp = c.post("/login/", {"username": "rep", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert resp.status_code == 302
    signed = AuditEvent.objects.get(action=events.USER_LOGGED_IN.action)
    assert signed.actor_id == org.rep.pk and signed.object_id == str(org.rep.pk) and signed.ip == "10.1.2.3"
    c.post("/logout/", REMOTE_ADDR="10.1.2.3")
    out = AuditEvent.objects.get(action=events.USER_LOGGED_OUT.action)
    assert out.actor_id == org.rep.pk and out.ip == "10.1.2.3"
    c.post("/login/", {"username": "rep", "password": "wrong"})
    assert AuditEvent.objects.filter(action="user.login_failed", object_repr="rep").exists()


def test_the_api_token_exchange_is_a_sign_in(org):
    resp = Client().post(TOKEN_URL, {"username": "rep", "password": PASSWORD}, content_type="application/json")
    assert resp.status_code == 201
    assert AuditEvent.objects.get(action=events.USER_LOGGED_IN.action).note == TOKEN_URL


# --- the client address -----------------------------------------------------------------------------------

def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_client_ip_takes_the_address_the_proxy_saw_not_what_the_client_wrote(settings):
    settings.TRUST_PROXY = False
    assert client_ip(_request("10.0.0.1", "6.6.6.6")) == "10.0.0.1"
    settings.TRUST_PROXY = True
    assert client_ip(_request("10.0.0.1", "1.2.3.4")) == "1.2.3.4"
    # the proxy appends what it saw after whatever the client sent
    assert client_ip(_request("10.0.0.1", "6.6.6.6, 1.2.3.4")) == "1.2.3.4"
    assert client_ip(_request("10.0.0.1", "1.2.3.4, 10.0.0.1")) == "1.2.3.4"
    assert client_ip(_request("10.0.0.1")) == "10.0.0.1"


def test_login_throttle_keys_on_the_client_behind_the_proxy(org, settings):
    settings.TRUST_PROXY = True
    settings.AXES_FAILURE_LIMIT = 3
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client()
    statuses = [attacker.post(TOKEN_URL, {"username": "rep", "password": f"wrong-{i}"},
                              content_type="application/json", HTTP_X_FORWARDED_FOR=f"9.9.9.{i}, 5.5.5.5",
                              **proxy).status_code for i in range(4)]
    assert statuses[-1] == 429  # a forged first hop does not escape the lockout
    assert AccessAttempt.objects.get(username="rep").ip_address == "5.5.5.5"
    # The real rep, another client behind the same proxy, is not locked out by the attacker.
    resp = Client().post(TOKEN_URL, {"username": "rep", "password": PASSWORD}, content_type="application/json",
                         HTTP_X_FORWARDED_FOR="7.7.7.7", **proxy)
    assert resp.status_code == 201
