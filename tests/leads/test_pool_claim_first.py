"""Issue #15: the pool's claim cap cannot be bypassed by screening or converting an unclaimed pool lead — working
a pool lead (screen, convert, log contact) requires claiming it first, under the cap."""

import pytest

from salesflow.core.errors import AppError
from salesflow.leads import services
from salesflow.leads.models import Lead, LeadStatus
from salesflow.pool.models import PoolPolicy

from ..conftest import fresh


@pytest.fixture
def pool_lead(org, make_lead):
    return make_lead(by=org.supervisor, owner=None, name="公海待领线索有限公司")


def _qualified_in_pool(org, make_lead):
    # A qualified lead left unowned (rows written before the fix, when a pool lead could be screened).
    lead = services.lead_screen(by=fresh(org.supervisor), lead=make_lead(by=org.supervisor, name="公海合格有限公司"),
                                need="high", purchasing_power="high", credit="high")
    Lead.objects.filter(pk=lead.pk).update(owner=None)
    return Lead.objects.get(pk=lead.pk)


def test_screening_an_unclaimed_pool_lead_is_refused(org, pool_lead):
    with pytest.raises(AppError) as exc:
        services.lead_screen(by=fresh(org.rep), lead=pool_lead, need="high", purchasing_power="high", credit="high")
    assert exc.value.code == "lead_not_in_pool" and "Claim the lead" in str(exc.value.message)
    pool_lead.refresh_from_db()
    assert pool_lead.status == LeadStatus.NEW and pool_lead.score is None


def test_converting_an_unclaimed_pool_lead_is_refused_and_makes_nobody_its_owner(org, make_lead):
    lead = _qualified_in_pool(org, make_lead)
    with pytest.raises(AppError) as exc:
        services.lead_convert(by=fresh(org.rep), lead=lead, confirm_duplicates=True)
    assert exc.value.code == "lead_not_in_pool"
    lead.refresh_from_db()
    assert lead.owner_id is None and lead.status == LeadStatus.QUALIFIED and lead.customer_id is None


def test_contacting_an_unclaimed_pool_lead_is_refused(org, pool_lead):
    with pytest.raises(AppError) as exc:
        services.lead_mark_contacted(by=fresh(org.rep), lead=pool_lead)
    assert exc.value.code == "lead_not_in_pool"


def test_the_cap_holds_for_the_whole_way_to_a_customer(org, make_lead):
    # The rep holds as many open leads as the cap allows: the pool lead can be neither claimed nor converted.
    PoolPolicy.objects.create(unit=org.east_team, claim_cap=1)
    make_lead(by=org.rep)  # one open lead held
    lead = _qualified_in_pool(org, make_lead)
    with pytest.raises(AppError) as claim:
        services.lead_claim(by=fresh(org.rep), lead=lead)
    assert claim.value.code == "lead_claim_cap_reached"
    with pytest.raises(AppError):
        services.lead_convert(by=fresh(org.rep), lead=lead, confirm_duplicates=True)
    assert not Lead.objects.filter(pk=lead.pk, owner=org.rep).exists()


def test_claimed_then_worked(org, pool_lead):
    lead = services.lead_claim(by=fresh(org.rep), lead=pool_lead)
    lead = services.lead_screen(by=fresh(org.rep), lead=lead, need="high", purchasing_power="high", credit="high")
    lead = services.lead_convert(by=fresh(org.rep), lead=lead, confirm_duplicates=True)
    assert lead.status == LeadStatus.CONVERTED and lead.owner_id == org.rep.pk
    from salesflow.crm.models import Customer

    assert Customer.objects.get(pk=lead.customer_id).owner_id == org.rep.pk
