"""Document guards declared once on the model (org.guards): ``doc.can(action, by=user)`` for pages and API,
``doc.require(action, by=user)`` for services — the role's capability, the user's relation to the document and
the document's declared state machine, read together."""

from decimal import Decimal

import pytest

from salesflow.core.errors import PermissionRefused
from salesflow.core.statemachine import InvalidTransition
from salesflow.deals.models import DiscountRequest, DiscountStatus, Opportunity
from salesflow.deals.pipeline import Stage
from salesflow.org.roles import Role
from salesflow.reception.models import Prospect, ProspectStatus, ReceptionRecord

from ..conftest import fresh
from ..factories import UserFactory


def _discount(org, status=DiscountStatus.DRAFT):
    return DiscountRequest(requester=org.rep, unit=org.east_team, customer=org.cust_rep, status=status,
                           amount=Decimal("100.00"), discount_percent=Decimal("5"))


def test_owner_only_actions_follow_the_declared_states(org):
    draft = _discount(org)
    assert draft.can("edit", by=fresh(org.rep)) and draft.can("submit", by=fresh(org.rep))
    assert not draft.can("withdraw", by=fresh(org.rep))  # nothing to withdraw yet
    for other in ("rep_b", "supervisor", "director"):
        assert not draft.can("edit", by=fresh(getattr(org, other)))
    pending = _discount(org, DiscountStatus.PENDING)
    assert pending.can("withdraw", by=fresh(org.rep))
    assert not pending.can("edit", by=fresh(org.rep)) and not pending.can("submit", by=fresh(org.rep))


def test_require_refuses_the_relation_first_then_the_state(org):
    pending = _discount(org, DiscountStatus.PENDING)
    with pytest.raises(PermissionRefused) as refused:
        pending.require("edit", by=fresh(org.rep_b))
    assert str(refused.value.message) == "Only the author can change the request."
    with pytest.raises(InvalidTransition) as invalid:
        pending.require("edit", by=fresh(org.rep))
    assert invalid.value.code == "invalid_transition"
    with pytest.raises(PermissionRefused) as refused:
        pending.require("withdraw", by=fresh(org.rep_b))
    assert refused.value.code == "approval_not_requester"
    pending.require("withdraw", by=fresh(org.rep))


def test_capability_and_transitions_of_the_pipeline(org):
    deal = Opportunity(owner=org.rep, unit=org.east_team, customer=org.cust_rep, stage=Stage.CONTACT)
    rep, planner = fresh(org.rep), fresh(org.planner)
    assert deal.can("win", by=rep) and deal.can("to_quote", by=rep)
    assert not deal.can("to_contact", by=rep)  # already there
    assert not deal.can("reopen", by=rep)
    assert not deal.can("win", by=planner)
    assert not Opportunity.role_allows("edit", by=planner)
    with pytest.raises(PermissionRefused):
        Opportunity.role_require("win", by=planner)  # no document needed: a wrong role never learns if it exists
    lost = Opportunity(owner=org.rep, unit=org.east_team, customer=org.cust_rep, stage=Stage.LOST)
    assert lost.can("reopen", by=rep) and not lost.can("win", by=rep)
    assert lost.can("edit", by=rep)  # not a transition: open in every stage


def test_prospect_guards_follow_the_d2_lanes_and_non_transition_states(org):
    # D2.4 (issue #13): the office's 营销主管 — by default the sales supervisor — confirms; the marketing VP does not.
    marketing = UserFactory(username="mvp_guard", role=Role.MARKETING_VP, unit=org.hq)
    prospect = Prospect(consultant=org.rep, unit=org.east_team, status=ProspectStatus.REGISTERED)
    assert prospect.can("drop", by=fresh(org.supervisor)) and not prospect.can("drop", by=fresh(marketing))
    assert not prospect.can("drop", by=fresh(org.rep))
    assert prospect.can("confirm", by=fresh(org.supervisor)) and not prospect.can("confirm", by=fresh(marketing))
    assert prospect.can("add_record", by=fresh(org.rep))
    prospect.status = ProspectStatus.DEAL_DONE
    assert not prospect.can("add_record", by=fresh(org.rep))
    assert prospect.can("hand_over", by=fresh(org.supervisor)) and not prospect.can("drop", by=fresh(org.supervisor))


def test_above_reads_the_owner_and_unit_fields_the_queryset_declares(org):
    record = ReceptionRecord(owner=org.rep, unit=org.east_team)
    assert record.can("edit", by=fresh(org.rep)) and record.can("edit", by=fresh(org.supervisor))
    assert record.can("edit", by=fresh(org.manager)) and record.can("edit", by=fresh(org.director))
    assert not record.can("edit", by=fresh(org.rep_b)) and not record.can("edit", by=fresh(org.manager2))
    assert _discount(org).guard_owner_id == org.rep.pk  # DiscountRequestQuerySet.scope_owner = "requester_id"


def test_an_undeclared_action_is_a_programming_error(org):
    with pytest.raises(ValueError, match="declares no permit"):
        _discount(org).can("approve", by=fresh(org.rep))  # the engine's verdict, nobody's button


def test_anonymous_may_do_nothing(org):
    from django.contrib.auth.models import AnonymousUser

    assert not _discount(org).can("edit", by=AnonymousUser())
    assert not _discount(org).can("edit", by=None)


def test_reviewer_is_above_the_owner_but_never_the_owner(org):
    import datetime as dt

    from salesflow.visits.models import PlanStatus, VisitPlan

    plan = VisitPlan(owner=org.rep, unit=org.east_team, period="week", starts_on=dt.date(2026, 3, 2),
                     ends_on=dt.date(2026, 3, 8), status=PlanStatus.SUBMITTED)
    # R17: the supervisor prepares the plan, the manager fixes it.
    assert plan.can("prepare", by=fresh(org.supervisor)) and not plan.can("approve", by=fresh(org.supervisor))
    assert plan.can("approve", by=fresh(org.manager)) and plan.can("adjust", by=fresh(org.manager))
    assert not plan.can("approve", by=fresh(org.rep)) and not plan.can("approve", by=fresh(org.manager2))
    assert plan.can("log", by=fresh(org.rep)) and not plan.can("log", by=fresh(org.supervisor))
    assert not plan.can("edit", by=fresh(org.rep)) and not plan.can("submit", by=fresh(org.rep))
    with pytest.raises(PermissionRefused) as refused:
        plan.require_permitted("submit", by=fresh(org.supervisor))
    assert str(refused.value.message) == "Only the rep who wrote the plan can submit it."
    plan.require_permitted("submit", by=fresh(org.rep))  # role and relation hold; the state is the caller's
    plan.status = PlanStatus.DRAFT
    assert plan.can("edit", by=fresh(org.rep)) and plan.can("submit", by=fresh(org.rep))
    assert not plan.can("adjust", by=fresh(org.supervisor))


def test_customer_archive_restore_and_phone_reveal(org):
    from salesflow.crm.choices import CustomerStatus

    customer = org.cust_rep
    assert customer.can("archive", by=fresh(org.rep)) and not customer.can("restore", by=fresh(org.rep))
    assert not customer.can("archive", by=fresh(org.finance))  # reads every customer, edits none
    customer.status = CustomerStatus.ARCHIVED
    assert customer.can("restore", by=fresh(org.rep)) and not customer.can("archive", by=fresh(org.rep))
    assert customer.can("reveal_phones", by=fresh(org.supervisor)) and customer.can("reveal_phones", by=fresh(org.rep))
    assert not customer.can("reveal_phones", by=fresh(org.manager2))
    assert customer.can("reassign", by=fresh(org.supervisor)) and not customer.can("reassign", by=fresh(org.rep))
