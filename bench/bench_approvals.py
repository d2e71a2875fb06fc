#!/usr/bin/env python
"""Approval inbox and deadline-sweep benchmark: prints figures, asserts nothing.

    python bench/bench_approvals.py [--db sqlite|postgres] [--pending 10000] [--decided 1000000]
                                    [--overdue 100000] [--runs 30] [--explain] [--profile] [--keep]

It builds a throwaway database (SQLite: a temp file; PostgreSQL: `salesflow_bench` on 127.0.0.1, dropped and
recreated), migrates it, creates a small organisation, loads the shipped policies, then writes approval rows
directly (COPY on PostgreSQL, executemany on SQLite — one request, one step, one task per row):

  * one approver ("inbox") with --pending pending tasks (active steps, deadlines in the future);
  * --decided decided tasks (approved / rejected, 20 % of them the inbox approver's, the rest spread over
    other approvers) — the history an inbox query must not trip over;
  * --overdue active steps past their deadline and past R13's 2 h grace, each with one supervisor's pending task.

Then it times the inbox first page (selectors.inbox()[:25] + count) and the history first page through the
selector and through GET /api/v1/approvals (median / p95 over --runs), and one approvals_sweep() over the
overdue steps (flag + remind + escalate every one), then a second sweep (nothing left to do).

Targets (the approvals issue, ../shared/performance.md): inbox ≤ 100 ms median with 10k pending / 1M decided
(the list-page target in performance.md is ≤ 50 ms); the sweep over 100k overdue steps ≤ 10 s.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from common import prepare_database  # bench/ is the script's folder, so first on the path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 20_000


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pending", type=int, default=10_000, help="pending tasks of the measured approver")
    p.add_argument("--decided", type=int, default=1_000_000, help="decided tasks in the database")
    p.add_argument("--overdue", type=int, default=100_000, help="active, overdue steps for the sweep")
    p.add_argument("--runs", type=int, default=30, help="timed runs per case (after 3 warm-up runs)")
    p.add_argument("--explain", action="store_true", help="print the plan of the inbox queries")
    p.add_argument("--profile", action="store_true", help="cProfile the sweep and print the top functions")
    p.add_argument("--no-sweep", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the SQLite file (its path is printed)")
    p.add_argument("--seed", type=int, default=20251125)
    return p.parse_args()


# --------------------------------------------------------------------------------------------------------------
# Organisation: a region with teams, each team a supervisor (the overdue approvers) under the region's manager.
# --------------------------------------------------------------------------------------------------------------

def create_org(teams: int = 20):
    from salesflow.org.models import OrgUnit, User

    def unit(name, code, kind, parent=None):
        u = OrgUnit.objects.create(name=name, code=code, kind=kind, parent=parent)
        u.path = (parent.path if parent else "") + f"{u.pk:06d}/"
        u.save(update_fields=["path"])
        return u

    pw = "bench-Passw0rd!"
    company = unit("销售流程科技有限公司", "HQ", "company")
    region = unit("华东大区", "R-EAST", "region", company)
    office = unit("上海办事处", "OFF-1", "office", region)
    admin = User.objects.create_user("admin", password=pw, name="系统管理员", role="admin", unit=company,
                                     is_staff=True, is_superuser=True)
    gm = User.objects.create_user("gm", password=pw, name="总经理", role="gm", unit=company)
    director = User.objects.create_user("director", password=pw, name="销售总监", role="director", unit=company,
                                        manager=gm)
    User.objects.create_user("mvp", password=pw, name="营销副总", role="marketing_vp", unit=company, manager=gm)
    manager = User.objects.create_user("manager", password=pw, name="华东经理", role="manager", unit=region,
                                       manager=director)
    inbox = User.objects.create_user("inbox", password=pw, name="审批人", role="marketing_vp", unit=company,
                                     manager=gm)
    supervisors, reps, others = [], [], []
    for t in range(teams):
        team = unit(f"上海{t + 1}组", f"T-{t + 1}", "team", office)
        sup = User.objects.create_user(f"sup{t + 1}", password=pw, name=f"主管{t + 1}", role="supervisor", unit=team,
                                       manager=manager)
        supervisors.append(sup)
        reps.append(User.objects.create_user(f"rep{t + 1}", password=pw, name=f"销售{t + 1}", role="rep", unit=team,
                                             manager=sup))
    for i in range(20):
        others.append(User.objects.create_user(f"approver{i + 1}", password=pw, name=f"审批人{i + 1}",
                                               role="director", unit=company, manager=gm))
    return {"admin": admin, "inbox": inbox, "manager": manager, "supervisors": supervisors, "reps": reps,
            "others": others}


# --------------------------------------------------------------------------------------------------------------
# Raw row writers: COPY on PostgreSQL, executemany on SQLite, explicit ids (sequences reset afterwards).
# --------------------------------------------------------------------------------------------------------------

class Writer:
    def __init__(self, connection):
        self.connection = connection
        self.pg = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}

    def value(self, v):
        if self.pg:
            return v
        if isinstance(v, dt.datetime):
            return self.connection.ops.adapt_datetimefield_value(v)
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, bool):
            return int(v)
        return v

    def write(self, table: str, columns: list[str], rows):
        """rows: an iterable of tuples; written in batches so a million rows never sit in memory at once."""
        qn = self.connection.ops.quote_name
        cols = ", ".join(qn(c) for c in columns)
        n = 0
        with self.connection.cursor() as cursor:
            batch = []

            def flush():
                if not batch:
                    return
                if self.pg:
                    with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                        for row in batch:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})",  # noqa: S608
                                       [tuple(self.value(v) for v in row) for row in batch])
                batch.clear()

            for row in rows:
                batch.append(row)
                n += 1
                if len(batch) >= BATCH:
                    flush()
            flush()
        self.counts[table] = self.counts.get(table, 0) + n
        return n

    def reset_sequences(self, tables):
        if not self.pg:
            return
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))", [table])


REQUEST_COLS = ["id", "policy_id", "policy_version", "document_type", "document_id", "title", "amount",
                "discount_percent", "customer_id", "requester_id", "requester_unit_id", "status", "round",
                "current_step", "created_at", "updated_at", "decided_at"]
STEP_COLS = ["id", "request_id", "round", "step", "name", "rule", "role", "mode", "deadline_days", "status",
             "started_at", "due_at", "finished_at", "overdue_at", "escalated_at"]
TASK_COLS = ["id", "step_id", "request_id", "approver_id", "on_behalf_of_id", "escalated", "status", "opinion",
             "decided_at", "due_at", "created_at", "reminded_at"]


def generate(args, org, rng: random.Random):
    """Write the three populations; returns the moment the overdue sweep should run at."""
    from django.db import connection, transaction

    from salesflow.approvals.models import ApprovalPolicy

    policy = ApprovalPolicy.objects.get(code="discount")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    w = Writer(connection)
    reps = org["reps"]
    inbox_id = org["inbox"].pk
    others = [u.pk for u in org["others"]]
    supervisors = org["supervisors"]
    specs = []  # (count, kind)
    specs.append((args.pending, "pending"))
    specs.append((args.decided, "decided"))
    specs.append((args.overdue, "overdue"))
    t0 = time.perf_counter()
    next_id = 1
    with transaction.atomic():
        for count, kind in specs:
            first = next_id
            ids = range(first, first + count)
            next_id += count

            def requests(ids=ids, kind=kind):
                for i in ids:
                    rep = reps[i % len(reps)]
                    created = now - dt.timedelta(minutes=rng.randrange(1, 525_600)) if kind == "decided" else \
                        now - dt.timedelta(days=5 if kind == "overdue" else 0, minutes=rng.randrange(1, 600))
                    status = "approved" if kind == "decided" else "pending"
                    yield (i, policy.pk, 1, "deals.discountrequest", i, f"优惠申请 YH{i:08d} · 客户{i % 997}",
                           Decimal(rng.randrange(10_000, 2_000_000)), Decimal("8.00"), None, rep.pk, rep.unit_id,
                           status, 1, None if kind == "decided" else 1, created, created,
                           created + dt.timedelta(hours=3) if kind == "decided" else None)

            def steps(ids=ids, kind=kind):
                for i in ids:
                    if kind == "decided":
                        started = now - dt.timedelta(minutes=rng.randrange(600, 525_600))
                        yield (i, i, 1, 1, "销售主管决定 (D8)", "requester_supervisor", "", "any", 0, "approved",
                               started, started + dt.timedelta(hours=8), started + dt.timedelta(hours=2), None, None)
                    elif kind == "pending":
                        yield (i, i, 1, 2, "营销副总审核 (B9)", "role", "marketing_vp", "any", 0, "active",
                               now, now + dt.timedelta(days=1, minutes=rng.randrange(0, 20_000)), None, None, None)
                    else:
                        due = now - dt.timedelta(days=3, minutes=rng.randrange(0, 1440))
                        yield (i, i, 1, 1, "销售主管决定 (D8)", "requester_supervisor", "", "any", 0, "active",
                               due - dt.timedelta(hours=8), due, None, None, None)

            def tasks(ids=ids, kind=kind):
                for i in ids:
                    if kind == "decided":
                        approver = inbox_id if rng.random() < 0.2 else others[i % len(others)]
                        decided = now - dt.timedelta(minutes=rng.randrange(1, 525_600))
                        status = "approved" if rng.random() < 0.9 else "rejected"
                        yield (i, i, i, approver, None, False, status, "同意" if status == "approved" else "不同意",
                               decided, decided + dt.timedelta(hours=5), decided - dt.timedelta(hours=2), None)
                    elif kind == "pending":
                        due = now + dt.timedelta(days=1, minutes=rng.randrange(0, 20_000))
                        yield (i, i, i, inbox_id, None, False, "pending", "", None, due, now, None)
                    else:
                        sup = supervisors[i % len(supervisors)]
                        due = now - dt.timedelta(days=3)
                        yield (i, i, i, sup.pk, None, False, "pending", "", None, due, due - dt.timedelta(hours=8),
                               None)

            w.write("approvals_approvalrequest", REQUEST_COLS, requests())
            w.write("approvals_approvalstep", STEP_COLS, steps())
            w.write("approvals_approvaltask", TASK_COLS, tasks())
        w.reset_sequences(["approvals_approvalrequest", "approvals_approvalstep", "approvals_approvaltask"])
    elapsed = time.perf_counter() - t0
    total = sum(w.counts.values())
    parts = ", ".join(f"{t.split('_', 1)[1]} {n:,}" for t, n in w.counts.items())
    print(f"  wrote {total:,} rows ({parts}) "
          f"in {elapsed:.1f} s = {total / elapsed:,.0f} rows/s")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  ANALYZE: {time.perf_counter() - t0:.1f} s")
    return now


# --------------------------------------------------------------------------------------------------------------
# Measurements.
# --------------------------------------------------------------------------------------------------------------

def pct(values, p):
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def time_runs(fn, runs, warm=3):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts), pct(ts, 95)


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(f"      {r[-1]}" for r in cur.fetchall())
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(f"      {r[0]}" for r in cur.fetchall())


def measure_inbox(args, org):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from salesflow.approvals import selectors
    from salesflow.org.models import User

    user = User.objects.get(pk=org["inbox"].pk)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cases = {
        "inbox: first page + count": lambda: (list(selectors.inbox(user=user)[:25]),
                                              selectors.inbox(user=user).count()),
        "inbox: selectors.inbox_count": lambda: selectors.inbox_count(user=user),
        "history: first page + count": lambda: (list(selectors.history(user=user)[:25]),
                                                selectors.history(user=user).count()),
        "history: first page only": lambda: list(selectors.history(user=user)[:25]),
    }
    api_cases = {
        "API GET /api/v1/approvals?page_size=25": "/api/v1/approvals?page_size=25",
        "API GET …?box=history&page_size=25": "/api/v1/approvals?box=history&page_size=25",
    }
    rows = []
    for label, fn in cases.items():
        with CaptureQueriesContext(connection) as cq:
            fn()
        captured = list(cq.captured_queries)
        if args.explain:
            print(f"\n  -- {label}")
            for q in captured:
                print(f"    SQL: {q['sql'][:600]}")
                print(explain(q["sql"], None))
        rows.append((label, time_runs(fn, args.runs), len(captured)))
    for label, url in api_cases.items():
        def get(url=url):
            r = client.get(url)
            assert r.status_code == 200, (r.status_code, r.content[:300])
            return r

        counter = [0]

        def count(execute, sql, params, many, context, counter=counter):
            counter[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            body = get().json()
        rows.append((label + f" (count {body.get('count')})", time_runs(get, args.runs), counter[0]))
    print(f"\nINBOX of one approver: {args.pending:,} pending, {args.decided:,} decided tasks in the database")
    print(f"  {'case':<58}{'p50 ms':>8}{'p95 ms':>8}{'q':>4}")
    for label, (p50, p95), q in rows:
        mark = "" if p50 <= 100 else "  ✗ (over 100 ms)"
        print(f"  {label:<58}{p50:>8.1f}{p95:>8.1f}{q:>4}{mark}")
    return rows


def measure_sweep(args, now):
    from django.db import connection

    from salesflow.approvals.models import ApprovalTask
    from salesflow.approvals.services import approvals_sweep
    from salesflow.notifications.models import Notification

    prof = cProfile.Profile() if args.profile else None
    counter = [0]

    def count(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        result = approvals_sweep(now=now)
        if prof:
            prof.disable()
        first = time.perf_counter() - t0
    queries = counter[0]
    t0 = time.perf_counter()
    again = approvals_sweep(now=now)
    second = time.perf_counter() - t0
    escalated = ApprovalTask.objects.filter(escalated=True).count()
    notices = Notification.objects.count()
    print(f"\nDEADLINE SWEEP over {args.overdue:,} active overdue steps (past R13's 2 h grace)")
    print(f"  first sweep:  {first:8.2f} s  {result}  = {args.overdue / first:,.0f} steps/s"
          + f", {queries:,} queries ({queries / max(args.overdue, 1):.1f} per step)" + ("" if first <= 10 else "  ✗ (over 10 s)"))
    print(f"  second sweep: {second:8.2f} s  {again}  (idempotent: nothing left)")
    print(f"  escalated tasks {escalated:,}; notifications {notices:,}")
    if prof:
        st = pstats.Stats(prof, stream=sys.stdout)
        st.sort_stats("cumulative").print_stats(25)
    return first, second, result


def main():
    args = parse_args()
    sqlite_path = prepare_database(args)
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesflow.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from salesflow.approvals.policies import policy_load_file

    print(f"Salesflow approvals benchmark — {connection.vendor} ({os.environ['DATABASE_URL']}), "
          f"{args.pending:,} pending / {args.decided:,} decided / {args.overdue:,} overdue, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    try:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"  migrate: {time.perf_counter() - t0:.1f} s")
        org = create_org()
        policy_load_file(by=None, system=True)
        now = generate(args, org, random.Random(args.seed))
        measure_inbox(args, org)
        if not args.no_sweep and args.overdue:
            measure_sweep(args, now)
    finally:
        connection.close()
        if sqlite_path and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(sqlite_path + suffix)
                except FileNotFoundError:
                    pass
        elif sqlite_path:
            print(f"kept {sqlite_path}")


if __name__ == "__main__":
    main()
