"""Kanban races with real threads on PostgreSQL: two people drag the same card at once, or one drags while the
other closes the deal. The card ends in one stage, and its history stays one unbroken chain (the funnel's
time-in-stage and "furthest stage reached" are computed from that chain)."""

import pytest

from salesflow.core.errors import AppError
from salesflow.deals import services
from salesflow.deals.models import Opportunity, OpportunityStageChange

from ..concurrency import run_together
from ..conftest import fresh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def _assert_one_chain(opportunity_id: int) -> Opportunity:
    opportunity = Opportunity.objects.get(pk=opportunity_id)
    changes = list(OpportunityStageChange.objects.filter(opportunity_id=opportunity_id).order_by("at", "id"))
    for before, after in zip(changes, changes[1:], strict=False):
        assert after.from_stage == before.to_stage, [(c.from_stage, c.to_stage) for c in changes]
        assert after.at >= before.at
    assert changes[-1].to_stage == opportunity.stage
    assert all(c.seconds_in_stage >= 0 for c in changes)
    return opportunity


def test_two_people_drag_the_same_card_to_different_columns(org, opportunity):
    for _attempt in range(3):
        opp = opportunity(name="并发拖动项目")
        results, errors = run_together(
            lambda opp=opp: services.opportunity_move(by=fresh(org.rep), opportunity_id=opp.pk, to_stage="needs"),
            lambda opp=opp: services.opportunity_move(by=fresh(org.manager), opportunity_id=opp.pk,
                                                      to_stage="quote"))
        assert errors == [None, None], errors  # both moves are allowed; they run one after the other
        final = _assert_one_chain(opp.pk)
        assert final.stage in {"needs", "quote"}
        # contact → first mover's column → second mover's column: three rows, no lost update.
        assert OpportunityStageChange.objects.filter(opportunity=opp).count() == 3


def test_drag_while_the_deal_is_won(org, opportunity):
    for _attempt in range(3):
        opp = opportunity(name="拖动与赢单并发项目")
        services.opportunity_move(by=fresh(org.rep), opportunity_id=opp.pk, to_stage="sign")
        results, errors = run_together(
            lambda opp=opp: services.opportunity_move(by=fresh(org.rep), opportunity_id=opp.pk, to_stage="quote"),
            lambda opp=opp: services.opportunity_win(by=fresh(org.manager), opportunity_id=opp.pk))
        final = _assert_one_chain(opp.pk)
        assert final.stage == "won" and errors[1] is None  # a deal can be won from any open stage
        if errors[0] is not None:
            # The win came first: a won deal is off the board, the drag is refused cleanly.
            assert isinstance(errors[0], AppError), repr(errors[0])
            assert OpportunityStageChange.objects.filter(opportunity=opp).count() == 3
        else:
            # The drag came first: sign → quote, then won from quote.
            assert OpportunityStageChange.objects.filter(opportunity=opp).count() == 4
