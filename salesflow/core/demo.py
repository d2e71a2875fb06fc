"""The demo company (演示数据): an organisation, one login per role and ~300 customers, built through the services.

Idempotent: every piece is looked up by its natural key (unit code, username, group name, customer name) and
only what is missing is created, so running it twice changes nothing. ``reset_business_data()`` wipes the
business tables first (``salesflow demo --reset``). Development only: ``build_demo()`` refuses unless
``settings.ALLOW_DEMO_DATA`` is true.

Later areas (opportunities, approvals, fulfilment…) add a ``build_<area>()`` function and call it from
``build_demo()``; each one must stay idempotent and seeded.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from stdnum.cn import uscc

from salesflow.core.chinese import InvalidValue, clean_phone, name_key
from salesflow.org.models import OperatedBy, OrgUnit, UnitKind, User
from salesflow.org.roles import Role

DEMO_PASSWORD = "demo12345"  # noqa: S105 — documented demo credential, refused in production
SEED = 20240601
CUSTOMER_COUNT = 300


class DemoRefused(ImproperlyConfigured):
    pass


def ensure_allowed() -> None:
    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise DemoRefused(
            "Demo data is disabled here (settings.ALLOW_DEMO_DATA is False, e.g. SALESFLOW_ENV=production): "
            "refusing to create demo logins with a published password."
        )


# --- organisation -----------------------------------------------------------------------------------------

# code: (name, kind, parent code, province, operated_by, partner_name)
ORG_UNITS: list[tuple] = [
    ("HQ", "总部", UnitKind.COMPANY, None, "上海市", OperatedBy.SELF, ""),
    ("EAST", "华东大区", UnitKind.REGION, "HQ", "上海市", OperatedBy.SELF, ""),
    ("NORTH", "华北大区", UnitKind.REGION, "HQ", "北京市", OperatedBy.SELF, ""),
    ("SOUTH", "华南大区", UnitKind.REGION, "HQ", "广东省", OperatedBy.SELF, ""),
    ("SOUTHWEST", "西南大区", UnitKind.REGION, "HQ", "四川省", OperatedBy.SELF, ""),
    ("EAST-SH", "上海销售处", UnitKind.OFFICE, "EAST", "上海市", OperatedBy.SELF, ""),
    ("EAST-JS", "江苏销售处", UnitKind.OFFICE, "EAST", "江苏省", OperatedBy.SELF, ""),
    ("EAST-ZJ", "浙江销售处", UnitKind.OFFICE, "EAST", "浙江省", OperatedBy.SELF, ""),
    ("NORTH-BJ", "北京销售处", UnitKind.OFFICE, "NORTH", "北京市", OperatedBy.SELF, ""),
    ("NORTH-HB", "河北销售处", UnitKind.OFFICE, "NORTH", "河北省", OperatedBy.AGENT, "石家庄冀通商贸有限公司"),
    ("NORTH-TJ", "天津销售处", UnitKind.OFFICE, "NORTH", "天津市", OperatedBy.SELF, ""),
    ("SOUTH-GD", "广东销售处", UnitKind.OFFICE, "SOUTH", "广东省", OperatedBy.DISTRIBUTOR, "广州粤顺贸易有限公司"),
    ("SOUTH-FJ", "福建销售处", UnitKind.OFFICE, "SOUTH", "福建省", OperatedBy.SELF, ""),
    ("SOUTHWEST-SC", "四川销售处", UnitKind.OFFICE, "SOUTHWEST", "四川省", OperatedBy.SELF, ""),
    ("SOUTHWEST-CQ", "重庆销售处", UnitKind.OFFICE, "SOUTHWEST", "重庆市", OperatedBy.SELF, ""),
    ("EAST-SH-1", "上海一组", UnitKind.TEAM, "EAST-SH", "上海市", OperatedBy.SELF, ""),
    ("EAST-SH-2", "上海二组", UnitKind.TEAM, "EAST-SH", "上海市", OperatedBy.SELF, ""),
    ("EAST-JS-1", "南京一组", UnitKind.TEAM, "EAST-JS", "江苏省", OperatedBy.SELF, ""),
    ("NORTH-BJ-1", "北京一组", UnitKind.TEAM, "NORTH-BJ", "北京市", OperatedBy.SELF, ""),
    ("NORTH-BJ-2", "北京二组", UnitKind.TEAM, "NORTH-BJ", "北京市", OperatedBy.SELF, ""),
    ("SOUTH-GD-1", "广州一组", UnitKind.TEAM, "SOUTH-GD", "广东省", OperatedBy.SELF, ""),
    ("SOUTHWEST-SC-1", "成都一组", UnitKind.TEAM, "SOUTHWEST-SC", "四川省", OperatedBy.SELF, ""),
]

# Provinces each region sells to, with cities and their landline area codes.
REGION_GEO: dict[str, dict[str, list[tuple[str, str]]]] = {
    "EAST": {
        "上海市": [("上海市", "021")],
        "江苏省": [("南京市", "025"), ("苏州市", "0512"), ("无锡市", "0510"), ("常州市", "0519")],
        "浙江省": [("杭州市", "0571"), ("宁波市", "0574"), ("温州市", "0577")],
        "山东省": [("济南市", "0531"), ("青岛市", "0532")],
        "安徽省": [("合肥市", "0551")],
    },
    "NORTH": {
        "北京市": [("北京市", "010")],
        "天津市": [("天津市", "022")],
        "河北省": [("石家庄市", "0311"), ("唐山市", "0315"), ("保定市", "0312")],
        "山西省": [("太原市", "0351")],
    },
    "SOUTH": {
        "广东省": [("广州市", "020"), ("深圳市", "0755"), ("东莞市", "0769"), ("佛山市", "0757")],
        "福建省": [("福州市", "0591"), ("厦门市", "0592")],
        "广西壮族自治区": [("南宁市", "0771")],
        "海南省": [("海口市", "0898")],
    },
    "SOUTHWEST": {
        "四川省": [("成都市", "028"), ("绵阳市", "0816")],
        "重庆市": [("重庆市", "023")],
        "云南省": [("昆明市", "0871")],
        "贵州省": [("贵阳市", "0851")],
    },
}

# Administrative division codes (行政区划代码) of the cities above, for the credit codes.
DIVISION_CODES = {
    "上海市": "310115", "南京市": "320100", "苏州市": "320500", "无锡市": "320200", "常州市": "320400",
    "杭州市": "330100", "宁波市": "330200", "温州市": "330300", "济南市": "370100", "青岛市": "370200",
    "合肥市": "340100", "北京市": "110108", "天津市": "120116", "石家庄市": "130100", "唐山市": "130200",
    "保定市": "130600", "太原市": "140100", "广州市": "440106", "深圳市": "440305", "东莞市": "441900",
    "佛山市": "440600", "福州市": "350100", "厦门市": "350200", "南宁市": "450100", "海口市": "460100",
    "成都市": "510107", "绵阳市": "510700", "重庆市": "500112", "昆明市": "530100", "贵阳市": "520100",
}

DISTRICTS = {
    "上海市": ["浦东新区", "闵行区", "徐汇区", "嘉定区", "松江区"], "北京市": ["海淀区", "朝阳区", "丰台区", "大兴区"],
    "天津市": ["滨海新区", "西青区"], "重庆市": ["渝北区", "江北区", "九龙坡区"],
}
STREETS = ["人民路", "解放路", "建设路", "中山路", "长江路", "黄河路", "科技路", "创业路", "工业大道", "新华路",
           "和平路", "振兴路", "高新大道", "金融街", "滨江大道"]


@dataclass
class DemoContext:
    admin: User
    units: dict[str, OrgUnit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.created[key] = self.created.get(key, 0) + n


def ensure_admin() -> User:
    """The first administrator; services need an actor, so this one account is made directly."""
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User(username="admin", name="周志强", role=Role.ADMIN, is_staff=True, is_superuser=True,
                     email="admin@salesflow.example", phone="13800138000")
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    return admin


def build_org(ctx: DemoContext) -> None:
    from salesflow.org.services import org_unit_create, user_update

    for code, name, kind, parent_code, province, operated_by, partner in ORG_UNITS:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            unit = org_unit_create(by=ctx.admin, name=name, code=code, kind=kind,
                                   parent=ctx.units[parent_code] if parent_code else None, province=province,
                                   operated_by=operated_by, partner_name=partner)
            ctx.count("org units")
        ctx.units[code] = unit
    if ctx.admin.unit_id is None:
        ctx.admin = user_update(by=ctx.admin, user=ctx.admin, unit=ctx.units["HQ"])


# username: (name, role, unit code, manager username)
USERS: list[tuple[str, str, str, str, str | None]] = [
    ("gm", "王建国", Role.GM, "HQ", None),
    ("marketing_vp", "李明辉", Role.MARKETING_VP, "HQ", "gm"),
    ("finance_vp", "陈淑芬", Role.FINANCE_VP, "HQ", "gm"),
    ("sales_vp", "刘志刚", Role.SALES_VP, "HQ", "gm"),
    ("director", "张海涛", Role.DIRECTOR, "HQ", "gm"),
    ("accountant", "孙丽华", Role.ACCOUNTANT, "HQ", "finance_vp"),
    ("planner", "马永强", Role.PLANNER, "HQ", "sales_vp"),
    ("qc", "胡春梅", Role.QC, "HQ", "sales_vp"),
    ("warehouse", "郭建军", Role.WAREHOUSE, "HQ", "sales_vp"),
    ("logistics", "何文斌", Role.LOGISTICS, "HQ", "sales_vp"),
    # 华东大区 (region 1)
    ("manager", "赵磊", Role.MANAGER, "EAST", "director"),
    ("service", "林晓燕", Role.SERVICE, "EAST", "manager"),
    ("supervisor", "钱伟", Role.SUPERVISOR, "EAST-SH", "manager"),
    ("rep", "李娜", Role.REP, "EAST-SH-1", "supervisor"),
    ("assistant", "吴静", Role.ASSISTANT, "EAST-SH-1", "supervisor"),
    ("zhoujie", "周杰", Role.REP, "EAST-SH-1", "supervisor"),
    ("xuqian", "徐倩", Role.REP, "EAST-SH-2", "supervisor"),
    ("zhuhao", "朱浩", Role.REP, "EAST-JS-1", "manager"),
    # 华北大区 (region 2)
    ("manager2", "孙涛", Role.MANAGER, "NORTH", "director"),
    ("supervisor2", "杨帆", Role.SUPERVISOR, "NORTH-BJ", "manager2"),
    ("rep2", "王芳", Role.REP, "NORTH-BJ-1", "supervisor2"),
    ("gaoyang", "高阳", Role.REP, "NORTH-BJ-1", "supervisor2"),
    ("liuyang", "刘洋", Role.REP, "NORTH-BJ-2", "supervisor2"),
    ("zhanglei", "张磊", Role.REP, "NORTH-HB", "manager2"),
    # 华南大区
    ("manager3", "黄志伟", Role.MANAGER, "SOUTH", "director"),
    ("chenxin", "陈鑫", Role.REP, "SOUTH-GD-1", "manager3"),
    ("lintao", "林涛", Role.REP, "SOUTH-GD-1", "manager3"),
    ("zhengli", "郑丽", Role.REP, "SOUTH-FJ", "manager3"),
    # 西南大区
    ("manager4", "罗斌", Role.MANAGER, "SOUTHWEST", "director"),
    ("dengyu", "邓宇", Role.REP, "SOUTHWEST-SC-1", "manager4"),
    ("tangmin", "唐敏", Role.REP, "SOUTHWEST-SC-1", "manager4"),
    ("fengkai", "冯凯", Role.REP, "SOUTHWEST-CQ", "manager4"),
]


def _mobile(rng: random.Random) -> str:
    while True:
        number = rng.choice(["13", "15", "18"]) + str(rng.choice([0, 1, 2, 3, 5, 6, 7, 8, 9])) + \
            f"{rng.randrange(10**8):08d}"
        try:
            return clean_phone(number)[0]
        except InvalidValue:
            continue


def build_users(ctx: DemoContext) -> None:
    from salesflow.org.services import user_create

    rng = random.Random(SEED + 1)
    ctx.users["admin"] = ctx.admin
    for username, name, role, unit_code, manager in USERS:
        phone = _mobile(rng)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(by=ctx.admin, username=username, password=DEMO_PASSWORD, role=role, name=name,
                               unit=ctx.units[unit_code], manager=ctx.users.get(manager) if manager else None,
                               email=f"{username}@salesflow.example", phone=phone)
            ctx.count("users")
        ctx.users[username] = user


# --- customers --------------------------------------------------------------------------------------------

GROUPS = [
    ("直销客户", "公司直接签约、直接服务的客户"),
    ("经销商", "代理商、经销商等渠道伙伴"),
    ("大客户", "年采购额大、战略合作的重点客户"),
    ("政府及事业单位", "机关、学校、医院等公共机构"),
    ("电商客户", "通过电商平台下单的客户"),
]

BRANDS = ["华信", "恒通", "宏达", "永盛", "金桥", "鼎盛", "博远", "瑞丰", "天成", "启航", "中联", "新纪元", "海纳",
          "远景", "卓越", "嘉禾", "长城", "东方", "泰和", "广源", "众诚", "锦程", "万达通", "汇丰源", "三江", "德润",
          "明辉", "华瑞", "星河", "正泰源", "凯盛", "安达", "佳联", "盛世", "同创", "蓝海", "易通", "晨光", "银河",
          "伟业", "宏图", "润华", "信达", "联合", "振华", "兴业", "国泰", "精诚", "开元", "百川"]

# industry word: Industry value
INDUSTRY_WORDS = [
    ("机械制造", "manufacturing"), ("精密机械", "manufacturing"), ("电气设备", "manufacturing"),
    ("汽车零部件", "manufacturing"), ("包装材料", "manufacturing"), ("化工", "manufacturing"),
    ("建设工程", "construction"), ("建筑装饰", "construction"), ("新能源", "energy"), ("电力科技", "energy"),
    ("商贸", "trade"), ("贸易", "trade"), ("百货", "trade"), ("信息技术", "it"), ("软件", "it"),
    ("网络科技", "it"), ("物流", "transport"), ("供应链管理", "transport"), ("医疗器械", "healthcare"),
    ("医药", "healthcare"), ("教育科技", "education"), ("农业科技", "agriculture"), ("食品", "agriculture"),
]
SUFFIXES = ["有限公司"] * 5 + ["股份有限公司"] * 2 + ["集团有限公司"]
PUBLIC_BODIES = [("第一人民医院", "healthcare"), ("职业技术学院", "education"), ("中心医院", "healthcare"),
                 ("第二中学", "education"), ("住房和城乡建设局", "government"), ("交通运输局", "government"),
                 ("自来水公司", "energy"), ("疾病预防控制中心", "healthcare"), ("实验小学", "education")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
         "霞", "平", "刚", "桂英", "建华", "晓东", "志强", "海燕", "文博", "雪梅", "国庆", "玉兰", "俊杰", "子涵"]
POSITIONS = ["采购经理", "总经理", "财务总监", "采购主管", "副总经理", "技术总监", "办公室主任", "采购专员", "董事长",
             "项目经理", "设备科长", "运营总监"]
SOURCES = ["market_research", "online", "referral", "exhibition", "phone_in", "ecommerce", "partner", "visit", "other"]
SOURCE_WEIGHTS = [10, 15, 12, 12, 10, 6, 8, 8, 4]
VALUE_TYPES = ["intrinsic", "extrinsic", "strategic"]
SIZES = ["micro", "small", "medium", "large"]

# Who owns how many of the customers: rep and rep2 about 40 each, the rest spread over the other reps.
OWNER_SHARES = {
    "rep": 45, "rep2": 44, "zhoujie": 20, "xuqian": 20, "zhuhao": 20, "gaoyang": 18, "liuyang": 18, "zhanglei": 18,
    "chenxin": 18, "lintao": 16, "zhengli": 16, "dengyu": 16, "tangmin": 14, "fengkai": 14, "supervisor": 6,
    "supervisor2": 6,
}


def org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its own check character."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, city: str, public: bool) -> str:
    # 12 = public institution (事业单位, registered by the establishment office), 91 = enterprise (SAMR).
    prefix = ("12" if public else "91") + DIVISION_CODES[city]
    first17 = prefix + org_code(rng)
    return first17 + uscc.calc_check_digit(first17)


def _landline(rng: random.Random, area: str) -> str:
    digits = 8 if len(area) == 3 or area in {"0512", "0571", "0755", "0769", "0757", "0574", "0531", "0532"} else 7
    while True:
        number = f"{area}-{rng.randint(2, 8)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"
        try:
            return clean_phone(number)[0]
        except InvalidValue:
            digits = 8 if digits == 7 else 7


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _address(rng: random.Random, province: str, city: str) -> str:
    district = rng.choice(DISTRICTS[city]) if city in DISTRICTS else rng.choice(["高新区", "经济开发区", "新区", ""])
    head = city if province == city else province + city
    return f"{head}{district}{rng.choice(STREETS)}{rng.randint(1, 999)}号"


def customer_specs(owners: dict[str, str]) -> list[dict]:
    """The demo customers as plain data (seeded, so identical on every run). ``owners`` maps username → region code."""
    rng = random.Random(SEED)
    specs, names = [], set()
    for username, share in OWNER_SHARES.items():
        region = owners[username]
        geo = REGION_GEO[region]
        for _ in range(share):
            province = rng.choice(list(geo))
            city, area = rng.choice(geo[province])
            roll = rng.random()
            kind, group, public = "company", None, False
            if roll < 0.08:
                kind, name, industry = "person", _person(rng), rng.choice(["trade", "other", "agriculture"])
                group = "直销客户"
            elif roll < 0.16:
                body, industry = rng.choice(PUBLIC_BODIES)
                name, public, group = f"{city}{body}", True, "政府及事业单位"
            else:
                word, industry = rng.choice(INDUSTRY_WORDS)
                brand = rng.choice(BRANDS)
                short_city = city.removesuffix("市")
                name = f"{short_city}{brand}{word}{rng.choice(SUFFIXES)}"
            if name in names:
                continue
            names.add(name)
            tier = rng.choices("ABCD", weights=[6, 22, 55, 17])[0]
            if kind == "company" and not public and group is None:
                group = rng.choices(["直销客户", "经销商", "大客户", "电商客户"], weights=[50, 20, 15 if tier == "A" else 5, 10])[0]
            if tier == "A":
                group = group if group == "政府及事业单位" else "大客户"
            source = rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0]
            if group == "电商客户":
                source = "ecommerce"
            limit = {"A": (500_000, 3_000_000), "B": (100_000, 800_000), "C": (10_000, 200_000), "D": (0, 30_000)}[tier]
            credit_limit = Decimal(rng.randrange(limit[0], limit[1] + 1, 5000)).quantize(Decimal("0.01"))
            contacts = []
            if kind == "person":
                contacts.append({"name": name, "position": "", "phone": _mobile(rng), "is_primary": True})
            else:
                for i in range(rng.choice([1, 1, 2, 2, 3])):
                    phone = _landline(rng, area) if rng.random() < 0.25 else _mobile(rng)
                    contacts.append({"name": _person(rng), "position": rng.choice(POSITIONS), "phone": phone,
                                     "is_primary": i == 0})
            collected = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
            data = {
                "kind": kind, "name": name, "province": province, "city": city, "address": _address(rng, province, city),
                "industry": "government" if public and industry == "government" else industry,
                "source": source, "group": group, "tier": tier,
                "value_type": rng.choices(VALUE_TYPES, weights=[50, 35, 15 if tier in "AB" else 3])[0],
                "credit_limit": str(credit_limit), "collected_on": collected.isoformat(),
                "credit_code": "" if kind == "person" or rng.random() < 0.05 else credit_code(rng, city, public),
                "company_size": "" if kind == "person" else rng.choices(SIZES, weights=[20, 40, 30, 10])[0],
                "shop_url": f"https://shop{rng.randrange(10**6, 10**7)}.example.com" if group == "电商客户" else "",
                "notes": rng.choice(["", "", "每季度集中采购一次", "对价格敏感，注重交期", "年底有预算，需提前跟进",
                                     "曾参加2024年展会", "关注售后响应速度"]),
            }
            specs.append({"owner": username, "data": data, "contacts": contacts,
                          "referred": rng.random() < 0.12, "archived": rng.random() < 0.05})
    return specs


def build_customer_groups(ctx: DemoContext) -> None:
    from salesflow.crm.models import CustomerGroup
    from salesflow.crm.services import customer_group_create

    for name, description in GROUPS:
        group = CustomerGroup.objects.filter(name=name).first()
        if group is None:
            group = customer_group_create(by=ctx.admin, name=name, description=description)
            ctx.count("customer groups")
        ctx.groups[name] = group


def _region_code(user: User, units: dict[str, OrgUnit]) -> str:
    for code in ("EAST", "NORTH", "SOUTH", "SOUTHWEST"):
        if user.unit.path.startswith(units[code].path):
            return code
    raise ValueError(user.username)


def build_customers(ctx: DemoContext) -> None:
    from salesflow.crm import services
    from salesflow.crm.models import Customer

    build_customer_groups(ctx)
    owners = {u: _region_code(ctx.users[u], ctx.units) for u in OWNER_SHARES}
    specs = customer_specs(owners)
    existing = set(Customer.objects.values_list("name_key", flat=True))
    rng = random.Random(SEED + 2)
    new = []
    for spec in specs:
        if name_key(spec["data"]["name"]) in existing:
            continue
        owner = ctx.users[spec["owner"]]
        # The owner registers their own customer (so the timeline says who), with the owner as actor.
        customer = services.customer_create(by=owner, data=spec["data"], contacts=spec["contacts"], owner=owner,
                                            confirm_duplicates=True)
        new.append((spec, customer))
    if not new:
        return
    ctx.count("customers", len(new))
    # Referrals: a customer referred by an earlier one of the same region.
    by_region: dict[int, list] = {}
    for spec, customer in new:
        candidates = by_region.get(customer.region_id, [])
        if spec["referred"] and candidates:
            Customer.objects.filter(pk=customer.pk).update(referred_by=rng.choice(candidates))
        if customer.kind == "company":
            by_region.setdefault(customer.region_id, []).append(customer)
    _touch_timelines(ctx, new, rng)


def _touch_timelines(ctx: DemoContext, new: list, rng: random.Random) -> None:
    """A few real edits, contact changes, reassignments and archivings, so timelines are not empty."""
    from salesflow.crm import services

    users = ctx.users
    mine = [c for spec, c in new if spec["owner"] == "rep"]
    mine2 = [c for spec, c in new if spec["owner"] == "rep2"]
    # Edits by the reps themselves.
    for customer in mine[:6] + mine2[:4]:
        owner = users["rep"] if customer.owner_id == users["rep"].pk else users["rep2"]
        services.customer_update(by=owner, customer=customer, data={
            "tier": "B" if customer.tier in "CD" else customer.tier,
            "notes": (customer.notes + "；" if customer.notes else "") + "已拜访，确认下季度采购计划",
        })
        services.contact_add(by=owner, customer=customer, data={
            "name": _person(rng), "position": rng.choice(POSITIONS), "phone": _mobile(rng), "is_primary": False})
    for customer in mine[6:9]:
        services.customer_update(by=users["rep"], customer=customer,
                                 data={"credit_limit": str(customer.credit_limit + Decimal("50000.00"))})
    # Reassignments by the unit heads, within their own scope.
    for customer in mine[9:12]:
        services.customer_reassign(by=users["supervisor"], customer=customer, owner=users["zhoujie"],
                                   note="客户行业与周杰现有客户重合，统一跟进")
    for customer in mine[12:14]:
        services.customer_reassign(by=users["manager"], customer=customer, owner=users["zhuhao"],
                                   note="客户迁至江苏，转江苏销售处跟进")
    for customer in mine2[4:7]:
        services.customer_reassign(by=users["supervisor2"], customer=customer, owner=users["gaoyang"],
                                   note="王芳休假期间由高阳接手")
    # Archivings: the seeded ones, by whoever owns them now.
    for spec, customer in new:
        if spec["archived"]:
            customer.refresh_from_db(fields=["owner"])
            services.customer_archive(by=customer.owner, customer=customer)
    # A restore, so the flow shows both directions.
    archived = [c for spec, c in new if spec["archived"]]
    if archived:
        c = archived[0]
        c.refresh_from_db(fields=["owner"])
        services.customer_restore(by=c.owner, customer=c)


# --- reset and entry point --------------------------------------------------------------------------------

def reset_business_data() -> dict[str, int]:
    """Delete all business data, users and the org tree (development only). The audit trail is append-only for
    the application, so it is cleared with a raw delete here, the one place that may."""
    from django.contrib.sessions.models import Session

    from salesflow.approvals.models import ApprovalRequest, Delegation, Notification
    from salesflow.audit.models import AuditEvent
    from salesflow.crm.models import Contact, Customer, CustomerGroup, ImportJob
    from salesflow.deals.models import DiscountRequest
    from salesflow.org.models import ApiToken

    ensure_allowed()
    counts = {}
    with transaction.atomic():
        counts["audit events"] = AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)
        counts["import jobs"] = ImportJob.objects.all().delete()[0]
        counts["approval requests"] = ApprovalRequest.objects.all().delete()[0]
        counts["discount requests"] = DiscountRequest.objects.all().delete()[0]
        from salesflow.reception.models import Prospect, ReceptionRecord

        counts["reception records"] = ReceptionRecord.objects.all().delete()[0]
        counts["prospects"] = Prospect.objects.all().delete()[0]
        from salesflow.deals.models import Competitor, LostReason, Opportunity

        counts["opportunities"] = Opportunity.objects.all().delete()[0]  # their stage changes cascade
        LostReason.objects.all().delete()
        Competitor.objects.all().delete()
        Notification.objects.all().delete()
        Delegation.objects.all().delete()
        from salesflow.visits.models import VisitLog, VisitPlan, VisitReminder

        VisitReminder.objects.all().delete()
        counts["visit logs"] = VisitLog.objects.all().delete()[0]
        counts["visit plans"] = VisitPlan.objects.all().delete()[0]  # their planned visits cascade
        from salesflow.leads.models import Lead

        counts["leads"] = Lead.objects.all().delete()[0]
        counts["contacts"] = Contact.objects.all().delete()[0]
        Customer.objects.update(referred_by=None)
        counts["customers"] = Customer.objects.all().delete()[0]
        counts["customer groups"] = CustomerGroup.objects.all().delete()[0]
        ApiToken.objects.all().delete()
        Session.objects.all().delete()
        User.objects.update(manager=None)
        counts["users"] = User.objects.all().delete()[0]
        units = 0
        for unit in sorted(OrgUnit.objects.all(), key=lambda u: -u.path.count("/")):
            unit.delete()
            units += 1
        counts["org units"] = units
    return counts


def build_demo() -> DemoContext:
    """Build (or complete) the demo company. Returns the context with counts of what was created."""
    ensure_allowed()
    with transaction.atomic():
        ctx = DemoContext(admin=ensure_admin())
        build_org(ctx)
        build_users(ctx)
        build_customers(ctx)
        build_calendar(ctx)
        from salesflow.deals.demo import build_discounts

        build_discounts(ctx)
        from salesflow.deals.demo import build_opportunities

        build_opportunities(ctx)
        from salesflow.leads.demo import build_leads

        build_leads(ctx)
        from salesflow.leads.import_demo import build_lead_import_demo

        build_lead_import_demo(ctx)
        from salesflow.reception.demo import build_reception_demo

        build_reception_demo(ctx)
        from salesflow.visits.demo import build_visits

        build_visits(ctx)
        from salesflow.leads.pool_demo import build_customer_pool_demo

        build_customer_pool_demo(ctx)  # last: it sets the pool's clocks of customers nothing else touched
    return ctx


def build_calendar(ctx: DemoContext) -> None:
    """Working calendars for every year chinese-calendar knows (approval deadlines count working days)."""
    from salesflow.workcal.models import CalendarYear
    from salesflow.workcal.services import calendar_load_known_years

    before = CalendarYear.objects.count()
    calendar_load_known_years(by=None)
    ctx.count("calendar years", CalendarYear.objects.count() - before)
