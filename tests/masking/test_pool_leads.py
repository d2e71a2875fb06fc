"""Issue #15 (Low): pool leads show masked phones until claimed (list, detail and API); the owner reads it in full."""

import pytest

from ..conftest import fresh

pytestmark = pytest.mark.django_db

MOBILE = "13612348888"


def test_a_pool_lead_is_masked_until_claimed(org, make_lead, client_for):
    lead = make_lead(by=org.supervisor, owner=None, phone=MOBILE)
    rep = client_for(org.rep)
    for url in ("/leads/pool/", f"/leads/{lead.pk}/", "/api/v1/leads?pool=true", f"/api/v1/leads/{lead.pk}"):
        body = rep.get(url).content.decode()
        assert MOBILE not in body, url
    assert rep.get(f"/api/v1/leads/{lead.pk}").json()["phone"] == "136****8888"
    claimed = rep.post(f"/api/v1/leads/{lead.pk}/claim", "{}", content_type="application/json").json()
    assert claimed["phone"] == MOBILE  # the owner now
    assert MOBILE in rep.get(f"/leads/{lead.pk}/").content.decode()
    # Others still see it masked.
    assert client_for(org.rep_b).get(f"/api/v1/leads/{lead.pk}").status_code in (200, 404)
    supervisor = client_for(org.supervisor)
    assert MOBILE not in supervisor.get(f"/leads/{lead.pk}/").content.decode()
    assert supervisor.get(f"/api/v1/leads/{lead.pk}").json()["phone"] == "136****8888"


def test_an_assigned_lead_is_full_for_its_owner_only(org, make_lead, client_for):
    lead = make_lead(by=org.supervisor, owner=fresh(org.rep), phone=MOBILE)
    assert client_for(org.rep).get(f"/api/v1/leads/{lead.pk}").json()["phone"] == MOBILE
    assert client_for(org.manager).get(f"/api/v1/leads/{lead.pk}").json()["phone"] == "136****8888"
