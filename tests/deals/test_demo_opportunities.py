"""The demo's opportunities: every stage, backdated histories, reasons and competitors; a second run adds nothing."""

import pytest

from salesflow.deals.models import Opportunity, OpportunityStageChange

pytestmark = pytest.mark.django_db


def test_build_opportunities_is_complete_and_idempotent():
    from salesflow.demo import build_demo

    build_demo()
    n = Opportunity.objects.count()
    assert 55 <= n <= 60
    assert set(Opportunity.objects.values_list("stage", flat=True)) == {
        "contact", "needs", "quote", "sign", "won", "lost"}
    assert Opportunity.objects.filter(stage="lost", won_by__name__in=["华宇科技", "东方精工", "联创集团"]).exists()
    assert OpportunityStageChange.objects.filter(seconds_in_stage__gt=86400).exists()
    build_demo()
    assert Opportunity.objects.count() == n
