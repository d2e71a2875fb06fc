#!/usr/bin/env python
"""Customer import and search benchmark: prints figures, asserts nothing.

    python bench/bench_customers.py [--rows 100000] [--db sqlite|postgres] [--format csv|xlsx]
                                    [--runs 50] [--explain] [--profile] [--sqlite-analyze] [--keep]

It builds a throwaway database (SQLite: a temp file; PostgreSQL: `salesflow_bench` on 127.0.0.1, dropped and
recreated), migrates it, creates a small organisation and ~20 users, generates a customer file with realistic
Chinese data and loads it through the import path (upload → check → confirm, task run immediately). Then it
times the first page of the customer list / search through the selector and through the JSON API for an
admin (all scope), a manager (unit scope) and a rep (own scope).

Targets (../shared/performance.md): import ≥ 20k rows/s (≤ 30 s for 100k incl. everything); list/search
≤ 50 ms p50.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from common import (
    CITIES,
    CITY_PROVINCE,
    INDUSTRIES,
    SOURCES,
    TRADE_CHARS,
    PhaseClock,
    Phones,
    analyze,
    bench_database,
    company_name,
    create_org,
    make_uscc,
    person,
    to_csv,
    to_xlsx,
)
from common import parse_args as common_args


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--runs", type=int, default=50, help="timed runs per search case (after 3 warm-up runs)")
    p.add_argument("--explain", action="store_true", help="print the query plan of each customer query")
    p.add_argument("--sqlite-analyze", action="store_true", help="run ANALYZE on SQLite after the import")
    p.add_argument("--no-api", action="store_true", help="skip the API measurements")
    return common_args(p)


POSITIONS = ["总经理", "采购经理", "采购专员", "财务经理", "技术总监", "行政主管", "董事长", "副总经理", "项目经理", ""]
TIERS = ["A"] * 1 + ["B"] * 2 + ["C"] * 5 + ["D"] * 2
HEADERS = ["客户名称", "统一社会信用代码", "省份", "城市", "地址", "大区", "行业", "来源", "等级", "信用额度",
           "负责人", "联系人", "职务", "手机"]


def generate_rows(n: int, reps: list, rng: random.Random) -> list[list]:
    serials = rng.sample(range(10_000_000, 99_999_999), n)
    phones = Phones(rng)
    rows = []
    for i in range(n):
        city, division = rng.choice(CITIES)
        name = company_name(rng, city)
        phone = phones.new()
        contact = person(rng)
        rep = reps[i % len(reps)] if rng.random() < 0.5 else rng.choice(reps)
        rows.append([
            name, make_uscc(division, serials[i]), CITY_PROVINCE[city], city + "市",
            f"{city}市{rng.choice(TRADE_CHARS)}{rng.choice(TRADE_CHARS)}路{rng.randint(1, 999)}号",
            rep["region"], rng.choice(INDUSTRIES), rng.choice(SOURCES), rng.choice(TIERS),
            str(rng.choice((0, 50_000, 100_000, 200_000, 500_000, 1_000_000))),
            rep["username"], contact, rng.choice(POSITIONS), phone,
        ])
    return rows


# --------------------------------------------------------------------------------------------------------------
# Import through the import path, phase by phase.
# --------------------------------------------------------------------------------------------------------------

def run_import(args, org, content: bytes, file_name: str):
    from django.db import connection

    from salesflow.crm import imports as customer_import
    from salesflow.imports import files
    from salesflow.imports import services as imports
    from salesflow.imports.models import ImportJob, ImportStatus

    clock = PhaseClock(profile=args.profile)
    clock.wrap(files, "read_rows", "read file")
    clock.wrap(customer_import, "validate_rows", "validate rows")
    clock.wrap(customer_import, "bulk_insert", "write (bulk_insert)")
    from salesflow.crm.imports import CUSTOMER_IMPORT_KIND as kind
    admin = org["admin"]

    t_all = time.perf_counter()
    job = clock.phase("1 upload (read + store)",
                      lambda: imports.import_upload(by=admin, kind=kind, file_name=file_name, content=content))
    job = clock.phase("2 check (read + validate + search keys; the task worker's part runs on commit)",
                      lambda: imports.import_check(by=admin, kind=kind, job_id=job.pk, mapping=job.mapping))
    job = ImportJob.objects.defer("content", "payload").get(pk=job.pk)
    if job.status != ImportStatus.VALIDATED:
        print(f"!! check failed: {job.status} {job.message} {job.errors[:5]}")
        sys.exit(1)
    job = clock.phase("3 confirm → execute (re-check taken codes and owners, write)",
                      lambda: imports.import_confirm(by=admin, kind=kind, job_id=job.pk))
    total = time.perf_counter() - t_all
    job = ImportJob.objects.defer("content", "payload").get(pk=job.pk)
    if job.status != ImportStatus.DONE:
        print(f"!! import did not finish: {job.status} {job.message}")
        sys.exit(1)
    if connection.vendor == "postgresql":
        clock.phases["(ANALYZE, as autovacuum would)"] = analyze()
    elif args.sqlite_analyze:
        clock.phases["(ANALYZE)"] = analyze()

    n = job.created_count
    print(f"\nIMPORT of {n:,} rows ({file_name}, {len(content) / 1e6:.1f} MB) through upload → check → confirm")
    clock.report()
    print(f"  {'TOTAL upload→done':<52}{total:>9.2f}   = {n / total:,.0f} rows/s  (target ≤ 30 s, ≥ 20k rows/s)")
    return job


# --------------------------------------------------------------------------------------------------------------
# Search and list measurements.
# --------------------------------------------------------------------------------------------------------------

def pick_terms(org):
    """Search terms taken from a customer of the rep we measure (so every scope finds something)."""
    from salesflow.crm.models import Contact, Customer

    rep = org["reps"][0]["user"]
    mine = Customer.objects.filter(owner=rep).order_by("id")
    c = mine[min(10, mine.count() - 1)]
    phone = Contact.objects.filter(customer=c, is_primary=True).values_list("phone_digits", flat=True).first()
    trade = c.name
    for city, _ in CITIES:
        if trade.startswith(city):
            trade = trade[len(city):]
            break
    return {
        "name: common word 科技": dict(q="科技"),
        "name: 2-char fragment": dict(q=trade[:2]),
        "name: no match": dict(q="不存在的名"),
        "pinyin initials prefix": dict(q=c.name_initials[:4]),
        "phone: full": dict(q=phone),
        "phone: prefix 7": dict(q=phone[:7]),
        "credit code": dict(q=c.credit_code),
        "list: region + tier": dict(region=org["reps"][0]["region_id"], tier="B"),
        "list: first page, no filter": dict(),
    }, c


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


def explain(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params or None)
            return "\n".join(f"      {r[-1]}" for r in cur.fetchall())
        # The logged SQL has its values inlined (it may contain '%'): run it without parameters.
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params or None)
        return "\n".join(f"      {r[0]}" for r in cur.fetchall())


def measure(args, org):
    from urllib.parse import urlencode

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from salesflow.crm.selectors import CustomerFilters, customer_list
    from salesflow.org.models import User

    terms, sample = pick_terms(org)
    users = [("admin (all)", org["admin"]), ("manager (unit)", org["managers"][0]), ("rep (own)", org["reps"][0]["user"])]
    print(f"\nSEARCH / LIST, first page of 25 + count; sample customer: {sample.name} / {sample.credit_code}")
    print("  terms: " + "; ".join(f"{k} = {v}" for k, v in terms.items()))
    results = []
    for ulabel, user in users:
        client = None
        if not args.no_api:
            client = Client()
            client.force_login(User.objects.get(pk=user.pk), backend="django.contrib.auth.backends.ModelBackend")
        for clabel, f in terms.items():
            def via_selector(f=f, user=user):
                user.__dict__.pop("_salesflow_scope", None)  # a request computes its scope afresh
                qs = customer_list(user=user, filters=CustomerFilters(**f))
                rows = list(qs[:25])
                return rows, qs[:10_001].count()  # as the pages count (capped)

            with CaptureQueriesContext(connection) as cq:
                rows, count = via_selector()
            captured = list(cq.captured_queries)  # the property slices connection.queries lazily: copy now
            sel_q = len(captured)
            sel = time_runs(via_selector, args.runs)
            api = (None, None)
            api_q = None
            if client is not None:
                url = "/api/v1/customers?" + urlencode({**f, "page_size": 25})

                def via_api(url=url, client=client):
                    r = client.get(url)
                    assert r.status_code == 200, (r.status_code, r.content[:300])
                    return r

                with CaptureQueriesContext(connection) as cq2:
                    r = via_api()
                api_sql = [q["sql"] for q in cq2.captured_queries]
                api_q = len(api_sql)
                if args.explain and clabel == next(iter(terms)):
                    print(f"\n  API request queries ({ulabel}):")
                    for sql in api_sql:
                        print(f"    {sql[:160]}")
                body = r.json()
                # The API counts at most 10,001 rows (10,001 means "more than 10,000").
                assert body["count"] == min(count, 10_001), (body["count"], count)
                api = time_runs(via_api, args.runs)
            results.append((clabel, ulabel, count, len(rows), sel, sel_q, api, api_q))
            if args.explain:
                print(f"\n  -- {clabel} / {ulabel}: {count} hits")
                for q in captured:
                    if "crm_customer" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT"):
                        print(f"    SQL: {q['sql'][:1200]}")
                        print(explain(q["sql"]))
        reset_queries()

    mark = lambda v: "" if v is None else ("  " if v <= 50 else " ✗")  # noqa: E731
    print()
    hdr = (f"  {'case':<30}{'user':<16}{'hits':>7}{'sel p50':>9}{'p95':>8}{'q':>3} "
           f"{'api p50':>9}{'p95':>8}{'q':>4}")
    print(hdr + "    (ms; q = queries; ✗ = p50 over 50 ms)")
    print("  " + "-" * (len(hdr) + 2))
    for clabel, ulabel, count, _n, sel, sel_q, api, api_q in results:
        a50 = f"{api[0]:9.1f}" if api[0] is not None else f"{'-':>9}"
        a95 = f"{api[1]:8.1f}" if api[1] is not None else f"{'-':>8}"
        print(f"  {clabel:<30}{ulabel:<16}{count:>7}{sel[0]:>9.1f}{sel[1]:>8.1f}{sel_q:>3}{mark(sel[0])}"
              f"{a50}{a95}{(api_q if api_q is not None else '-'):>4}{mark(api[0])}")
    return results


def main():
    args = parse_args()
    with bench_database(args, f"Salesflow customer benchmark, {args.rows:,} rows, {args.format}"):
        org = create_org()
        rng = random.Random(args.seed)
        t0 = time.perf_counter()
        rows = generate_rows(args.rows, org["reps"], rng)
        content = to_csv(HEADERS, rows) if args.format == "csv" else to_xlsx(HEADERS, rows, "客户")
        print(f"  generated {len(rows):,} rows as {args.format} in {time.perf_counter() - t0:.1f} s "
              f"({len(set(r[0] for r in rows)):,} distinct names)")
        del rows
        run_import(args, org, content, f"customers.{args.format}")
        measure(args, org)


if __name__ == "__main__":
    main()
