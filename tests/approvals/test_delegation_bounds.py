"""Issue #15: delegation within bounds. A delegate must be able to hold the delegated role's decisions (same or
higher role, same region or above it, settings may widen it), is never the requester nor in the requester's
reporting line below the person away, and the form lists only eligible people."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from salesflow.approvals import services as engine
from salesflow.approvals.delegation import eligible_delegates
from salesflow.approvals.models import ApprovalTask, Delegation
from salesflow.core.errors import ValidationFailed
from salesflow.deals.discounts import services as deals
from salesflow.org.models import UserRole
from salesflow.org.roles import Role
from tests.factories import UserFactory

from ..conftest import fresh
from .helpers import at, decide

TUESDAY_10 = at(2025, 11, 25, 10)
DAY = dt.date(2025, 11, 25)


@pytest.fixture
def people(r13):
    peer = UserFactory(username="supervisor_b", name="二组主管", role=Role.SUPERVISOR, unit=r13.east_team2,
                       manager=r13.manager)
    north_sup = UserFactory(username="supervisor_n", name="北京主管", role=Role.SUPERVISOR, unit=r13.north_office,
                            manager=r13.manager2)
    sales_vp = UserFactory(username="sales_vp", name="销售副总", role=Role.SALES_VP, unit=r13.hq, manager=r13.gm)
    return peer, north_sup, sales_vp


def _create(by, delegate, **kw):
    return engine.delegation_create(by=fresh(by), delegate=fresh(delegate), starts_on=DAY, ends_on=DAY, **kw)


def test_a_supervisor_cannot_hand_d8_to_a_teammate_rep(r13):
    # The finding: a supervisor's teammate rep approved the supervisor's D8 step.
    with pytest.raises(ValidationFailed) as exc:
        _create(r13.supervisor, r13.rep_b)
    assert exc.value.code == "approval_delegation_invalid"
    assert "cannot stand in" in exc.value.fields["delegate"][0]
    assert not Delegation.objects.exists()


def test_the_gm_cannot_hand_a9_to_a_rep_of_another_region(r13):
    with pytest.raises(ValidationFailed):
        _create(r13.gm, r13.rep2)
    with pytest.raises(ValidationFailed):
        _create(r13.gm, r13.manager2)  # not leadership either
    assert not Delegation.objects.exists()


def test_leadership_hands_among_leadership(r13, people):
    _peer, _north, sales_vp = people
    assert {u.username for u in eligible_delegates(user=fresh(r13.gm))} == {"director", "marketing_vp", "sales_vp"}
    _create(r13.gm, sales_vp)
    _create(r13.marketing_vp, r13.director)


def test_same_or_higher_role_in_the_same_region_or_above(r13, people):
    peer, north_sup, sales_vp = people
    names = {u.username for u in eligible_delegates(user=fresh(r13.supervisor))}
    # A peer supervisor of the region, the region's manager, and those above; not reps, not another region.
    assert names == {"supervisor_b", "manager", "director", "gm", "marketing_vp", "sales_vp"}
    assert {u.username for u in eligible_delegates(user=fresh(r13.manager))} == {
        "director", "gm", "marketing_vp", "sales_vp"}  # manager2 runs another region
    with pytest.raises(ValidationFailed):
        _create(r13.supervisor, north_sup)
    with pytest.raises(ValidationFailed):
        _create(r13.manager, r13.manager2)
    _create(r13.supervisor, peer)


def test_settings_widen_the_roles(r13, settings):
    accountant2 = UserFactory(username="finance2", name="钱会计", role=Role.ACCOUNTANT, unit=r13.hq)
    vp = UserFactory(username="finance_vp", name="财务副总", role=Role.FINANCE_VP, unit=r13.hq)
    assert {u.username for u in eligible_delegates(user=fresh(r13.finance))} == {"finance2"}
    settings.APPROVAL_DELEGATE_EXTRA_ROLES = {"accountant": ["finance_vp"]}
    assert {u.username for u in eligible_delegates(user=fresh(r13.finance))} == {"finance2", "finance_vp"}
    _create(r13.finance, vp)
    assert accountant2.pk  # the same role was always eligible


def test_several_roles_each_need_a_holder(r13):
    # A manager who is also the marketing VP hands to someone who can hold both: leadership (the director).
    UserRole.objects.create(user=r13.manager, role=Role.MARKETING_VP)
    names = {u.username for u in eligible_delegates(user=fresh(r13.manager))}
    assert names == {"director", "gm", "marketing_vp"}


def test_the_engine_keeps_a_task_from_a_delegate_in_the_requesters_line(r13, discount, settings):
    # Widened so that the manager may name a supervisor: a request from that supervisor's own rep reaching the
    # manager's C9 stays with the manager (the supervisor already decided D8 in their own name).
    settings.APPROVAL_DELEGATE_EXTRA_ROLES = {"manager": ["supervisor"]}
    with time_machine.travel(TUESDAY_10, tick=False):
        _create(r13.manager, r13.supervisor)
        doc = discount()
        request = deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
        decide(r13.supervisor, doc, opinion="同意")
    later = ApprovalTask.objects.filter(request=request, step__step=2)
    assert ("manager", None) in set(later.values_list("approver__username", "on_behalf_of"))
    assert not later.filter(approver=r13.supervisor).exists()


def test_the_engine_keeps_a_task_from_a_delegate_who_is_the_requester(r13, discount):
    # Rows made directly (older data): the requester never decides their own request in anybody's place.
    Delegation.objects.create(user=r13.supervisor, delegate=r13.rep, starts_on=DAY, ends_on=DAY)
    Delegation.objects.create(user=r13.gm, delegate=r13.rep, starts_on=DAY, ends_on=DAY)
    with time_machine.travel(TUESDAY_10, tick=False):
        request = deals.discount_submit(by=fresh(r13.rep), discount_id=discount().pk)
    assert not ApprovalTask.objects.filter(request=request, approver=r13.rep).exists()
    assert ApprovalTask.objects.get(request=request).approver_id == r13.supervisor.pk


def test_the_form_lists_only_eligible_people(r13, people, client_for):
    html = client_for(r13.supervisor).get(reverse("approvals:delegation_list")).content.decode()
    assert "二组主管" in html and r13.manager.name in html
    for outsider in (r13.rep_b, r13.rep, r13.rep2, r13.manager2, r13.planner, people[1]):
        assert f'value="{outsider.pk}"' not in html, outsider.username
    response = client_for(r13.supervisor).post(reverse("approvals:delegation_list"), {
        "delegate": r13.rep_b.pk, "starts_on": "2099-01-05", "ends_on": "2099-01-09"})
    assert response.status_code == 200 and not Delegation.objects.exists()
