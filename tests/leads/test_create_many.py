"""lead_create_many: many new leads by the same rules as one at a time (lead_create, lead_assign, lead_score)."""

from decimal import Decimal

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.chinese import name_key
from salesflow.core.errors import PermissionRefused, ValidationFailed
from salesflow.leads import services
from salesflow.leads.models import Lead, LeadAssignmentRule, LeadStatus, RoundRobinCursor

from ..conftest import fresh


def row(name, **values):
    cleaned, errors = services.clean_lead({"name": name, **values})
    assert not errors, errors
    return {**cleaned, "name_key": name_key(name), "need": values.get("need", "unknown"),
            "purchasing_power": values.get("purchasing_power", "unknown"), "credit": values.get("credit", "unknown")}


def test_a_reps_batch_is_theirs_scored_placed_and_audited_once(org):
    rows = [row("批量一号有限公司", phone="13700001111", province="浙江省", estimated_amount="1200.5",
                need="high", purchasing_power="medium", credit="high"),
            row("批量二号有限公司")]
    done = []
    result = services.lead_create_many(by=fresh(org.rep), rows=rows, figures={"file": "x"}, progress=done.append)
    assert (result.created, result.unrouted) == (2, 0) and done == [2]
    first, second = Lead.objects.filter(created_by=org.rep).order_by("pk")
    assert (first.owner, first.status, first.unit, first.region) == (org.rep, LeadStatus.ASSIGNED, org.east_team,
                                                                     org.east)
    assert first.assigned_at and first.estimated_amount == Decimal("1200.50") and first.phone_digits == "13700001111"
    assert first.score == services.lead_score(need="high", purchasing_power="medium", credit="high") > 0
    assert second.score is None  # no level: not screened
    event = AuditEvent.objects.get(action="lead.import_finished")
    assert event.actor_id == org.rep.pk and event.after == {"created": 2, "unrouted": 0, "assignment": "self",
                                                            "file": "x"}


def test_a_rep_may_only_keep_the_batch(org):
    for mode in ("pool", "round_robin", "territory"):
        with pytest.raises(PermissionRefused):
            services.lead_create_many(by=fresh(org.rep), rows=[row("不许分配的公司")], assign=mode,
                                      team_id=org.east_team.pk)
    with pytest.raises(PermissionRefused):
        services.lead_create_many(by=fresh(org.planner), rows=[row("无权导入的公司")])
    with pytest.raises(ValidationFailed):
        services.lead_create_many(by=fresh(org.manager), rows=[row("未知方式的公司")], assign="lottery")
    assert not Lead.objects.exists()


def test_the_pool_mode_leaves_them_in_the_creators_unit(org):
    services.lead_create_many(by=fresh(org.manager), rows=[row("公海一号公司"), row("公海二号公司")],
                              assign=services.BulkAssign.POOL)
    assert set(Lead.objects.values_list("owner_id", "status", "unit_id", "assigned_at")) == {
        (None, LeadStatus.NEW, org.east.pk, None)}


def test_round_robin_continues_where_lead_assign_left_off(org, make_lead):
    one = make_lead(by=org.supervisor, owner=None)
    first = services.lead_assign(by=fresh(org.supervisor), lead=one, mode="round_robin", team=org.east_team).owner_id
    services.lead_create_many(by=fresh(org.supervisor), rows=[row(f"轮转{i}号公司") for i in range(3)],
                              assign=services.BulkAssign.ROUND_ROBIN, team_id=org.east_team.pk)
    reps = sorted([org.rep.pk, org.rep_b.pk])
    batch = list(Lead.objects.filter(name__startswith="轮转").order_by("pk").values_list("owner_id", flat=True))
    assert first == reps[0] and batch == [reps[1], reps[0], reps[1]]
    assert RoundRobinCursor.objects.get(team=org.east_team).last_user_id == reps[1]
    with pytest.raises(ValidationFailed) as exc:
        services.lead_create_many(by=fresh(org.supervisor), rows=[row("没选组的公司")],
                                  assign=services.BulkAssign.ROUND_ROBIN)
    assert "team" in exc.value.fields


def test_territory_rules_pick_the_owner_as_lead_assign_does(org, make_lead):
    # A rule whose user has left and that names no team routes nobody: the next matching rule decides, one lead
    # at a time and in a batch alike.
    gone = fresh(org.rep3)
    LeadAssignmentRule.objects.create(priority=1, province="浙江省", user=gone)
    LeadAssignmentRule.objects.create(priority=2, province="浙江省", industry="energy", user=org.rep_b)
    LeadAssignmentRule.objects.create(priority=3, province="浙江省", team=org.east_team)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    single = make_lead(by=org.manager, owner=None, province="浙江省", industry="energy")
    assert services.lead_assign(by=fresh(org.manager), lead=single, mode="territory").owner_id == org.rep_b.pk
    result = services.lead_create_many(
        by=fresh(org.manager), assign=services.BulkAssign.TERRITORY,
        rows=[row("区域能源公司", province="浙江省", industry="energy"), row("区域其他公司", province="浙江省"),
              row("无规则公司", province="西藏自治区")])
    owners = dict(Lead.objects.filter(created_by=org.manager, name__startswith="区域").values_list("name",
                                                                                                  "owner_id"))
    assert owners["区域能源公司"] == org.rep_b.pk and owners["区域其他公司"] in (org.rep.pk, org.rep_b.pk)
    assert result.unrouted == 1 and Lead.objects.get(name="无规则公司").owner_id is None
