"""Issue #15: deactivating a user signs them out everywhere; reactivating them does not revive old sessions."""

from django.contrib.sessions.models import Session
from django.test import Client

from salesflow.org import services

from ..conftest import fresh
from ..factories import PASSWORD


def test_deactivation_deletes_the_users_sessions_and_only_theirs(org):
    rep, other = Client(), Client()
    assert rep.post("/login/", {"username": "rep", "password": PASSWORD}).status_code == 302
    assert other.post("/login/", {"username": "rep_b", "password": PASSWORD}).status_code == 302
    assert rep.get("/customers/").status_code == 200
    sessions = Session.objects.count()

    services.user_deactivate(by=fresh(org.admin), user=org.rep, reassign_to=org.rep_b)
    services.user_reactivate(by=fresh(org.admin), user=org.rep)

    assert Session.objects.count() == sessions - 1
    resp = rep.get("/customers/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]  # the old browser session is gone
    assert rep.get("/api/v1/me").status_code == 401
    assert other.get("/customers/").status_code == 200
