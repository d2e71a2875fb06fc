"""Leads through the real services; outcomes asserted in the database."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused
from salesflow.crm.models import Customer
from salesflow.deals.models import Opportunity
from salesflow.leads import services
from salesflow.leads.models import Lead, LeadAssignmentRule, LeadScoringRule, LeadStatus
from salesflow.notifications.models import Notification
from salesflow.pool.models import PoolPolicy

from ..conftest import fresh
from ..factories import credit_code

SH = ZoneInfo("Asia/Shanghai")


def screen(by, lead, need, power, credit):
    return services.lead_screen(by=fresh(by), lead=lead, need=need, purchasing_power=power, credit=credit)


# ── scoring ───────────────────────────────────────────────────────────────────────────────────────────

def test_score_follows_the_seeded_rules_and_the_threshold(org, make_lead):
    lead = make_lead()
    lead = screen(org.rep, lead, "high", "medium", "high")  # 40 + 20 + 25
    assert (lead.score, lead.status) == (85, LeadStatus.QUALIFIED)
    lead = screen(org.rep, lead, "low", "low", "unknown")  # 10 + 5 + 5
    assert (lead.score, lead.status) == (20, LeadStatus.PARKED)
    assert Lead.objects.filter(pk=lead.pk).exists()  # parked, not deleted


def test_score_rules_and_threshold_are_configurable(org, make_lead):
    LeadScoringRule.objects.filter(assessment="need", level="low").update(points=70)
    PoolPolicy.objects.create(unit=org.east_team, qualify_threshold=75)
    lead = screen(org.rep, make_lead(), "low", "low", "unknown")  # 70 + 5 + 5 = 80 ≥ 75
    assert (lead.score, lead.status) == (80, LeadStatus.QUALIFIED)
    other = screen(org.rep2, make_lead(by=org.rep2), "low", "unknown", "unknown")  # 75 ≥ company default 60
    assert other.status == LeadStatus.QUALIFIED


# ── creation and duplicates ───────────────────────────────────────────────────────────────────────────

def test_lead_create_warns_about_duplicates_in_leads_and_customers(org, make_lead):
    make_lead(name="苏州新星光电有限公司", phone="13700002222", credit_code=credit_code(77))
    by = fresh(org.rep2)
    with pytest.raises(Conflict) as exc:
        services.lead_create(by=by, data={"name": "别的名字", "phone": "137 0000 2222"})
    assert "same phone number" in str(exc.value.message)
    with pytest.raises(Conflict):
        services.lead_create(by=by, data={"name": "x", "credit_code": credit_code(77)})
    with pytest.raises(Conflict):
        services.lead_create(by=by, data={"name": "苏州新星光电股份有限公司"})  # near-identical name
    # Against customer files too (org.cust_rep: 上海星辰机械有限公司, contact 13812345678).
    with pytest.raises(Conflict) as exc:
        services.lead_create(by=by, data={"name": "上海星辰机械", "phone": "13812345678"})
    assert "customer" in str(exc.value.message)
    lead = services.lead_create(by=by, data={"name": "上海星辰机械"}, confirm_duplicates=True)
    assert lead.status == LeadStatus.NEW and lead.owner_id is None and lead.unit_id == org.north_team.pk


def test_invalid_fields_are_refused(org):
    with pytest.raises(AppError) as exc:
        services.lead_create(by=fresh(org.rep), data={"name": "", "phone": "123", "channel": "nope"})
    assert set(exc.value.fields) >= {"name", "phone", "channel"}


# ── assignment ────────────────────────────────────────────────────────────────────────────────────────

def test_manual_assignment_keeps_history(org, make_lead):
    lead = make_lead(by=org.supervisor, owner=None)
    services.lead_assign(by=fresh(org.supervisor), lead=lead, owner=org.rep)
    lead = services.lead_assign(by=fresh(org.supervisor), lead=lead, owner=org.rep_b)
    assert lead.owner_id == org.rep_b.pk and lead.status == LeadStatus.ASSIGNED
    moves = list(AuditEvent.objects.filter(action="lead.assigned", object_id=str(lead.pk)).order_by("id"))
    assert [(m.before["owner"], m.after["owner"]) for m in moves] == [(None, org.rep.pk), (org.rep.pk, org.rep_b.pk)]


def test_manual_assignment_outside_scope_is_refused(org, make_lead):
    lead = make_lead(by=org.supervisor, owner=None)
    with pytest.raises(AppError) as exc:
        services.lead_assign(by=fresh(org.supervisor), lead=lead, owner=org.rep2)
    assert exc.value.code == "lead_owner_out_of_scope"


def test_round_robin_cycles_through_the_team(org, make_lead):
    got = []
    for _i in range(4):
        lead = make_lead(by=org.supervisor, owner=None)
        got.append(services.lead_assign(by=fresh(org.supervisor), lead=lead, mode="round_robin",
                                        team=org.east_team).owner_id)
    assert got == [org.rep.pk, org.rep_b.pk, org.rep.pk, org.rep_b.pk]


def test_territory_rules_route_by_province_and_industry(org, make_lead):
    LeadAssignmentRule.objects.create(priority=10, province="浙江省", industry="energy", user=org.rep3)
    LeadAssignmentRule.objects.create(priority=20, province="浙江省", team=org.east_team)
    energy = make_lead(by=org.manager, owner=None, province="浙江省", industry="energy")
    other = make_lead(by=org.manager, owner=None, province="浙江省", industry="it")
    nowhere = make_lead(by=org.manager, owner=None, province="西藏自治区")
    assert services.lead_assign(by=fresh(org.manager), lead=energy, mode="territory").owner_id == org.rep3.pk
    assert services.lead_assign(by=fresh(org.manager), lead=other, mode="territory").owner_id == org.rep.pk
    with pytest.raises(AppError) as exc:
        services.lead_assign(by=fresh(org.manager), lead=nowhere, mode="territory")
    assert exc.value.code == "lead_no_assignment_rule"


def test_rep_cannot_assign(org, make_lead):
    with pytest.raises(PermissionRefused):
        services.lead_assign(by=fresh(org.rep), lead=make_lead(), owner=org.rep_b)


# ── the pool ──────────────────────────────────────────────────────────────────────────────────────────

def test_claim_up_to_the_cap_then_refuse(org, make_lead):
    PoolPolicy.objects.create(unit=org.east_team, claim_cap=2)
    pool = [make_lead(by=org.supervisor, owner=None) for _ in range(3)]
    services.lead_claim(by=fresh(org.rep), lead=pool[0])
    services.lead_claim(by=fresh(org.rep), lead=pool[1])
    with pytest.raises(Conflict) as exc:
        services.lead_claim(by=fresh(org.rep), lead=pool[2])
    assert exc.value.code == "lead_claim_cap_reached" and "cap is 2" in str(exc.value.message)
    assert Lead.objects.get(pk=pool[2].pk).owner_id is None
    assert AuditEvent.objects.filter(action="lead.claimed").count() == 2


def test_claimed_lead_cannot_be_claimed_again_and_other_units_pools_are_hidden(org, make_lead):
    lead = make_lead(by=org.supervisor, owner=None)
    services.lead_claim(by=fresh(org.rep), lead=lead)
    with pytest.raises((Conflict, NotFound)):
        services.lead_claim(by=fresh(org.rep_b), lead=lead)
    north = make_lead(by=org.rep2, owner=None)
    with pytest.raises(NotFound):
        services.lead_claim(by=fresh(org.rep), lead=north)


def test_release_returns_the_lead_to_its_teams_pool(org, make_lead):
    lead = services.lead_release(by=fresh(org.rep), lead=make_lead())
    assert (lead.status, lead.owner_id, lead.unit_id) == (LeadStatus.RETURNED, None, org.east_team.pk)
    assert Lead.objects.visible_to(fresh(org.rep_b)).in_pool().filter(pk=lead.pk).exists()


# ── the contact limit sweep ───────────────────────────────────────────────────────────────────────────

def test_uncontacted_lead_returns_to_the_pool_after_the_working_time_limit(org, make_lead):
    # Friday 2026-03-06 10:00; 18 working hours = Fri 8 h + Mon 9 h + Tue 1 h → overdue from Tue 10:00.
    with time_machine.travel(dt.datetime(2026, 3, 6, 10, 0, tzinfo=SH), tick=False):
        lead = make_lead()
        contacted = make_lead()
        services.lead_mark_contacted(by=fresh(org.rep), lead=contacted)
    assert services.leads_sweep(now=dt.datetime(2026, 3, 9, 18, 0, tzinfo=SH)) == {"returned": 0}  # weekend ignored
    assert services.leads_sweep(now=dt.datetime(2026, 3, 10, 9, 59, tzinfo=SH)) == {"returned": 0}
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 1, tzinfo=SH), tick=False):
        assert services.leads_sweep() == {"returned": 1}
        assert services.leads_sweep() == {"returned": 0}  # idempotent
    lead.refresh_from_db()
    assert lead.owner_id is None and lead.status == LeadStatus.RETURNED and lead.overdue_at is not None
    assert Lead.objects.get(pk=contacted.pk).owner_id == org.rep.pk
    note = Notification.objects.get(user=org.rep, kind="lead.returned_overdue")
    assert lead.name in note.title
    assert AuditEvent.objects.filter(action="lead.returned_overdue", object_id=str(lead.pk)).exists()


def test_sweep_task_is_registered_with_the_scheduler():
    from salesflow.core.scheduler import PERIODIC
    from salesflow.leads.tasks import sweep_overdue_leads

    assert any(task is sweep_overdue_leads for _every, task in PERIODIC)


# ── conversion ────────────────────────────────────────────────────────────────────────────────────────

def test_conversion_carries_the_leads_data_without_retyping(org, make_lead):
    lead = make_lead(name="宁波海浪电器有限公司", contact_name="刘经理", phone="13655556666",
                     credit_code=credit_code(901), province="浙江省", city="宁波", industry="manufacturing",
                     channel="exhibition", campaign="2026 春季展会", need_notes="注塑机 3 台",
                     estimated_amount="380000")
    with pytest.raises(AppError) as exc:
        services.lead_convert(by=fresh(org.rep), lead=lead)
    assert exc.value.code == "lead_not_qualified"
    lead = screen(org.rep, lead, "high", "high", "high")
    lead = services.lead_convert(by=fresh(org.rep), lead=lead)
    assert lead.status == LeadStatus.CONVERTED
    customer = Customer.objects.get(pk=lead.customer_id)
    assert (customer.name, customer.credit_code, customer.province, customer.city, customer.industry,
            customer.source, customer.owner_id) == ("宁波海浪电器有限公司", credit_code(901), "浙江省", "宁波",
                                                     "manufacturing", "exhibition", org.rep.pk)
    assert "2026 春季展会" in customer.notes
    contact = customer.contacts.get()
    assert (contact.name, contact.phone, contact.is_primary) == ("刘经理", "13655556666", True)
    opp = Opportunity.objects.get(pk=lead.opportunity_id)
    assert (opp.customer_id, opp.amount, opp.products, opp.source_lead_id, opp.owner_id) == (
        customer.pk, Decimal("380000.00"), "注塑机 3 台", lead.pk, org.rep.pk)


def test_conversion_can_attach_to_an_existing_customer(org, make_lead):
    lead = screen(org.rep, make_lead(name="上海星辰机械"), "high", "high", "high")
    with pytest.raises(Conflict):
        services.lead_convert(by=fresh(org.rep), lead=lead)  # the customer file probably exists
    assert Opportunity.objects.count() == 0  # nothing half-done
    lead = services.lead_convert(by=fresh(org.rep), lead=lead, customer_id=org.cust_rep.pk)
    assert lead.customer_id == org.cust_rep.pk
    assert Opportunity.objects.get(pk=lead.opportunity_id).customer_id == org.cust_rep.pk


# ── permissions ───────────────────────────────────────────────────────────────────────────────────────

def test_other_rep_sees_nothing_and_wrong_role_is_refused(org, make_lead):
    lead = make_lead()
    with pytest.raises(NotFound):
        services.lead_screen(by=fresh(org.rep2), lead=lead, need="high", purchasing_power="high", credit="high")
    with pytest.raises(PermissionRefused):
        services.lead_screen(by=fresh(org.finance), lead=lead, need="high", purchasing_power="high",
                             credit="high")
    with pytest.raises(PermissionRefused):
        services.lead_claim(by=fresh(org.finance), lead=lead)
    with pytest.raises(PermissionRefused):
        services.lead_create(by=fresh(org.planner), data={"name": "x"})
