"""The team's visit figures list everyone who sells, a supervisor who also holds the rep role too (issue #13)."""

import datetime as dt

from salesflow.org import services as org_services
from salesflow.org.roles import Role
from salesflow.visits import selectors

from ..conftest import fresh


def test_team_progress_lists_a_supervisor_who_also_sells(org):
    day = dt.date(2025, 6, 4)
    _s, _e, rows = selectors.team_progress(user=fresh(org.manager), period="week", day=day)
    assert org.supervisor not in [row.rep for row in rows]
    org_services.user_update(by=org.admin, user=org.supervisor, additional_roles=[Role.REP])
    _s, _e, rows = selectors.team_progress(user=fresh(org.manager), period="week", day=day)
    assert [row.rep for row in rows].count(org.supervisor) == 1
    assert {org.rep, org.rep_b, org.rep3} <= {row.rep for row in rows}
