"""Open opportunities follow their owner: deactivation hands them over, a team move changes their scope."""

import pytest

from salesflow.deals.models import Opportunity
from salesflow.org import services as org_services

from ..conftest import fresh

pytestmark = pytest.mark.django_db


def test_deactivating_a_rep_hands_their_open_opportunities_to_the_successor(org, opportunity):
    opp = opportunity()
    org_services.user_deactivate(by=fresh(org.admin), user=org.rep, reassign_to=org.rep_b)
    opp.refresh_from_db()
    assert opp.owner_id == org.rep_b.pk and opp.unit_id == org.rep_b.unit_id


def test_moving_a_rep_moves_their_open_opportunities_into_the_new_scope(org, opportunity):
    opp = opportunity()
    org_services.user_update(by=fresh(org.admin), user=org.rep, unit=org.north_team)
    assert Opportunity.objects.get(pk=opp.pk).unit_id == org.north_team.pk
    assert not Opportunity.objects.visible_to(fresh(org.manager)).filter(pk=opp.pk).exists()
    assert Opportunity.objects.visible_to(fresh(org.manager2)).filter(pk=opp.pk).exists()
