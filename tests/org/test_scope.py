"""Data scope: who sees which customers (002: customer data must not leak)."""

import pytest

from salesflow.crm.models import Customer
from salesflow.org.roles import Scope
from salesflow.org.scope import data_scope, is_above
from salesflow.org.selectors import assignable_users

from ..conftest import fresh


def visible(org, role):
    return set(Customer.objects.visible_to(fresh(getattr(org, role))).values_list("name", flat=True))


def test_rep_sees_only_own(org):
    assert visible(org, "rep") == {org.cust_rep.name}
    assert data_scope(fresh(org.rep)).kind == Scope.OWN


def test_supervisor_sees_own_team_not_sibling_team(org):
    assert visible(org, "supervisor") == {org.cust_rep.name, org.cust_rep_b.name}


def test_manager_unit_subtree_includes_teams_below(org):
    assert visible(org, "manager") == {org.cust_rep.name, org.cust_rep_b.name, org.cust_rep3.name}
    assert visible(org, "manager2") == {org.cust_rep2.name}
    scope = data_scope(fresh(org.manager))
    assert {org.east.pk, org.east_office.pk, org.east_team.pk, org.east_team2.pk} == set(scope.unit_ids)


@pytest.mark.parametrize("role", ["director", "gm", "admin", "finance"])
def test_leadership_and_finance_see_all(org, role):
    assert visible(org, role) == set(Customer.objects.values_list("name", flat=True))
    assert len(visible(org, role)) == 4


def test_planner_sees_none(org):
    assert visible(org, "planner") == set()


def test_inactive_user_sees_none(org):
    type(org.director).objects.filter(pk=org.director.pk).update(is_active=False)
    assert visible(org, "director") == set()


def test_is_above(org):
    c = org.cust_rep
    assert is_above(fresh(org.rep), owner_id=c.owner_id, unit_id=c.unit_id)
    assert is_above(fresh(org.supervisor), owner_id=c.owner_id, unit_id=c.unit_id)
    assert is_above(fresh(org.manager), owner_id=c.owner_id, unit_id=c.unit_id)
    assert is_above(fresh(org.director), owner_id=c.owner_id, unit_id=c.unit_id)
    assert not is_above(fresh(org.rep_b), owner_id=c.owner_id, unit_id=c.unit_id)
    assert not is_above(fresh(org.manager2), owner_id=c.owner_id, unit_id=c.unit_id)
    assert not is_above(fresh(org.finance), owner_id=c.owner_id, unit_id=c.unit_id)


def test_assignable_users_follow_scope(org):
    assert set(assignable_users(user=fresh(org.rep))) == {org.rep}
    sup = set(assignable_users(user=fresh(org.supervisor)))
    assert {org.rep, org.rep_b, org.supervisor} <= sup and org.rep2 not in sup and org.rep3 not in sup
    assert org.rep2 in set(assignable_users(user=fresh(org.director)))
