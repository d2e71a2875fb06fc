"""Issue #15: a customer reassigned while its previous owner wins the deal — real threads on PostgreSQL.

Every writer locks the customer's row first, then its documents: the reassignment (which moves the open deals)
and the win serialise on the customer, so exactly one of two consistent outcomes comes out — the deal won by
the old owner, who keeps it as its historical owner, or the deal moved to the new owner and the old owner's
win refused as not found — never a deadlock, a deal won by someone who no longer owns the customer after the
move, or a half-moved relationship."""

import pytest
from django.db import connection

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound
from salesflow.crm import services as crm_services
from salesflow.deals import services as deals
from salesflow.deals.models import Opportunity
from tests.concurrency import run_together

from .conftest import fresh
from .factories import CustomerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def test_reassign_while_the_old_rep_wins_the_deal_has_one_consistent_outcome(org):
    outcomes = set()
    for attempt in range(8):
        customer = CustomerFactory(name=f"竞速客户{attempt}有限公司", owner=org.rep)
        opp = deals.opportunity_create(by=fresh(org.rep), customer_id=customer.pk,
                                       data={"name": "竞速商机", "amount": "1000"})

        def reassign(customer=customer):
            return crm_services.customer_reassign(by=fresh(org.manager), customer=customer, owner=fresh(org.rep_b))

        def win(opp=opp):
            return deals.opportunity_win(by=fresh(org.rep), opportunity_id=opp.pk)

        _results, (reassign_error, win_error) = run_together(reassign, win)
        assert reassign_error is None, repr(reassign_error)
        opp.refresh_from_db()
        customer.refresh_from_db()
        assert customer.owner_id == org.rep_b.pk
        moved = AuditEvent.objects.filter(action="opportunity.reassigned", object_id=str(opp.pk)).count()
        won = AuditEvent.objects.filter(action="opportunity.won", object_id=str(opp.pk)).count()
        if win_error is None:
            # The win came first: the deal closed with the old owner, who keeps it; nothing moved.
            assert opp.stage == "won" and opp.owner_id == org.rep.pk
            assert (moved, won) == (0, 1)
            assert customer.last_deal_at is not None
            outcomes.add("won")
        else:
            # The reassignment came first: the deal is the new owner's, still open; the old owner found nothing.
            assert isinstance(win_error, NotFound), repr(win_error)
            assert opp.stage == "contact" and opp.owner_id == org.rep_b.pk and opp.unit_id == org.rep_b.unit_id
            assert (moved, won) == (1, 0)
            assert customer.last_deal_at is None
            outcomes.add("moved")
    assert outcomes  # which interleavings occur is up to the scheduler; each one checked is consistent
    assert Opportunity.objects.filter(owner=org.rep, stage="contact").count() == 0
