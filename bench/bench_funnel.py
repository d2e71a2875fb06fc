#!/usr/bin/env python
"""Front-of-the-funnel benchmark (issue #4): prints figures, asserts nothing.

    python bench/bench_funnel.py [--leads 200000] [--opportunities 100000] [--db sqlite|postgres] [--runs 30]
                                 [--explain] [--keep]

Builds a throwaway database (SQLite temp file, or PostgreSQL `salesflow_bench_funnel`), the organisation of
bench_customers.py plus more reps, 20,000 customers, 100,000 opportunities first contacted over the last three
years (older ones closed won/lost, recent ones spread over the open stages, each with its stage-change history) and
200,000 leads — written with the bulk helpers, not through the services. Then it times, median and p95 over
``--runs`` runs after warm-up, through the selectors and through the real pages/API with a logged-in client:

- the kanban's first screen (a rep's own board; a manager's team board),
- the filtered opportunity list (region + open stage + close quarter; first page + count) and the filtered lead
  list (status + province; first page + count),
- the funnel figures for a region and a quarter (director) and for a manager's region, page and API.

Target (issue #4): each ≤ 100 ms median on SQLite and PostgreSQL on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_customers as common  # noqa: E402  (org and timing helpers)
import common as shared  # noqa: E402  (bench/common.py: the database set-up)

shared.PG_DB = "salesflow_bench_funnel"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
WORDS = ["华信", "恒通", "鼎盛", "金桥", "远航", "瑞丰", "博雅", "天成", "汇丰", "宏图", "联创", "新世纪", "盛达", "永泰",
         "中科", "东方", "锦程", "润泽", "安邦", "嘉禾", "融通", "海纳", "卓越", "启明", "星辰", "光华", "凯旋", "长风"]
TRADES = ["科技", "机械", "电子", "贸易", "建材", "化工", "物流", "医疗器械", "食品", "纺织", "环保设备", "软件"]
CITIES = ["上海", "杭州", "宁波", "南京", "苏州", "广州", "深圳", "佛山", "东莞", "厦门", "福州", "合肥"]
PROVINCES = ["上海市", "浙江省", "江苏省", "广东省", "福建省", "安徽省"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--leads", type=int, default=200_000)
    p.add_argument("--opportunities", type=int, default=100_000)
    p.add_argument("--customers", type=int, default=20_000)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--explain", action="store_true", help="print the plan of the slowest query of each case")
    p.add_argument("--keep", action="store_true", help="keep the SQLite file (its path is printed)")
    p.add_argument("--seed", type=int, default=20261125)
    return p.parse_args()


def company_name(rng: random.Random, i: int) -> str:
    return f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司{i:06d}"[:60]


def add_reps(org, per_team: int) -> list:
    """bench_customers' org has 2 reps per team; add more so a rep holds a realistic share of the deals."""
    from salesflow.org.models import User

    reps = [r["user"] for r in org["reps"]]
    teams = {r["user"].unit_id: r["user"] for r in org["reps"]}
    for team_id, first in teams.items():
        for j in range(3, per_team + 1):
            reps.append(User.objects.create_user(f"rep{team_id}x{j}", password="bench-Passw0rd!",
                                                 name=f"{SURNAMES[j % len(SURNAMES)]}{j}号", role="rep",
                                                 unit_id=team_id, manager=first.manager))
    return reps


def region_of(user, org) -> int:
    for region in org["regions"]:
        if user.unit.path.startswith(region.path):
            return region.pk
    raise LookupError(user)


def generate(args, org, reps):
    from salesflow.core.bulk import insert_dicts
    from salesflow.core.chinese import name_key
    from salesflow.crm.models import Customer
    from salesflow.deals.models import LostReason, Opportunity, OpportunityStageChange
    from salesflow.deals.pipeline import FUNNEL_RANK, OPEN_STAGES, Stage
    from salesflow.leads.models import Lead, LeadStatus

    rng = random.Random(args.seed)
    now = dt.datetime.now(dt.UTC)
    regions = {r.pk: region_of(r, org) for r in reps}
    t0 = time.perf_counter()

    customer_rows, owners = [], []
    for i in range(args.customers):
        rep = rng.choice(reps)
        name = company_name(rng, i)
        owners.append(rep)
        customer_rows.append({"name": name, "name_key": name_key(name), "owner_id": rep.pk, "unit_id": rep.unit_id,
                              "region_id": regions[rep.pk], "province": rng.choice(PROVINCES)})
    customer_ids = insert_dicts(Customer, customer_rows)

    reason = LostReason.objects.order_by("pk").first() or LostReason.objects.create(name="价格过高")
    span = 3 * 365 * 86400
    opp_rows, meta = [], []
    for _i in range(args.opportunities):
        k = rng.randrange(len(customer_ids))
        rep = owners[k]
        first = now - dt.timedelta(seconds=rng.randrange(span))
        age_days = (now - first).days
        # Older deals are mostly closed; recent ones mostly open, spread over the stages.
        if age_days > 180 or rng.random() < 0.15:
            furthest = rng.choice(OPEN_STAGES)
            stage = Stage.WON if rng.random() < 0.35 else Stage.LOST
        else:
            furthest = rng.choices(OPEN_STAGES, weights=[40, 25, 18, 10])[0]
            stage = furthest
        path = OPEN_STAGES[:OPEN_STAGES.index(furthest) + 1] + ([stage] if stage in (Stage.WON, Stage.LOST) else [])
        at, changes = first, []
        prev = ""
        for s in path:
            stay = rng.randrange(2, 30) * 86400 if prev else 0
            at = min(at + dt.timedelta(seconds=stay), now)
            changes.append((prev, s, at, stay))
            prev = s
        closed = at if stage in (Stage.WON, Stage.LOST) else None
        opp_rows.append({
            "name": f"{rng.choice(TRADES)}采购项目", "customer_id": customer_ids[k], "owner_id": rep.pk,
            "unit_id": rep.unit_id, "region_id": regions[rep.pk], "stage": stage,
            "amount": Decimal(rng.randrange(5_000, 2_000_000)), "probability": 10,
            "expected_close": (first + dt.timedelta(days=rng.randrange(20, 200))).date(),
            "first_contact_at": first, "stage_entered_at": at, "closed_at": closed,
            "lost_reason_id": reason.pk if stage == Stage.LOST else None,
            "furthest_rank": FUNNEL_RANK[Stage.WON] if stage == Stage.WON else FUNNEL_RANK[furthest],
        })
        meta.append(changes)
    opp_ids = insert_dicts(Opportunity, opp_rows)
    change_rows = [{"opportunity_id": oid, "from_stage": f, "to_stage": t, "at": at, "seconds_in_stage": stay}
                   for oid, changes in zip(opp_ids, meta, strict=True) for f, t, at, stay in changes]
    for start in range(0, len(change_rows), 50_000):
        insert_dicts(OpportunityStageChange, change_rows[start:start + 50_000])

    statuses = [LeadStatus.NEW, LeadStatus.ASSIGNED, LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.PARKED,
                LeadStatus.RETURNED, LeadStatus.CONVERTED]
    lead_rows = []
    for i in range(args.leads):
        status = rng.choices(statuses, weights=[10, 20, 20, 10, 15, 5, 20])[0]
        rep = rng.choice(reps)
        owned = status not in (LeadStatus.NEW, LeadStatus.RETURNED)
        name = company_name(rng, i)
        lead_rows.append({
            "name": name, "name_key": name_key(name), "contact_name": f"{rng.choice(SURNAMES)}经理",
            "province": rng.choice(PROVINCES), "status": status, "owner_id": rep.pk if owned else None,
            "unit_id": rep.unit_id, "region_id": regions[rep.pk], "score": rng.randrange(0, 100),
            "created_at": now - dt.timedelta(seconds=rng.randrange(span)),
        })
    for start in range(0, len(lead_rows), 50_000):
        insert_dicts(Lead, lead_rows[start:start + 50_000])
    print(f"  generated {args.customers:,} customers, {len(opp_ids):,} opportunities, {len(change_rows):,} stage "
          f"changes, {args.leads:,} leads in {time.perf_counter() - t0:.1f} s")


def measure(args, org, reps):
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from salesflow.core.pages import CappedPaginator
    from salesflow.deals import funnel, selectors
    from salesflow.deals.selectors import recent_quarters
    from salesflow.leads.selectors import LeadFilters, lead_list

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    rep = reps[5]
    manager = org["managers"][0]
    director = org["director"]
    region = org["regions"][0].pk
    quarter = recent_quarters(3)[2]  # two quarters back: a cohort with open and closed deals

    def first_page(qs):
        page = CappedPaginator(qs, 25).page(1)
        list(page.object_list)
        return page.paginator.count

    cases = [
        ("kanban, rep's own board", lambda: selectors.kanban(user=rep, owner=rep.pk),
         rep, "/deals/opportunities/board/"),
        ("kanban, manager's team board", lambda: selectors.kanban(user=manager, unit=rep.unit_id),
         manager, f"/deals/opportunities/board/?unit={rep.unit_id}"),
        ("opportunity list: region + open + close quarter", lambda: first_page(selectors.opportunity_list(
            user=director, filters=selectors.OpportunityFilters(region=region, stage="open", close_quarter=quarter))),
         director, f"/deals/opportunities/?region={region}&stage=open&quarter={quarter}"),
        ("opportunity list: manager, stage quote", lambda: first_page(selectors.opportunity_list(
            user=manager, filters=selectors.OpportunityFilters(stage="quote"))),
         manager, "/deals/opportunities/?stage=quote"),
        ("lead list: status + province (manager)", lambda: first_page(lead_list(
            user=manager, filters=LeadFilters(status="contacted", province="浙江省"))),
         manager, "/leads/?status=contacted&province=%E6%B5%99%E6%B1%9F%E7%9C%81"),
        ("lead list: rep's own", lambda: first_page(lead_list(user=rep, filters=LeadFilters(mine=True))),
         rep, "/leads/?mine=1"),
        ("funnel: region + quarter (director)", lambda: funnel.pipeline_summary(
            user=director, filters=funnel.FunnelFilters(region=region, period=quarter)),
         director, f"/deals/opportunities/funnel/?region={region}&period={quarter}"),
        ("funnel: manager's region, quarter", lambda: funnel.pipeline_summary(
            user=manager, filters=funnel.FunnelFilters(period=quarter)),
         manager, f"/deals/opportunities/funnel/?period={quarter}"),
        ("funnel API: region + quarter", None, director,
         f"/api/v1/pipeline/summary?region={region}&period={quarter}"),
    ]
    clients = {}
    print(f"\n  {'case':<48} {'selector p50/p95 ms':>22} {'page/API p50/p95 ms':>22} {'queries':>8}")
    for label, fn, user, url in cases:
        if user.pk not in clients:
            c = Client()
            c.force_login(user)
            clients[user.pk] = c
        client = clients[user.pk]
        sel = "-"
        if fn is not None:
            p50, p95 = common.time_runs(fn, args.runs)
            sel = f"{p50:7.1f} / {p95:7.1f}"

        def page(url=url, client=client):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        p50, p95 = common.time_runs(page, args.runs)
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            page()
        print(f"  {label:<48} {sel:>22} {p50:7.1f} / {p95:7.1f}    {len(ctx.captured_queries):>5}")
        if args.explain:
            slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
            print(f"    slowest query ({slowest['time']} s): {slowest['sql'][:300]}")
            print(common.explain(slowest["sql"]))


def main():
    args = parse_args()
    sqlite_path = shared.prepare_database(args)
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesflow.settings")
    os.environ.setdefault("DEBUG", "0")  # as in production: no query log kept in memory
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are made, not timed
    print(f"bench_funnel on {args.db}: {args.leads:,} leads, {args.opportunities:,} opportunities")
    try:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"  migrated in {time.perf_counter() - t0:.1f} s")
        org = shared.create_org()
        reps = add_reps(org, per_team=6)
        generate(args, org, reps)
        measure(args, org, reps)
    finally:
        from django.db import connection

        connection.close()
        if sqlite_path and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(sqlite_path + suffix).unlink(missing_ok=True)
        elif sqlite_path:
            print(f"  kept {sqlite_path}")


if __name__ == "__main__":
    main()
