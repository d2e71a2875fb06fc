"""Demo leads: a few owned by the demo reps at each step, a few waiting in the pool, all through the services."""

from __future__ import annotations

from salesflow.demo.registry import builder, resetter
from salesflow.leads import services
from salesflow.leads.models import Lead

DEMO_LEADS = [
    # (name, contact, phone, province, city, industry, channel, campaign, need, owner or None, screen)
    ("无锡恒通精密机械有限公司", "朱经理", "13961234501", "江苏省", "无锡市", "manufacturing", "exhibition",
     "2026 上海工博会", "数控机床 2 台，年内采购", "rep", ("high", "high", "medium")),
    ("常州瑞丰新材料有限公司", "沈工", "13961234502", "江苏省", "常州市", "manufacturing", "online",
     "百度推广 3 月", "询价包装设备", "rep", ("low", "low", "unknown")),
    ("嘉兴启明物流有限公司", "顾主任", "13961234503", "浙江省", "嘉兴市", "transport", "referral",
     "", "仓储自动化改造", "rep", None),
    ("天津港湾能源有限公司", "冯总", "13961234504", "天津市", "天津市", "energy", "phone_in",
     "", "电力设备维保", "rep2", ("high", "medium", "high")),
    ("合肥云图信息技术有限公司", "许经理", "13961234505", "安徽省", "合肥市", "it", "ecommerce",
     "京东企业购", "服务器与存储", None, None),
    ("青岛海岳食品有限公司", "曹厂长", "13961234506", "山东省", "青岛市", "manufacturing", "partner",
     "经销商推荐", "冷链设备", None, None),
]


@builder(order=500)
def build_leads(ctx) -> None:
    if Lead.objects.exists():
        return
    for name, contact, phone, province, city, industry, channel, campaign, need, owner, screen in DEMO_LEADS:
        owner_user = ctx.users.get(owner) if owner else None
        by = owner_user or ctx.users.get("supervisor") or ctx.admin
        lead = services.lead_create(by=by, owner=owner_user, confirm_duplicates=True, data={
            "name": name, "contact_name": contact, "phone": phone, "province": province, "city": city,
            "industry": industry, "channel": channel, "campaign": campaign, "need_notes": need})
        if screen:
            services.lead_mark_contacted(by=by, lead=lead)
            services.lead_screen(by=by, lead=lead, need=screen[0], purchasing_power=screen[1], credit=screen[2])
        ctx.count("leads")


@resetter(order=90)
def reset_leads() -> dict[str, int]:
    return {"leads": Lead.objects.all().delete()[0]}


@builder(order=990)
def build_territory_rules(ctx) -> None:
    """A few territory rules (江苏 → 南京一组, 广东 → 广州一组, 华北 energy → 高阳…) for the lead-rule pages."""
    from salesflow.leads.models import LeadAssignmentRule
    from salesflow.leads.services import rules as config

    if LeadAssignmentRule.objects.exists():
        return
    units, users = ctx.units, ctx.users
    director = users.get("director") or ctx.admin
    rules = [
        (director, {"priority": 10, "province": "江苏省", "team": units["EAST-JS-1"].pk}),
        (director, {"priority": 20, "province": "广东省", "team": units["SOUTH-GD-1"].pk}),
        (users.get("manager2") or director, {"priority": 30, "region": units["NORTH"].pk, "industry": "energy",
                                              "user": users["gaoyang"].pk}),
        (director, {"priority": 40, "province": "四川省", "team": units["SOUTHWEST-SC-1"].pk}),
        (users.get("manager") or director, {"priority": 50, "region": units["EAST"].pk, "province": "上海市",
                                             "team": units["EAST-SH-1"].pk}),
    ]
    for by, data in rules:
        config.rule_save(by=by, data={**data, "is_active": True})
    ctx.count("territory rules", len(rules))


# The lead module's other demo parts register on import (autodiscovery imports only ``leads.demo``).
from . import import_demo  # noqa: E402, F401
