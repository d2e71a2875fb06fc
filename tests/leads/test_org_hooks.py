"""Leads follow their owner through the organisation: deactivation hands them over, a move changes their scope."""

import pytest

from salesflow.leads.models import Lead
from salesflow.org import services as org_services

from ..conftest import fresh

pytestmark = pytest.mark.django_db


def test_deactivating_a_rep_hands_their_open_leads_to_the_successor(org, make_lead):
    lead = make_lead(by=org.rep)
    org_services.user_deactivate(by=fresh(org.admin), user=org.rep, reassign_to=org.rep_b)
    lead.refresh_from_db()
    assert lead.owner_id == org.rep_b.pk and lead.unit_id == org.rep_b.unit_id


def test_moving_a_rep_moves_their_leads_into_the_new_scope(org, make_lead):
    lead = make_lead(by=org.rep)
    org_services.user_update(by=fresh(org.admin), user=org.rep, unit=org.north_team)
    assert Lead.objects.get(pk=lead.pk).unit_id == org.north_team.pk
    assert not Lead.objects.visible_to(fresh(org.manager)).filter(pk=lead.pk).exists()
