"""Opportunity services (商机, seed 004): moves along PIPELINE_FLOW, checklists, win / lose / reopen, refusals."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound, PermissionRefused, ValidationFailed
from salesflow.core.statemachine import InvalidTransition
from salesflow.deals import selectors, services
from salesflow.deals.models import Opportunity, OpportunityStageChange

from ..conftest import fresh

pytestmark = pytest.mark.django_db


def test_move_records_the_stay_and_resets_the_default_probability(org, opportunity):
    o = opportunity()
    past = timezone.now() - dt.timedelta(days=3)
    Opportunity.objects.filter(pk=o.pk).update(stage_entered_at=past)
    services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="needs")
    o.refresh_from_db()
    assert o.stage == "needs" and o.probability == 25 and o.stage_entered_at > past
    change = o.stage_changes.order_by("-id").first()
    assert (change.from_stage, change.to_stage, change.by) == ("contact", "needs", org.rep)
    assert 3 * 86400 - 5 <= change.seconds_in_stage <= 3 * 86400 + 5
    assert AuditEvent.objects.filter(action="opportunity.moved", object_id=str(o.pk), customer_id=o.customer_id).exists()


def test_a_probability_set_by_the_user_survives_a_move(org, opportunity):
    o = opportunity(probability="40")
    services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="quote")
    o.refresh_from_db()
    assert o.probability == 40
    services.opportunity_update(by=org.rep, opportunity_id=o.pk, data={"probability": 50})  # = quote's default
    services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="sign")
    o.refresh_from_db()
    assert o.probability == 80


def test_a_deal_can_step_back_but_not_stay_nor_jump_to_closed(org, opportunity):
    o = opportunity()
    services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="quote")
    services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="needs")
    with pytest.raises(InvalidTransition):
        services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="needs")
    with pytest.raises(InvalidTransition):
        services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="won")
    with pytest.raises(InvalidTransition):
        services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="nonsense")
    assert Opportunity.objects.get(pk=o.pk).stage == "needs"


def test_checklist_items_belong_to_the_current_stage(org, opportunity):
    o = opportunity()
    services.opportunity_set_checklist(by=org.rep, opportunity_id=o.pk, item="first_contact", done=True)
    with pytest.raises(ValidationFailed):
        services.opportunity_set_checklist(by=org.rep, opportunity_id=o.pk, item="budget", done=True)
    services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="needs")
    services.opportunity_set_checklist(by=org.rep, opportunity_id=o.pk, item="budget", done=True)
    services.opportunity_set_checklist(by=org.rep, opportunity_id=o.pk, item="budget", done=False)
    assert Opportunity.objects.get(pk=o.pk).checklist == {"first_contact": True, "budget": False}


def test_win_closes_with_full_probability(org, opportunity):
    o = services.opportunity_win(by=org.rep, opportunity_id=opportunity().pk)
    o.refresh_from_db()
    assert o.stage == "won" and o.probability == 100 and o.closed_at is not None
    with pytest.raises(InvalidTransition):
        services.opportunity_reopen(by=org.rep, opportunity_id=o.pk)
    with pytest.raises(InvalidTransition):
        services.opportunity_move(by=org.rep, opportunity_id=o.pk, to_stage="contact")


def test_lost_needs_a_reason_then_can_be_reopened(org, opportunity, lost_reason, competitor):
    o = opportunity()
    with pytest.raises(ValidationFailed) as exc:
        services.opportunity_lose(by=org.rep, opportunity_id=o.pk, reason_id=None)
    assert "reason" in exc.value.fields and Opportunity.objects.get(pk=o.pk).stage == "contact"
    services.opportunity_lose(by=org.rep, opportunity_id=o.pk, reason_id=lost_reason.pk, competitor_id=competitor.pk)
    o.refresh_from_db()
    assert (o.stage, o.lost_reason, o.won_by, o.probability) == ("lost", lost_reason, competitor, 0)
    assert list(o.competitors.all()) == [competitor]
    services.opportunity_reopen(by=org.rep, opportunity_id=o.pk)
    o.refresh_from_db()
    assert (o.stage, o.lost_reason, o.closed_at, o.probability) == ("contact", None, None, 10)
    assert [c.to_stage for c in o.stage_changes.order_by("id")] == ["contact", "lost", "contact"]


def test_the_database_refuses_a_lost_deal_without_reason(opportunity):
    o = opportunity()
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=o.pk).update(stage="lost")


@pytest.mark.parametrize("who", ["rep_b", "rep3", "rep2", "manager2"])
def test_another_scope_is_not_found(org, opportunity, who):
    o = opportunity()
    with pytest.raises(NotFound):
        services.opportunity_move(by=fresh(getattr(org, who)), opportunity_id=o.pk, to_stage="needs")
    with pytest.raises(NotFound):
        selectors.opportunity_get(user=fresh(getattr(org, who)), opportunity_id=o.pk)


@pytest.mark.parametrize("who", ["finance", "planner"])
def test_wrong_role_is_refused(org, opportunity, who):
    o = opportunity()
    with pytest.raises(PermissionRefused):
        services.opportunity_move(by=fresh(getattr(org, who)), opportunity_id=o.pk, to_stage="needs")
    with pytest.raises(PermissionRefused):
        services.opportunity_update(by=fresh(getattr(org, who)), opportunity_id=o.pk, data={"name": "x"})


def test_supervisor_moves_a_deal_of_the_team(org, opportunity):
    o = opportunity()
    services.opportunity_move(by=fresh(org.supervisor), opportunity_id=o.pk, to_stage="needs")
    assert OpportunityStageChange.objects.filter(opportunity=o, by=org.supervisor).exists()


def test_update_fields_and_competitors(org, opportunity, competitor):
    o = opportunity()
    services.opportunity_update(by=org.rep, opportunity_id=o.pk, data={
        "name": "二期", "amount": "1,200,000", "expected_close": "2026-06-30", "selling_model": "consultative",
        "competitor_ids": [competitor.pk]})
    o.refresh_from_db()
    assert (o.name, str(o.amount), o.expected_close.isoformat(), o.selling_model) == (
        "二期", "1200000.00", "2026-06-30", "consultative")
    assert list(o.competitors.all()) == [competitor]
    with pytest.raises(ValidationFailed):
        services.opportunity_update(by=org.rep, opportunity_id=o.pk, data={"amount": "-1"})
    with pytest.raises(ValidationFailed):
        services.opportunity_update(by=org.rep, opportunity_id=o.pk, data={"competitor_ids": [999999]})


def test_list_filters_and_scope(org, opportunity):
    a = opportunity(name="A 机床", expected_close="2026-02-10")
    b = opportunity(name="B 软件", expected_close="2026-05-10")
    services.opportunity_move(by=org.rep, opportunity_id=b.pk, to_stage="quote")
    c = opportunity(user=org.rep2, customer=org.cust_rep2, name="C")
    rep = fresh(org.rep)
    F = selectors.OpportunityFilters
    assert set(selectors.opportunity_list(user=rep)) == {a, b}
    assert list(selectors.opportunity_list(user=rep, filters=F(stage="quote"))) == [b]
    assert list(selectors.opportunity_list(user=rep, filters=F(q="机床"))) == [a]
    assert list(selectors.opportunity_list(user=rep, filters=F(close_quarter="2026Q2"))) == [b]
    assert set(selectors.opportunity_list(user=fresh(org.admin), filters=F(region=org.north.pk))) == {c}
    assert set(selectors.opportunity_list(user=fresh(org.manager))) == {a, b}


def test_kanban_columns_count_and_sum_in_two_queries(org, opportunity, django_assert_num_queries):
    for i in range(5):
        opportunity(amount=str(100 * (i + 1)))
    moved = opportunity(amount="1000")
    services.opportunity_move(by=org.rep, opportunity_id=moved.pk, to_stage="sign")
    opportunity(user=org.rep_b, customer=org.cust_rep_b)
    rep = fresh(org.rep)
    rep.role  # noqa: B018
    from salesflow.org.scope import data_scope
    data_scope(rep)
    with django_assert_num_queries(2):
        columns = selectors.kanban(user=rep, limit=3)
        cards = [len(c.cards) for c in columns]
    by_stage = {c.stage: c for c in columns}
    assert cards == [3, 0, 0, 1]
    assert by_stage["contact"].count == 5 and by_stage["contact"].amount == 1500
    assert by_stage["sign"].count == 1
    team = selectors.kanban(user=fresh(org.supervisor), unit=org.east_team.pk)
    assert sum(c.count for c in team) == 7


def test_master_lists_are_for_admins(org):
    with pytest.raises(PermissionRefused):
        services.lost_reason_create(by=org.rep, name="价格")
    services.lost_reason_create(by=org.admin, name="价格")
    with pytest.raises(ValidationFailed):
        services.lost_reason_create(by=org.admin, name="价格")
    assert services.competitor_create(by=org.director, name="东方精工").name == "东方精工"
