"""deals 0006: after-sales (售后服务) stops being an open stage (R15, 002 E7 成交). A database migrated before it keeps
right funnel figures after it: the deal in after-sales is won at the time it entered after-sales (the contract was
signed then), a deal won from after-sales is won at that same moment, a stay in after-sales that did not end in a
win counts as a stay in 签约与交付, furthest ranks follow, and every won customer starts its service phase."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("deals", "0005_stage_stay_covering_index")]
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
DAY = 86400


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _before():
    """deals just before 0006, every other app at its latest (rows are written in today's schema of the other
    tables: a later crm migration's columns must be filled)."""
    graph = MigrationExecutor(connection).loader.graph
    return BEFORE + [node for node in graph.leaf_nodes() if node[0] != "deals"
                     and ("deals", "0006_aftersales_follows_the_win") not in graph.forwards_plan(node)]


def test_aftersales_deals_become_won_and_the_funnel_stays_right():
    try:
        targets = _before()
        executor = _migrate(targets)
        old = executor.loader.project_state(targets).apps
        OrgUnit, User = old.get_model("org", "OrgUnit"), old.get_model("org", "User")
        Customer = old.get_model("crm", "Customer")
        Opportunity, Change = old.get_model("deals", "Opportunity"), old.get_model("deals", "OpportunityStageChange")
        hq = OrgUnit.objects.create(name="迁移公司", code="MIG", kind="company")
        hq.path = f"/{hq.pk}/"
        hq.save(update_fields=["path"])
        team = OrgUnit.objects.create(name="迁移一组", code="MIG-1", kind="team", parent=hq, path="")
        team.path = f"/{hq.pk}/{team.pk}/"
        team.save(update_fields=["path"])
        rep = User.objects.create(username="mig_rep", role="rep", unit=team, is_active=True)
        service = User.objects.create(username="mig_service", role="service", unit=hq, is_active=True)
        User.objects.create(username="mig_service_gone", role="service", unit=team, is_active=False)

        def deal(name, stage, path, furthest):
            customer = Customer.objects.create(name=f"{name}客户有限公司", owner=rep, unit=team)
            at = T0 + dt.timedelta(days=path[-1][1])
            opp = Opportunity.objects.create(
                name=name, customer=customer, owner=rep, unit=team, stage=stage, furthest_rank=furthest,
                probability={"aftersales": 95, "won": 100, "lost": 0}.get(stage, 80), first_contact_at=T0,
                stage_entered_at=at, closed_at=at if stage in ("won", "lost") else None,
                lost_reason=None)
            previous = None
            for to_stage, day in path:
                when = T0 + dt.timedelta(days=day)
                Change.objects.create(opportunity=opp, from_stage=previous[0] if previous else "", to_stage=to_stage,
                                      at=when, seconds_in_stage=(day - previous[1]) * DAY if previous else 0)
                previous = (to_stage, day)
            return opp.pk, customer.pk

        # A: sitting in after-sales since day 30 (signed then). B: won from after-sales on day 60, entered on 40.
        # C: stepped back from after-sales to quote, still open. D: won straight from sign (untouched but its rank).
        a = deal("A", "aftersales", [("contact", 0), ("sign", 10), ("aftersales", 30)], 5)
        b = deal("B", "won", [("contact", 0), ("sign", 20), ("aftersales", 40), ("won", 60)], 6)
        c = deal("C", "quote", [("contact", 0), ("sign", 5), ("aftersales", 8), ("quote", 12)], 5)
        d = deal("D", "won", [("contact", 0), ("sign", 4), ("won", 9)], 6)

        _migrate(executor.loader.graph.leaf_nodes())

        from salesflow.audit.models import AuditEvent
        from salesflow.crm.models import Customer as Cust
        from salesflow.deals.funnel import pipeline_summary
        from salesflow.deals.models import Opportunity as Opp
        from salesflow.deals.models import OpportunityStageChange as Chg
        from salesflow.org.models import User as U

        def history(pk):
            return [(x.from_stage, x.to_stage, x.seconds_in_stage // DAY)
                    for x in Chg.objects.filter(opportunity_id=pk).order_by("at", "id")]

        opp_a = Opp.objects.get(pk=a[0])
        assert (opp_a.stage, opp_a.probability, opp_a.furthest_rank) == ("won", 100, 5)
        assert opp_a.closed_at == opp_a.stage_entered_at == T0 + dt.timedelta(days=30)
        assert history(a[0]) == [("", "contact", 0), ("contact", "sign", 10), ("sign", "won", 20)]
        opp_b = Opp.objects.get(pk=b[0])
        assert (opp_b.stage, opp_b.furthest_rank, opp_b.closed_at) == ("won", 5, T0 + dt.timedelta(days=40))
        assert history(b[0]) == [("", "contact", 0), ("contact", "sign", 20), ("sign", "won", 20)]
        opp_c = Opp.objects.get(pk=c[0])
        assert (opp_c.stage, opp_c.furthest_rank) == ("quote", 4)
        assert history(c[0]) == [("", "contact", 0), ("contact", "sign", 5), ("sign", "quote", 7)]
        assert (Opp.objects.get(pk=d[0]).furthest_rank, history(d[0])[-1]) == (5, ("sign", "won", 5))
        assert not Chg.objects.filter(from_stage="aftersales").exists()
        assert not Chg.objects.filter(to_stage="aftersales").exists()

        # Every won customer is served from its first win by the nearest active service supervisor; the open deal's
        # customer is not; the change is on the customers' trail.
        for pk, since in ((a[1], 30), (b[1], 40), (d[1], 9)):
            customer = Cust.objects.get(pk=pk)
            assert customer.service_owner_id == service.pk and customer.service_since == T0 + dt.timedelta(days=since)
            assert customer.last_deal_at == T0 + dt.timedelta(days=since)
            assert AuditEvent.objects.filter(action="customer.handed_to_service", customer_id=pk).exists()
        assert Cust.objects.get(pk=c[1]).service_owner_id is None
        assert AuditEvent.objects.get(action="opportunity.won", object_id=str(a[0])).before == {"stage": "aftersales"}

        # The funnel figures, by hand: reached 4 at every open stage, won 3; sign → won 3/4; win rate 3/3;
        # cycle (30 + 40 + 9) / 3; days in sign: A 20, B 20, C 3 + 4 = 7, D 5 → 13.
        admin = U.objects.create(username="mig_admin", role="admin", unit_id=hq.pk)
        s = pipeline_summary(user=admin)
        stages = {row["stage"]: row for row in s["stages"]}
        assert list(stages) == ["contact", "needs", "quote", "sign"]
        assert [stages[k]["reached"] for k in stages] == [4, 4, 4, 4]  # ranks: a skipped stage counts
        assert stages["sign"]["conversion"] == 0.75 and s["won"]["count"] == 3 and s["win_rate"] == 1.0
        assert s["avg_cycle_days"] == round((30 + 40 + 9) / 3, 2)
        assert stages["sign"]["avg_days_in_stage"] == 13.0
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
