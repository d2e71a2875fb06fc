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
import cProfile
import csv
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_DB = "salesflow_bench"


# --------------------------------------------------------------------------------------------------------------
# Command line and database set-up (before django.setup()).
# --------------------------------------------------------------------------------------------------------------

def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    p.add_argument("--runs", type=int, default=50, help="timed runs per search case (after 3 warm-up runs)")
    p.add_argument("--explain", action="store_true", help="print the query plan of each customer query")
    p.add_argument("--profile", action="store_true", help="cProfile the import phases and print the top functions")
    p.add_argument("--sqlite-analyze", action="store_true", help="run ANALYZE on SQLite after the import")
    p.add_argument("--no-api", action="store_true", help="skip the API measurements")
    p.add_argument("--keep", action="store_true", help="keep the SQLite file (its path is printed)")
    p.add_argument("--seed", type=int, default=20260331)
    return p.parse_args()


def prepare_database(args) -> str | None:
    """Point DATABASE_URL at a fresh database; returns the SQLite file to delete afterwards."""
    if args.db == "sqlite":
        fd, path = tempfile.mkstemp(prefix="salesflow_bench_", suffix=".sqlite3")
        os.close(fd)
        os.unlink(path)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return path
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    return None


# --------------------------------------------------------------------------------------------------------------
# Data generation: syllable lists → diverse Chinese company names; valid USCCs and mobile numbers.
# --------------------------------------------------------------------------------------------------------------

CITIES = [
    ("北京", "110000"), ("上海", "310000"), ("天津", "120000"), ("重庆", "500000"), ("广州", "440100"),
    ("深圳", "440300"), ("杭州", "330100"), ("宁波", "330200"), ("温州", "330300"), ("南京", "320100"),
    ("苏州", "320500"), ("无锡", "320200"), ("常州", "320400"), ("成都", "510100"), ("武汉", "420100"),
    ("西安", "610100"), ("长沙", "430100"), ("郑州", "410100"), ("青岛", "370200"), ("济南", "370100"),
    ("厦门", "350200"), ("福州", "350100"), ("合肥", "340100"), ("佛山", "440600"), ("东莞", "441900"),
    ("昆明", "530100"), ("沈阳", "210100"), ("大连", "210200"), ("哈尔滨", "230100"), ("石家庄", "130100"),
    ("南昌", "360100"), ("贵阳", "520100"), ("南宁", "450100"), ("太原", "140100"), ("兰州", "620100"),
    ("乌鲁木齐", "650100"), ("呼和浩特", "150100"), ("海口", "460100"), ("绍兴", "330600"), ("嘉兴", "330400"),
]
CITY_PROVINCE = {
    "北京": "北京市", "上海": "上海市", "天津": "天津市", "重庆": "重庆市", "广州": "广东省", "深圳": "广东省",
    "佛山": "广东省", "东莞": "广东省", "杭州": "浙江省", "宁波": "浙江省", "温州": "浙江省", "绍兴": "浙江省",
    "嘉兴": "浙江省", "南京": "江苏省", "苏州": "江苏省", "无锡": "江苏省", "常州": "江苏省", "成都": "四川省",
    "武汉": "湖北省", "西安": "陕西省", "长沙": "湖南省", "郑州": "河南省", "青岛": "山东省", "济南": "山东省",
    "厦门": "福建省", "福州": "福建省", "合肥": "安徽省", "昆明": "云南省", "沈阳": "辽宁省", "大连": "辽宁省",
    "哈尔滨": "黑龙江省", "石家庄": "河北省", "南昌": "江西省", "贵阳": "贵州省", "南宁": "广西壮族自治区",
    "太原": "山西省", "兰州": "甘肃省", "乌鲁木齐": "新疆维吾尔自治区", "呼和浩特": "内蒙古自治区", "海口": "海南省",
}
# Characters used in trade names (字号): combined 2–3 at a time, they give millions of distinct names.
TRADE_CHARS = (
    "华瑞丰达恒鑫隆盛泰安康宏远博创新信诚德嘉和晟源通航凯腾润祥永兴昌宇辰天海金银美佳优卓越精峰智云星光明东方"
    "中联汇聚众合力动科捷迅锦绣龙凤鹏程万福吉利顺发兆亿宝鼎乾坤元亨正大长江山水林森松柏青绿蓝紫红彩虹晨曦阳春"
    "秋冬雪梅兰竹菊莲荣耀辉煌灿烂启明思远致远立志若谷海纳百川汇通四海九州神州华夏中原江南北国西域东海南山嘉禾"
    "沃土丰收惠民利泽普济仁心德馨雅韵清风明月朗逸骏驰腾飞翔宇浩瀚博雅睿哲慧敏芯微量子星链云图数联网易讯飞鸿"
)
INDUSTRY_WORDS = [
    "科技", "电子", "机械", "化工", "建材", "贸易", "物流", "医药", "食品", "纺织", "环保", "能源", "信息技术",
    "网络科技", "生物科技", "新材料", "汽车配件", "电气", "自动化", "包装", "印刷", "家具", "服饰", "农业",
    "软件", "智能装备", "精密制造", "供应链管理", "实业", "工贸", "仪器仪表", "光电", "通信设备", "医疗器械",
    "餐饮管理", "文化传媒", "建筑工程", "装饰工程", "商贸", "水务",
]
LEGAL_FORMS = ["有限公司"] * 6 + ["股份有限公司"] * 2 + ["有限责任公司", "集团有限公司"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞燕辉婷雪琳晨浩宇欣怡子轩梓涵一诺雨泽佳琪思远"
POSITIONS = ["总经理", "采购经理", "采购专员", "财务经理", "技术总监", "行政主管", "董事长", "副总经理", "项目经理", ""]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "176", "177", "180", "181", "182", "183", "185", "186",
                   "187", "188", "189", "199"]
TIERS = ["A"] * 1 + ["B"] * 2 + ["C"] * 5 + ["D"] * 2
INDUSTRIES = ["manufacturing", "construction", "energy", "trade", "it", "transport", "healthcare", "education",
              "agriculture", "other"]
SOURCES = ["market_research", "online", "referral", "exhibition", "phone_in", "ecommerce", "partner", "visit"]
HEADERS = ["客户名称", "统一社会信用代码", "省份", "城市", "地址", "大区", "行业", "来源", "等级", "信用额度",
           "负责人", "联系人", "职务", "手机"]


def _org_code_check(body: str) -> str:
    """GB 11714 check character of an organisation code (8 digits here)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c = 11 - sum(int(ch) * w for ch, w in zip(body, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def make_uscc(division: str, serial: int) -> str:
    from stdnum.cn.uscc import calc_check_digit

    body = f"{serial:08d}"
    code17 = "91" + division + body + _org_code_check(body)
    return code17 + calc_check_digit(code17)


def generate_rows(n: int, reps: list, rng: random.Random) -> list[list]:
    import phonenumbers

    serials = rng.sample(range(10_000_000, 99_999_999), n)
    phones: set[str] = set()
    rows = []
    for i in range(n):
        city, division = rng.choice(CITIES)
        k = 2 if rng.random() < 0.7 else 3
        trade = "".join(rng.choice(TRADE_CHARS) for _ in range(k))
        industry = rng.choice(INDUSTRY_WORDS)
        r = rng.random()
        if r < 0.75:
            name = f"{city}{trade}{industry}{rng.choice(LEGAL_FORMS)}"
        elif r < 0.9:
            name = f"{trade}{industry}（{city}）有限公司"
        else:
            name = f"{trade}{industry}{rng.choice(LEGAL_FORMS)}{city}分公司"
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            if phone in phones:
                continue
            if i < 2000 and not phonenumbers.is_valid_number(phonenumbers.parse(phone, "CN")):
                continue  # the first rows double as a check that the prefixes are valid mobile ranges
            phones.add(phone)
            break
        contact = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        rep = reps[i % len(reps)] if rng.random() < 0.5 else rng.choice(reps)
        rows.append([
            name, make_uscc(division, serials[i]), CITY_PROVINCE[city], city + "市",
            f"{city}市{rng.choice(TRADE_CHARS)}{rng.choice(TRADE_CHARS)}路{rng.randint(1, 999)}号",
            rep["region"], rng.choice(INDUSTRIES), rng.choice(SOURCES), rng.choice(TIERS),
            str(rng.choice((0, 50_000, 100_000, 200_000, 500_000, 1_000_000))),
            rep["username"], contact, rng.choice(POSITIONS), phone,
        ])
    return rows


def to_csv(rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def to_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客户")
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------------------
# Organisation and users, created directly.
# --------------------------------------------------------------------------------------------------------------

def create_org():
    from salesflow.org.models import OrgUnit, User

    def unit(name, code, kind, parent=None, province=""):
        u = OrgUnit.objects.create(name=name, code=code, kind=kind, parent=parent, province=province)
        u.path = (parent.path if parent else "") + f"{u.pk:06d}/"
        u.save(update_fields=["path"])
        return u

    company = unit("销售流程科技有限公司", "HQ", "company")
    regions = [unit("华东大区", "R-EAST", "region", company), unit("华南大区", "R-SOUTH", "region", company)]
    offices = {
        regions[0]: [("上海办事处", "上海市"), ("杭州办事处", "浙江省")],
        regions[1]: [("广州办事处", "广东省"), ("深圳办事处", "广东省")],
    }
    teams = []
    n = 0
    for region in regions:
        for office_name, province in offices[region]:
            n += 1
            office = unit(office_name, f"OFF-{n}", "office", region, province)
            for t in (1, 2):
                teams.append((region, unit(f"{office_name[:2]}销售{t}组", f"TEAM-{n}-{t}", "team", office)))

    pw = "bench-Passw0rd!"
    admin = User.objects.create_user("admin", password=pw, name="系统管理员", role="admin", unit=company,
                                     is_staff=True, is_superuser=True)
    director = User.objects.create_user("director", password=pw, name="销售总监", role="director", unit=company)
    managers = [User.objects.create_user(f"mgr{i}", password=pw, name=f"大区经理{i}", role="manager", unit=r,
                                         manager=director) for i, r in enumerate(regions, 1)]
    reps = []
    for i, (region, team) in enumerate(teams):
        mgr = managers[regions.index(region)]
        for j in (1, 2):
            u = User.objects.create_user(f"rep{i + 1}{j}", password=pw, name=f"销售{i + 1}{j}", role="rep",
                                         unit=team, manager=mgr)
            reps.append({"user": u, "username": u.username, "region": region.name, "region_id": region.pk})
    return {"admin": admin, "director": director, "managers": managers, "reps": reps, "regions": regions}


# --------------------------------------------------------------------------------------------------------------
# Import through the import path, phase by phase.
# --------------------------------------------------------------------------------------------------------------

class PhaseClock:
    """Wraps module-level functions of salesflow.crm.imports (in this process only) to time them."""

    def __init__(self):
        self.t: dict[str, list[float]] = {}

    def wrap(self, module, name, label):
        original = getattr(module, name)

        def timed(*a, **kw):
            t0 = time.perf_counter()
            try:
                return original(*a, **kw)
            finally:
                self.t.setdefault(label, []).append(time.perf_counter() - t0)

        setattr(module, name, timed)


def run_import(args, org, content: bytes, file_name: str):
    from django.db import connection

    from salesflow.crm import imports
    from salesflow.crm.models import ImportStatus

    clock = PhaseClock()
    clock.wrap(imports, "read_rows", "read file")
    clock.wrap(imports, "validate_rows", "validate rows")
    clock.wrap(imports, "bulk_insert", "write (bulk_insert)")
    admin = org["admin"]
    prof = cProfile.Profile() if args.profile else None
    phases = {}

    def phase(label, fn):
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        try:
            return fn()
        finally:
            if prof:
                prof.disable()
            phases[label] = time.perf_counter() - t0

    t_all = time.perf_counter()
    job = phase("1 upload (read + store)", lambda: imports.import_upload(by=admin, file_name=file_name, content=content))
    job = phase("2 check (read + validate + search keys; the task worker's part runs on commit)",
                lambda: imports.import_check(by=admin, job_id=job.pk, mapping=job.mapping))
    job = imports.ImportJob.objects.defer("content", "payload").get(pk=job.pk)
    if job.status != ImportStatus.VALIDATED:
        print(f"!! check failed: {job.status} {job.message} {job.errors[:5]}")
        sys.exit(1)
    job = phase("3 confirm → execute (re-check taken codes and owners, write)",
                lambda: imports.import_confirm(by=admin, job_id=job.pk))
    total = time.perf_counter() - t_all
    job = imports.ImportJob.objects.defer("content", "payload").get(pk=job.pk)
    if job.status != ImportStatus.DONE:
        print(f"!! import did not finish: {job.status} {job.message}")
        sys.exit(1)
    if connection.vendor == "postgresql":
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        phases["(ANALYZE, as autovacuum would)"] = time.perf_counter() - t0
    elif args.sqlite_analyze:
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        phases["(ANALYZE)"] = time.perf_counter() - t0

    n = job.created_count
    print(f"\nIMPORT of {n:,} rows ({file_name}, {len(content) / 1e6:.1f} MB) through upload → check → confirm")
    print(f"  {'phase':<52}{'seconds':>9}")
    for label, s in phases.items():
        print(f"  {label:<52}{s:>9.2f}")
    print(f"  {'TOTAL upload→done':<52}{total:>9.2f}   = {n / total:,.0f} rows/s  (target ≤ 30 s, ≥ 20k rows/s)")
    print("  of which, summed over the phases:")
    for label, ts in clock.t.items():
        print(f"    {label:<50}{sum(ts):>9.2f}   ({len(ts)} calls)")
    if prof:
        print("\n  cProfile of the import (top 30 by cumulative time, then by own time):")
        st = pstats.Stats(prof, stream=sys.stdout)
        st.sort_stats("cumulative").print_stats(30)
        st.sort_stats("tottime").print_stats(25)
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
    sqlite_path = prepare_database(args)
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesflow.settings")
    os.environ.setdefault("DEBUG", "0")  # as in production: no query log kept in memory
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"Salesflow customer benchmark — {connection.vendor} ({os.environ['DATABASE_URL']}), "
          f"{args.rows:,} rows, {args.format}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    try:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"  migrate: {time.perf_counter() - t0:.1f} s")
        org = create_org()
        rng = random.Random(args.seed)
        t0 = time.perf_counter()
        rows = generate_rows(args.rows, org["reps"], rng)
        content = to_csv(rows) if args.format == "csv" else to_xlsx(rows)
        print(f"  generated {len(rows):,} rows as {args.format} in {time.perf_counter() - t0:.1f} s "
              f"({len(set(r[0] for r in rows)):,} distinct names)")
        del rows
        run_import(args, org, content, f"customers.{args.format}")
        measure(args, org)
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
