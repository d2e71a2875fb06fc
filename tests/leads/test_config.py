"""The lead-rule pages and services: scoring rules, pool policies per unit, territory rules — validation,
audit, and refusals for the wrong role and another region's manager."""

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound, PermissionRefused, ValidationFailed
from salesflow.leads import config, services
from salesflow.leads.models import LeadAssignmentRule, LeadPolicy, LeadScoringRule

from ..conftest import fresh

POLICY = {"claim_cap": "40", "contact_limit_hours": "24", "qualify_threshold": "70", "customer_pool_enabled": "on",
          "customer_followup_days": "20", "customer_deal_days": "60", "customer_warning_days": "5",
          "customer_claim_cap": "80", "customer_exempt_key_accounts": "on"}


# ── pool policies ───────────────────────────────────────────────────────────────────────────────────────

def test_a_manager_gives_a_team_its_own_policy_and_removes_it(org):
    policy = config.policy_save(by=fresh(org.manager), unit=org.east_team, data=POLICY)
    assert (policy.customer_followup_days, policy.customer_warning_days, policy.claim_cap) == (20, 5, 40)
    assert policy.customer_exempt_key_accounts and not policy.customer_exempt_late_deals
    assert services.policy_for(org.east_team).qualify_threshold == 70
    event = AuditEvent.objects.get(action="lead_policy.saved")
    assert event.actor_id == org.manager.pk and event.after["customer_followup_days"] == 20
    config.policy_remove(by=fresh(org.manager), unit=org.east_team)
    assert not LeadPolicy.objects.filter(unit=org.east_team).exists()
    assert services.policy_for(org.east_team).qualify_threshold == 60  # the company default again
    assert AuditEvent.objects.filter(action="lead_policy.removed").count() == 1


def test_policy_validation_has_translated_errors_and_writes_nothing(org):
    bad = {**POLICY, "customer_followup_days": "-3", "claim_cap": "many", "customer_deal_days": "4"}
    with pytest.raises(ValidationFailed) as exc:
        config.policy_save(by=fresh(org.director), unit=None, data=bad)
    assert exc.value.fields["customer_followup_days"] == ["Enter a whole number from 1 to 3650."]
    assert exc.value.fields["claim_cap"] == ["Enter a whole number."]
    assert exc.value.fields["customer_warning_days"] == [
        "The warning must come before the return: fewer days than 4."]
    assert LeadPolicy.objects.get(unit__isnull=True).customer_followup_days == 30
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
    LeadPolicy.objects.create(unit=org.east, claim_cap=30)
    c = client_for(org.manager)
    page = c.get("/leads/settings/").content.decode()
    assert "inherits from 华东大区" in page  # 上海销售处, 上海一组 … inherit from the region
    assert "北京一组" not in page  # another region's units are not the manager's
    form = c.get(f"/leads/settings/policies/{org.east_team.pk}/").content.decode()
    assert "This unit inherits from 华东大区" in form and 'value="30"' in form
    resp = c.post(f"/leads/settings/policies/{org.east_team.pk}/", {**POLICY, "customer_warning_days": "25"})
    assert "The warning must come before the return: fewer days than 20." in resp.content.decode()
    resp = c.post(f"/leads/settings/policies/{org.east_team.pk}/", POLICY)
    assert resp.status_code == 302 and LeadPolicy.objects.get(unit=org.east_team).claim_cap == 40
    assert c.get(f"/leads/settings/policies/{org.north_team.pk}/").status_code == 404
    assert c.get("/leads/settings/policies/default/").status_code == 403
    assert client_for(org.director).get("/leads/settings/policies/default/").status_code == 200
    assert client_for(org.rep).get("/leads/settings/").status_code == 403
    assert client_for(org.manager2).post(f"/leads/settings/policies/{org.east_team.pk}/remove/").status_code == 404
    assert c.post(f"/leads/settings/policies/{org.east_team.pk}/remove/").status_code == 302
    assert not LeadPolicy.objects.filter(unit=org.east_team).exists()


# ── scoring rules ───────────────────────────────────────────────────────────────────────────────────────

def _grid(**changes):
    grid = {f"{a}.{lv}": str(p) for (a, lv), p in services.scoring_table().items()}
    grid.update(changes)
    return grid


def test_scoring_rules_change_the_score_of_the_next_screening(org, make_lead):
    config.scoring_rules_save(by=fresh(org.director), points=_grid(**{"need.low": "55"}))
    event = AuditEvent.objects.get(action="lead_scoring.saved")
    assert event.before == {"need.low": 10} and event.after == {"need.low": 55}
    lead = services.lead_screen(by=fresh(org.rep), lead=make_lead(), need="low", purchasing_power="low",
                                credit="unknown")
    assert (lead.score, lead.status) == (65, "qualified")  # 55 + 5 + 5 ≥ 60


def test_scoring_validation_and_refusals(org):
    with pytest.raises(ValidationFailed) as exc:
        config.scoring_rules_save(by=fresh(org.admin), points=_grid(**{"credit.high": "-1", "need.high": "x"}))
    assert exc.value.fields["credit.high"] == ["Enter a whole number from 0 to 100."]
    assert LeadScoringRule.objects.get(assessment="credit", level="high").points == 25
    for user in (org.manager, org.rep, org.gm):
        with pytest.raises(PermissionRefused):
            config.scoring_rules_save(by=fresh(user), points=_grid())


def test_scoring_page_shows_the_threshold_with_examples(org, client_for):
    page = client_for(org.director).get("/leads/settings/scoring/").content.decode()
    assert "company qualifying score: 60" in page and "40 + 35 + 25 = <strong>100</strong>" in page
    assert 'name="need.high"' in page
    manager_page = client_for(org.manager).get("/leads/settings/scoring/").content.decode()
    assert 'name="need.high"' not in manager_page  # read-only for a manager
    assert client_for(org.manager).post("/leads/settings/scoring/", _grid()).status_code == 403
    resp = client_for(org.director).post("/leads/settings/scoring/", _grid(**{"need.high": "101"}))
    assert "Enter a whole number from 0 to 100." in resp.content.decode()
    resp = client_for(org.director).post("/leads/settings/scoring/", _grid(**{"need.high": "45"}))
    assert resp.status_code == 302 and LeadScoringRule.objects.get(assessment="need", level="high").points == 45


# ── territory rules ─────────────────────────────────────────────────────────────────────────────────────

def test_rule_validation(org):
    director = fresh(org.director)
    with pytest.raises(ValidationFailed) as exc:
        config.rule_save(by=director, data={"team": org.east_team.pk})
    assert exc.value.code == "lead_rule_no_condition"
    assert exc.value.fields["__all__"] == ["A rule needs at least one condition: a province, a region or an industry."]
    with pytest.raises(ValidationFailed) as exc:
        config.rule_save(by=director, data={"province": "上海市"})
    assert exc.value.code == "lead_rule_no_target"
    with pytest.raises(ValidationFailed) as exc:
        config.rule_save(by=director, data={"province": "上海市", "team": org.east_team.pk, "user": org.rep3.pk})
    assert exc.value.fields["user"] == ["孙销售 is not in 上海一组."]
    with pytest.raises(ValidationFailed) as exc:
        config.rule_save(by=director, data={"province": "火星", "industry": "mining", "team": org.east_team.pk,
                                            "priority": "-1"})
    assert set(exc.value.fields) == {"province", "industry", "priority"}
    assert not LeadAssignmentRule.objects.exists()


def test_a_managers_rules_route_their_own_region_only(org):
    manager = fresh(org.manager)
    with pytest.raises(ValidationFailed) as exc:
        config.rule_save(by=manager, data={"province": "上海市", "team": org.east_team.pk})
    assert "Choose your own region: your rules route its leads only." in exc.value.fields["region"]
    with pytest.raises(ValidationFailed) as exc:
        config.rule_save(by=manager, data={"region": org.east.pk, "team": org.north_team.pk})
    assert exc.value.fields["team"] == ["Choose a team of your region."]
    rule = config.rule_save(by=manager, data={"region": org.east.pk, "industry": "manufacturing",
                                              "team": org.east_team.pk, "priority": "5"})
    assert AuditEvent.objects.get(action="lead_rule.created").object_id == str(rule.pk)
    with pytest.raises(NotFound):  # another region's manager: the rule does not exist for them
        config.rule_save(by=fresh(org.manager2), rule_id=rule.pk, data={"region": org.north.pk,
                                                                         "team": org.north_team.pk})
    with pytest.raises(NotFound):
        config.rule_set_active(by=fresh(org.manager2), rule_id=rule.pk, active=False)
    with pytest.raises(PermissionRefused):
        config.rule_save(by=fresh(org.rep), data={"region": org.east.pk, "team": org.east_team.pk})


def test_territory_rule_lifecycle_edit_deactivate_reorder(org, make_lead):
    director = fresh(org.director)
    first = config.rule_save(by=director, data={"province": "江苏省", "user": org.rep_b.pk, "priority": "10"})
    second = config.rule_save(by=director, data={"province": "江苏省", "user": org.rep3.pk, "priority": "20"})
    lead = make_lead(by=org.supervisor, owner=None, province="江苏省")
    assert services.lead_assign(by=fresh(org.supervisor), lead=lead, mode="territory").owner_id == org.rep_b.pk
    config.rule_move(by=director, rule_id=second.pk, direction="up")
    assert [r.pk for r in LeadAssignmentRule.objects.order_by("priority", "id")] == [second.pk, first.pk]
    other = make_lead(by=org.supervisor, owner=None, province="江苏省")
    assert services.lead_assign(by=fresh(org.manager), lead=other, mode="territory").owner_id == org.rep3.pk
    config.rule_set_active(by=director, rule_id=second.pk, active=False)
    third = make_lead(by=org.supervisor, owner=None, province="江苏省")
    assert services.lead_assign(by=fresh(org.manager), lead=third, mode="territory").owner_id == org.rep_b.pk
    config.rule_save(by=director, rule_id=first.pk, data={"province": "江苏省", "industry": "energy",
                                                           "user": org.rep_b.pk, "priority": "10"})
    actions = set(AuditEvent.objects.filter(object_type="leads.leadassignmentrule").values_list("action", flat=True))
    assert actions == {"lead_rule.created", "lead_rule.reordered", "lead_rule.deactivated", "lead_rule.updated"}


def test_rule_pages(org, client_for):
    c = client_for(org.manager)
    assert c.get("/leads/settings/territory/").status_code == 200
    assert c.get("/leads/settings/territory/new/").status_code == 200
    resp = c.post("/leads/settings/territory/new/", {"priority": "10", "team": org.east_team.pk})
    page = resp.content.decode()
    assert "A rule needs at least one condition" in page and not LeadAssignmentRule.objects.exists()
    resp = c.post("/leads/settings/territory/new/", {"priority": "10", "region": org.east.pk, "province": "上海市",
                                                     "team": org.east_team.pk, "is_active": "on"})
    assert resp.status_code == 302
    rule = LeadAssignmentRule.objects.get()
    assert "上海一组" in c.get("/leads/settings/territory/").content.decode()
    assert client_for(org.manager2).get(f"/leads/settings/territory/{rule.pk}/").status_code == 404
    assert "上海一组" not in client_for(org.manager2).get("/leads/settings/territory/").content.decode()
    assert client_for(org.manager2).post(f"/leads/settings/territory/{rule.pk}/active/",
                                         {"active": "0"}).status_code == 404
    assert client_for(org.rep).get("/leads/settings/territory/").status_code == 403
    assert c.post(f"/leads/settings/territory/{rule.pk}/active/", {"active": "0"}).status_code == 302
    assert not LeadAssignmentRule.objects.get().is_active
    assert c.post(f"/leads/settings/territory/{rule.pk}/move/", {"direction": "up"}).status_code == 302
    assert client_for(org.planner).get("/leads/settings/scoring/").status_code == 403
