"""What the benchmarks share: a throwaway database, Django set up against it, a small organisation, realistic
Chinese company data (diverse names, valid credit codes and mobile numbers) and a clock per import phase.

    args = parse_args(parser)          # adds --db, --keep, --seed, --profile
    with bench_database(args) as path: # SQLite: a temp file (deleted unless --keep); PostgreSQL: salesflow_bench
        org = create_org()
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
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

def parse_args(parser: argparse.ArgumentParser, seed: int = 20260331) -> argparse.Namespace:
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--profile", action="store_true", help="cProfile the import phases and print the top functions")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file (its path is printed)")
    parser.add_argument("--seed", type=int, default=seed)
    return parser.parse_args()


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


@contextlib.contextmanager
def bench_database(args, title: str):
    """A fresh, migrated database with Django set up (tasks run at once, no query log), removed afterwards."""
    sqlite_path = prepare_database(args)
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesflow.settings")
    os.environ.setdefault("DEBUG", "0")  # as in production: no query log kept in memory
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"{title} — {connection.vendor} ({os.environ['DATABASE_URL']}), Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    try:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"  migrate: {time.perf_counter() - t0:.1f} s")
        yield sqlite_path
    finally:
        connection.close()
        if sqlite_path and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(sqlite_path + suffix)
        elif sqlite_path:
            print(f"kept {sqlite_path}")


def analyze() -> float:
    """Table statistics, as autovacuum (PostgreSQL) or the import's own ANALYZE (SQLite) keep them."""
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - t0


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
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "176", "177", "180", "181", "182", "183", "185", "186",
                   "187", "188", "189", "199"]
INDUSTRIES = ["manufacturing", "construction", "energy", "trade", "it", "transport", "healthcare", "education",
              "agriculture", "other"]
SOURCES = ["market_research", "online", "referral", "exhibition", "phone_in", "ecommerce", "partner", "visit"]


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


def company_name(rng: random.Random, city: str) -> str:
    k = 2 if rng.random() < 0.7 else 3
    trade = "".join(rng.choice(TRADE_CHARS) for _ in range(k))
    industry = rng.choice(INDUSTRY_WORDS)
    r = rng.random()
    if r < 0.75:
        return f"{city}{trade}{industry}{rng.choice(LEGAL_FORMS)}"
    if r < 0.9:
        return f"{trade}{industry}（{city}）有限公司"
    return f"{trade}{industry}{rng.choice(LEGAL_FORMS)}{city}分公司"


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class Phones:
    """Distinct valid mobile numbers; the first ones are checked against phonenumbers, as a guard that the
    prefixes are valid mobile ranges."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[str] = set()

    def new(self) -> str:
        import phonenumbers

        while True:
            phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"
            if phone in self.seen:
                continue
            if len(self.seen) < 2000 and not phonenumbers.is_valid_number(phonenumbers.parse(phone, "CN")):
                continue
            self.seen.add(phone)
            return phone


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list], sheet: str) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(headers)
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
            reps.append({"user": u, "username": u.username, "region": region.name, "region_id": region.pk,
                         "team": team})
    return {"admin": admin, "director": director, "managers": managers, "reps": reps, "regions": regions,
            "teams": [t for _r, t in teams]}


# --------------------------------------------------------------------------------------------------------------
# Timing.
# --------------------------------------------------------------------------------------------------------------

class PhaseClock:
    """Wraps module-level functions (in this process only) to time them, and times whole phases."""

    def __init__(self, profile: bool = False):
        import cProfile

        self.t: dict[str, list[float]] = {}
        self.phases: dict[str, float] = {}
        self.prof = cProfile.Profile() if profile else None

    def wrap(self, module, name, label):
        original = getattr(module, name)

        def timed(*a, **kw):
            t0 = time.perf_counter()
            try:
                return original(*a, **kw)
            finally:
                self.t.setdefault(label, []).append(time.perf_counter() - t0)

        setattr(module, name, timed)

    def phase(self, label, fn):
        t0 = time.perf_counter()
        if self.prof:
            self.prof.enable()
        try:
            return fn()
        finally:
            if self.prof:
                self.prof.disable()
            self.phases[label] = time.perf_counter() - t0

    def report(self) -> None:
        print(f"  {'phase':<52}{'seconds':>9}")
        for label, s in self.phases.items():
            print(f"  {label:<52}{s:>9.2f}")
        if self.t:
            print("  of which, summed over the phases:")
            for label, ts in self.t.items():
                print(f"    {label:<50}{sum(ts):>9.2f}   ({len(ts)} calls)")
        if self.prof:
            import pstats

            print("\n  cProfile of the import (top 30 by cumulative time, then by own time):")
            st = pstats.Stats(self.prof, stream=sys.stdout)
            st.sort_stats("cumulative").print_stats(30)
            st.sort_stats("tottime").print_stats(25)
