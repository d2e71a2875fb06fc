"""The lead-rule pages and services: scoring rules, territory rules — validation, audit, and refusals for the
wrong role and another region's manager (the pool policies tab: tests/pool/test_policies.py)."""

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound, PermissionRefused, ValidationFailed
from salesflow.leads import services
from salesflow.leads.models import LeadAssignmentRule, LeadScoringRule
from salesflow.leads.services import rules as config

from ..conftest import fresh

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
