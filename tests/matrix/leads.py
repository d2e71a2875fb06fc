"""Leads (销售线索) and the lead rules. {lead} is rep's lead (assigned), {qualified_lead} rep's screened and
qualified lead, {pool_lead} a lead waiting in 上海一组's pool; {rule} a territory rule of region EAST,
{policy_unit} 上海一组, which has pool rules of its own."""

from __future__ import annotations

from .base import CUSTOMER_READERS, EDITORS, REDIRECT_REFUSED, SEES_TARGET, row

CLAIMERS = {"rep", "rep_b", "supervisor", "manager"}  # lead.claim
ASSIGNERS = {"supervisor", "manager", "manager2", "director", "gm", "marketing", "admin"}  # lead.assign
# Who sees the pool lead of 上海一组: its team's reps (their pool), the heads above, whole-company roles.
SEES_POOL_LEAD = SEES_TARGET | {"rep_b"}
CONFIGURERS = {"manager", "manager2", "director", "admin"}  # lead.configure
COMPANY = {"director", "admin"}  # lead.configure_company
# The rules of a unit of region EAST: a region's manager configures only the units of their own region; another
# region's unit answers like a missing one.
EAST_CONFIGURERS = {"manager", "director", "admin"}
OTHER_REGION = {"manager2": 404}


def build(world, ids):
    from salesflow.leads import services
    from salesflow.leads.models import LeadAssignmentRule
    from salesflow.pool.models import PoolPolicy

    def lead(name, owner):
        return services.lead_create(by=world.rep, data={"name": name, "channel": "exhibition"}, owner=owner,
                                    confirm_duplicates=True)

    mine = lead("矩阵线索公司", world.rep)
    qualified = lead("矩阵合格线索公司", world.rep)
    services.lead_screen(by=world.rep, lead=qualified, need="high", purchasing_power="high", credit="high")
    pooled = lead("矩阵公海线索公司", None)
    PoolPolicy.objects.create(unit=world.east_team)
    rule = LeadAssignmentRule.objects.create(region=world.east, team=world.east_team, province="上海市")
    return {"lead": mine.pk, "qualified_lead": qualified.pk, "pool_lead": pooled.pk, "rule": rule.pk,
            "policy_unit": world.east_team.pk}


ROWS = [
    row("leads", "get", "/api/v1/leads", CUSTOMER_READERS),
    row("lead_create", "post", "/api/v1/leads", EDITORS, 201,
        {"name": "矩阵新线索公司", "channel": "exhibition", "confirm_duplicates": True}),
    row("lead_get", "get", "/api/v1/leads/{lead}", SEES_TARGET, sees=SEES_TARGET),
    row("lead_claim", "post", "/api/v1/leads/{pool_lead}/claim", CLAIMERS, sees=SEES_POOL_LEAD),
    row("lead_release", "post", "/api/v1/leads/{lead}/release", EDITORS, sees=SEES_TARGET),
    row("lead_contacted", "post", "/api/v1/leads/{lead}/contacted", EDITORS, sees=SEES_TARGET),
    row("lead_assign", "post", "/api/v1/leads/{lead}/assign", ASSIGNERS, 200,
        {"mode": "manual", "owner_id": "{rep_b}"}, sees=SEES_TARGET),
    row("lead_screen", "post", "/api/v1/leads/{lead}/screen", EDITORS, 200,
        {"need": "high", "purchasing_power": "medium", "credit": "high"}, sees=SEES_TARGET),
    row("lead_convert", "post", "/api/v1/leads/{qualified_lead}/convert", EDITORS, 200,
        {"confirm_duplicates": True}, sees=SEES_TARGET),
    # Pages: leads. A lead's actions refuse the wrong role with a message on the lead's page.
    row("lead_list_page", "get", "/leads/", CUSTOMER_READERS),
    row("lead_pool_page", "get", "/leads/pool/", CUSTOMER_READERS),
    row("lead_create_page", "get", "/leads/new/", EDITORS),
    row("lead_detail_page", "get", "/leads/{lead}/", SEES_TARGET, sees=SEES_TARGET),
    row("lead_claim_page", "post", "/leads/{pool_lead}/claim/", CLAIMERS, 302, refused=REDIRECT_REFUSED,
        sees=SEES_POOL_LEAD),
    row("lead_release_page", "post", "/leads/{lead}/release/", EDITORS, 302, refused=REDIRECT_REFUSED,
        sees=SEES_TARGET),
    row("lead_contacted_page", "post", "/leads/{lead}/contacted/", EDITORS, 302, refused=REDIRECT_REFUSED,
        sees=SEES_TARGET),
    row("lead_screen_page", "post", "/leads/{lead}/screen/", EDITORS, 302,
        {"need": "high", "purchasing_power": "medium", "credit": "high"}, refused=REDIRECT_REFUSED,
        sees=SEES_TARGET),
    row("lead_assign_page", "post", "/leads/{lead}/assign/", ASSIGNERS, 302,
        {"mode": "manual", "owner": "{rep_b}"}, refused=REDIRECT_REFUSED, sees=SEES_TARGET),
    row("lead_convert_page", "post", "/leads/{qualified_lead}/convert/", EDITORS, 302,
        {"confirm_duplicates": "on"}, refused=REDIRECT_REFUSED, sees=SEES_TARGET),
    # Pages: the lead rules (pool policies per unit, scoring, territory rules).
    row("config_policies_page", "get", "/leads/settings/", CONFIGURERS),
    row("config_policy_default_page", "get", "/leads/settings/policies/default/", COMPANY),
    row("config_policy_edit_page", "get", "/leads/settings/policies/{policy_unit}/", EAST_CONFIGURERS,
        overrides=OTHER_REGION),
    row("config_policy_remove_page", "post", "/leads/settings/policies/{policy_unit}/remove/", EAST_CONFIGURERS,
        302, overrides=OTHER_REGION),
    row("config_scoring_page", "get", "/leads/settings/scoring/", CONFIGURERS),
    row("config_rules_page", "get", "/leads/settings/territory/", CONFIGURERS),
    row("config_rule_create_page", "get", "/leads/settings/territory/new/", CONFIGURERS),
    row("config_rule_edit_page", "get", "/leads/settings/territory/{rule}/", EAST_CONFIGURERS,
        overrides=OTHER_REGION),
    row("config_rule_active_page", "post", "/leads/settings/territory/{rule}/active/", EAST_CONFIGURERS, 302,
        {"active": "0"}, overrides=OTHER_REGION),
    row("config_rule_move_page", "post", "/leads/settings/territory/{rule}/move/", EAST_CONFIGURERS, 302,
        {"direction": "up"}, overrides=OTHER_REGION),
]
