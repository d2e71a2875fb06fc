"""Planned vs done, checked against a fixture computed by hand.

Week 2026-W20 (Mon 11 – Sun 17 May), the clock at Wednesday 13 May 10:00. The rep's plan:

    A  Mon 11  上海星辰机械 (customer)     a log on Mon for the same customer          → done
    B  Tue 12  上海星辰机械                no log that day                              → missed
    C  Mon 11  宝山潜在客户 (free text)    a log on Tue that names C (explicit link)   → done
    D  Wed 13  lead 线索                   nothing yet, the day has not passed          → coming
    E  Thu 14  闵行老客户 (customer)       nothing yet                                  → coming
    F  Mon 11  闵行老客户                  visited on Tue instead (not linked)          → missed

Logs in the week: Mon 星辰 (→A), Mon 星辰 again (unplanned: A is taken), Tue 宝山新客户 linked to C (→C),
Tue 闵行 (unplanned: F was Monday), Wed 09:00 星辰 (unplanned). Plus one log the week before and one by
another rep, which do not count.

planned 6 · done 2 · missed 2 · coming 2 · unplanned 3 · done of those due 2 / (2 + 2) = 50 %.
"""

import datetime as dt

import pytest

from salesflow.visits import selectors

from ..conftest import fresh
from ..factories import CustomerFactory
from .conftest import MONDAY, WEDNESDAY, at

TUESDAY, THURSDAY = dt.date(2026, 5, 12), dt.date(2026, 5, 14)


@pytest.fixture
def week(org, make_plan, log_visit):
    from salesflow.leads import services as leads

    lead = leads.lead_create(by=fresh(org.rep), owner=fresh(org.rep), data={"name": "线索有限公司"},
                             confirm_duplicates=True)
    minhang = CustomerFactory(name="闵行老客户有限公司", owner=org.rep)
    baoshan = CustomerFactory(name="宝山新客户有限公司", owner=org.rep)
    plan = make_plan(items=[
        {"customer_id": org.cust_rep.pk, "planned_on": MONDAY},  # A
        {"customer_id": org.cust_rep.pk, "planned_on": TUESDAY},  # B
        {"target": "宝山潜在客户", "planned_on": MONDAY},  # C
        {"lead_id": lead.pk, "planned_on": WEDNESDAY},  # D
        {"customer_id": minhang.pk, "planned_on": THURSDAY},  # E
        {"customer_id": minhang.pk, "planned_on": MONDAY},  # F
    ])
    a, b, c, d, e, f = plan.items.order_by("id")
    logs = {
        "mon_a": log_visit(customer=org.cust_rep, when=at(MONDAY, 9)),
        "mon_again": log_visit(customer=org.cust_rep, when=at(MONDAY, 16)),
        "tue_c": log_visit(customer=baoshan, when=at(TUESDAY, 10), planned_visit_id=c.pk, kind="new"),
        "tue_minhang": log_visit(customer=minhang, when=at(TUESDAY, 14)),
        "wed": log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9)),
        "last_week": log_visit(customer=org.cust_rep, when=at(dt.date(2026, 5, 8), 10)),
        "other_rep": log_visit(by=org.rep_b, customer=org.cust_rep_b, when=at(MONDAY, 11)),
    }
    return plan, (a, b, c, d, e, f), logs


def test_plan_progress_matches_the_hand_computed_figures(week):
    plan, (a, b, c, d, e, f), logs = week
    progress = selectors.plan_progress(plan)
    assert (progress.planned, progress.done, progress.missed, progress.pending, progress.unplanned) == (6, 2, 2, 2, 3)
    assert progress.rate == 50
    assert progress.states == {a.pk: "done", b.pk: "missed", c.pk: "done", d.pk: "pending", e.pk: "pending",
                               f.pk: "missed"}
    assert progress.matched_log == {a.pk: logs["mon_a"].pk, c.pk: logs["tue_c"].pk}
    assert {log.pk for log in progress.unplanned_logs} == {logs["mon_again"].pk, logs["tue_minhang"].pk,
                                                          logs["wed"].pk}


def test_a_coming_visit_becomes_missed_when_its_day_passes(week, time_machine):
    plan, (_a, _b, _c, d, e, _f), _logs = week
    time_machine.move_to(at(dt.date(2026, 5, 15), 8), tick=False)
    progress = selectors.plan_progress(plan)
    assert progress.states[d.pk] == "missed" and progress.states[e.pk] == "missed"
    assert (progress.done, progress.missed, progress.pending) == (2, 4, 0)


def test_team_summary_per_rep(org, week):
    start, end, rows = selectors.team_progress(user=fresh(org.supervisor), period="week", day=WEDNESDAY)
    assert (start, end) == (MONDAY, dt.date(2026, 5, 17))
    figures = {r.rep.username: (r.progress.planned, r.progress.done, r.progress.missed, r.progress.pending,
                                r.progress.unplanned, r.plan is not None) for r in rows}
    assert figures == {"rep": (6, 2, 2, 2, 3, True), "rep_b": (0, 0, 0, 0, 1, False)}
    total = selectors.team_totals(rows)
    assert (total.planned, total.done, total.unplanned) == (6, 2, 4)
    # The manager sees the region's reps (rep3 in the other team too); the other region sees none of them.
    _s, _e, rows = selectors.team_progress(user=fresh(org.manager), period="week", day=WEDNESDAY)
    assert {r.rep.username for r in rows} == {"rep", "rep_b", "rep3"}
    _s, _e, rows = selectors.team_progress(user=fresh(org.manager2), period="week", day=WEDNESDAY)
    assert {r.rep.username for r in rows} == {"rep2"}


def test_weekly_meeting_report(org, week, make_plan):
    plan, _items, _logs = week
    make_plan(day=dt.date(2026, 5, 19), items=[{"customer_id": org.cust_rep.pk, "planned_on": "2026-05-19",
                                                "purpose": "下周回访"}])
    _start, _end, rows = selectors.weekly_report(user=fresh(org.supervisor), day=WEDNESDAY)
    by = {r.rep.username: r for r in rows}
    rep = by["rep"]
    assert (rep.visits, rep.new_visits, rep.return_visits) == (5, 1, 4)
    assert rep.new_customers == 2  # 闵行 and 宝山, filed this week
    assert rep.progress.done == 2 and rep.next_plan is not None
    assert [i.purpose for i in rep.next_items] == ["下周回访"]
    assert by["rep_b"].visits == 1 and by["rep_b"].next_plan is None
