"""Leads go to whoever holds the rep role, primary or additional (issue #13: a supervisor who also sells)."""

from salesflow.leads.services.assignment import _team_reps
from salesflow.leads.services.rules import assignable_targets
from salesflow.org import services as org_services
from salesflow.org.roles import Role

from ..conftest import fresh


def test_round_robin_counts_a_supervisor_who_also_sells_once(org):
    assert org.supervisor not in _team_reps(org.east_team)
    org_services.user_update(by=org.admin, user=org.supervisor, additional_roles=[Role.REP])
    reps = _team_reps(org.east_team)
    assert reps.count(org.supervisor) == 1 and {org.rep, org.rep_b} <= set(reps)


def test_rule_targets_list_a_person_with_two_roles_once(org):
    org_services.user_update(by=org.admin, user=org.supervisor, additional_roles=[Role.REP])
    _teams, users, _regions = assignable_targets(fresh(org.director))
    assert list(users).count(org.supervisor) == 1
