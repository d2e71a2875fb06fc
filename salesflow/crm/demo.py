"""The demo customers: ~300 customer files with valid credit codes and phone numbers, groups, referrals, and a
few edits, reassignments and archivings so the timelines are not empty."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from salesflow.core.chinese import name_key
from salesflow.demo.context import SEED, DemoContext
from salesflow.demo.fake import (
    POSITIONS,
    REGION_GEO,
    address,
    credit_code,
    landline,
    mobile,
    person,
)
from salesflow.demo.registry import builder, resetter
from salesflow.org.models import OrgUnit, User
from salesflow.org.roles import has_capability

from . import services
from .models import Contact, Customer, CustomerGroup

CUSTOMER_COUNT = 300

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
                kind, name, industry = "person", person(rng), rng.choice(["trade", "other", "agriculture"])
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
                contacts.append({"name": name, "position": "", "phone": mobile(rng), "is_primary": True})
            else:
                for i in range(rng.choice([1, 1, 2, 2, 3])):
                    phone = landline(rng, area) if rng.random() < 0.25 else mobile(rng)
                    contacts.append({"name": person(rng), "position": rng.choice(POSITIONS), "phone": phone,
                                     "is_primary": i == 0})
            collected = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
            data = {
                "kind": kind, "name": name, "province": province, "city": city, "address": address(rng, province, city),
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

    for name, description in GROUPS:
        group = CustomerGroup.objects.filter(name=name).first()
        if group is None:
            group = services.customer_group_create(by=ctx.admin, name=name, description=description)
            ctx.count("customer groups")
        ctx.groups[name] = group


def _region_code(user: User, units: dict[str, OrgUnit]) -> str:
    for code in ("EAST", "NORTH", "SOUTH", "SOUTHWEST"):
        if user.unit.path.startswith(units[code].path):
            return code
    raise ValueError(user.username)



@builder(order=200)
def build_customers(ctx: DemoContext) -> None:

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
        # The owner registers their own customer (so the timeline says who), with the owner as actor; tier and
        # credit limit are then set by a supervisor or above (issue #15): the owner's manager, else the director.
        data = dict(spec["data"])
        terms = {key: data.pop(key) for key in services.CREDIT_TERMS if key in data}
        customer = services.customer_create(by=owner, data=data, contacts=spec["contacts"], owner=owner,
                                            confirm_duplicates=True)
        if terms:
            setter = owner.manager if owner.manager_id and has_capability(owner.manager, "customer.credit_terms") \
                else ctx.users["director"]
            customer = services.customer_update(by=setter, customer=customer, data=terms)
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
    _fill_sheets(ctx, new)


def _touch_timelines(ctx: DemoContext, new: list, rng: random.Random) -> None:
    """A few real edits, contact changes, reassignments and archivings, so timelines are not empty."""

    users = ctx.users
    mine = [c for spec, c in new if spec["owner"] == "rep"]
    mine2 = [c for spec, c in new if spec["owner"] == "rep2"]
    # Edits by the reps themselves.
    for customer in mine[:6] + mine2[:4]:
        owner = users["rep"] if customer.owner_id == users["rep"].pk else users["rep2"]
        services.customer_update(by=owner, customer=customer, data={
            "notes": (customer.notes + "；" if customer.notes else "") + "已拜访，确认下季度采购计划",
        })
        if customer.tier in "CD":  # the rep proposes, the supervisor sets the tier (issue #15)
            services.customer_update(by=users["supervisor"] if owner == users["rep"] else users["supervisor2"],
                                     customer=customer, data={"tier": "B"})
        services.contact_add(by=owner, customer=customer, data={
            "name": person(rng), "position": rng.choice(POSITIONS), "phone": mobile(rng), "is_primary": False})
    for customer in mine[6:9]:
        services.customer_update(by=users["supervisor"], customer=customer,
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




# R17: answers of the target-customer information sheet (《目标客户基本信息情况统计表》).
SHEET_NEEDS = [
    "年内新建车间，需要数控机床 10～15 台，重视交期和安装调试。",
    "现有设备老化，计划分两批更新，先替换 5 台高能耗设备。",
    "需要节能型空压机配套改造方案，希望提供能耗测算。",
    "年度框架采购，关注价格稳定和账期，要求 60 天付款。",
    "出口订单增加，需要提升产能约 30%，关注自动化上下料。",
    "需要备品备件长期供应和 4 小时售后响应。",
    "试用一台样机，效果好再批量采购。",
]
SHEET_DECISION_MAKERS = [
    "总经理拍板；采购部陈经理负责比价；设备科王工提技术要求。",
    "董事长决策；生产副总主导选型；财务总监把控付款条件。",
    "采购经理决策（50 万以内）；超出需总经理审批；车间主任是使用方。",
    "集团采购中心统一招标；分厂技术科参与评标。",
    "厂长决策；设备处李处长影响很大，对我方印象好。",
]
SHEET_COMPETITORS = [
    "沈阳机床、大连机床（价格低 5% 左右）",
    "本地小厂报价低，但客户担心售后。",
    "德国进口品牌，技术领先但交期 6 个月以上。",
    "现有供应商是浙江某厂，合作三年，关系稳定。",
    "",
]
SHEET_TIMELINES = ["month", "quarter", "quarter", "half_year", "year", "undecided"]


def sheet_answers(rng: random.Random, size: str = "") -> dict:
    """One plausible filling of the target-customer sheet (also used by the visits demo after a visit)."""
    return {"needs": rng.choice(SHEET_NEEDS), "decision_makers": rng.choice(SHEET_DECISION_MAKERS),
            "purchase_timeline": rng.choice(SHEET_TIMELINES), "competitors": rng.choice(SHEET_COMPETITORS),
            **({"company_size": size} if size else {})}


def _fill_sheets(ctx: DemoContext, new: list) -> None:
    """A few sheets filled in on the customer file by the owner (the visits demo fills in more after visits)."""
    rng = random.Random(SEED + 17)
    filled = 0
    for spec, customer in new:
        if customer.kind != "company" or spec["archived"] or rng.random() > 0.15:
            continue
        customer.refresh_from_db(fields=["owner"])
        if customer.owner is None:
            continue
        services.customer_update_sheet(by=customer.owner, customer_id=customer.pk, data=sheet_answers(rng),
                                       note="建档时填写")
        filled += 1
    ctx.count("target-customer sheets", filled)


@resetter(order=800)
def reset_customers() -> dict[str, int]:
    counts = {"contacts": Contact.objects.all().delete()[0]}
    Customer.objects.update(referred_by=None)
    counts["customers"] = Customer.objects.all().delete()[0]
    counts["customer groups"] = CustomerGroup.objects.all().delete()[0]
    return counts
