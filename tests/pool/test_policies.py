"""The pool policies per unit (the first tab of the lead-rule pages): services and pages — validation, audit,
inheritance, and refusals for the wrong role and another region's manager."""

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound, PermissionRefused, ValidationFailed
from salesflow.pool import services as config
from salesflow.pool.models import PoolPolicy
from salesflow.pool.policies import policy_for

from ..conftest import fresh

POLICY = {"claim_cap": "40", "contact_limit_hours": "24", "qualify_threshold": "70", "customer_pool_enabled": "on",
          "customer_followup_days": "20", "customer_deal_days": "60", "customer_warning_days": "5",
          "customer_claim_cap": "80", "customer_exempt_key_accounts": "on"}


# ── pool policies ───────────────────────────────────────────────────────────────────────────────────────

def test_a_manager_gives_a_team_its_own_policy_and_removes_it(org):
    policy = config.policy_save(by=fresh(org.manager), unit=org.east_team, data=POLICY)
    assert (policy.customer_followup_days, policy.customer_warning_days, policy.claim_cap) == (20, 5, 40)
    assert policy.customer_exempt_key_accounts and not policy.customer_exempt_late_deals
    assert policy_for(org.east_team).qualify_threshold == 70
    event = AuditEvent.objects.get(action="lead_policy.saved")
    assert event.actor_id == org.manager.pk and event.after["customer_followup_days"] == 20
    config.policy_remove(by=fresh(org.manager), unit=org.east_team)
    assert not PoolPolicy.objects.filter(unit=org.east_team).exists()
    assert policy_for(org.east_team).qualify_threshold == 60  # the company default again
    assert AuditEvent.objects.filter(action="lead_policy.removed").count() == 1


def test_policy_validation_has_translated_errors_and_writes_nothing(org):
    bad = {**POLICY, "customer_followup_days": "-3", "claim_cap": "many", "customer_deal_days": "4"}
    with pytest.raises(ValidationFailed) as exc:
        config.policy_save(by=fresh(org.director), unit=None, data=bad)
    assert exc.value.fields["customer_followup_days"] == ["Enter a whole number from 1 to 3650."]
    assert exc.value.fields["claim_cap"] == ["Enter a whole number."]
    assert exc.value.fields["customer_warning_days"] == [
        "The warning must come before the return: fewer days than 4."]
    assert PoolPolicy.objects.get(unit__isnull=True).customer_followup_days == 30
    assert not AuditEvent.objects.filter(action="lead_policy.saved").exists()


def test_policy_refusals(org):
    with pytest.raises(NotFound):  # another region's unit looks like a missing one
        config.policy_save(by=fresh(org.manager2), unit=org.east_team, data=POLICY)
    with pytest.raises(PermissionRefused):  # the company default is the director's
        config.policy_save(by=fresh(org.manager), unit=None, data=POLICY)
    for user in (org.rep, org.supervisor, org.finance, org.gm):
        with pytest.raises(PermissionRefused):
            config.policy_save(by=fresh(user), unit=org.east_team, data=POLICY)
    config.policy_save(by=fresh(org.director), unit=org.north_team, data=POLICY)


def test_policy_pages_show_inheritance(org, client_for):
    PoolPolicy.objects.create(unit=org.east, claim_cap=30)
    c = client_for(org.manager)
    page = c.get("/leads/settings/").content.decode()
    assert "inherits from 华东大区" in page  # 上海销售处, 上海一组 … inherit from the region
    assert "北京一组" not in page  # another region's units are not the manager's
    form = c.get(f"/leads/settings/policies/{org.east_team.pk}/").content.decode()
    assert "This unit inherits from 华东大区" in form and 'value="30"' in form
    resp = c.post(f"/leads/settings/policies/{org.east_team.pk}/", {**POLICY, "customer_warning_days": "25"})
    assert "The warning must come before the return: fewer days than 20." in resp.content.decode()
    resp = c.post(f"/leads/settings/policies/{org.east_team.pk}/", POLICY)
    assert resp.status_code == 302 and PoolPolicy.objects.get(unit=org.east_team).claim_cap == 40
    assert c.get(f"/leads/settings/policies/{org.north_team.pk}/").status_code == 404
    assert c.get("/leads/settings/policies/default/").status_code == 403
    assert client_for(org.director).get("/leads/settings/policies/default/").status_code == 200
    assert client_for(org.rep).get("/leads/settings/").status_code == 403
    assert client_for(org.manager2).post(f"/leads/settings/policies/{org.east_team.pk}/remove/").status_code == 404
    assert c.post(f"/leads/settings/policies/{org.east_team.pk}/remove/").status_code == 302
    assert not PoolPolicy.objects.filter(unit=org.east_team).exists()
