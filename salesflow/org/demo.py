"""The demo organisation: 总部 → 大区 → 销售处 → 组, and one login per role (see the README's table)."""

from __future__ import annotations

import random

from django.contrib.sessions.models import Session

from salesflow.demo.context import DEMO_PASSWORD, SEED, DemoContext
from salesflow.demo.fake import mobile
from salesflow.demo.registry import builder, resetter

from .models import ApiToken, OperatedBy, OrgUnit, UnitKind, User
from .roles import Role
from .services import org_unit_create, user_create, user_update

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

def ensure_admin() -> User:
    """The first administrator; services need an actor, so this one account is made directly."""
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User(username="admin", name="周志强", role=Role.ADMIN, is_staff=True, is_superuser=True,
                     email="admin@salesflow.example", phone="13800138000")
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    return admin




@builder(order=100)
def build_org(ctx: DemoContext) -> None:

    ctx.admin = ctx.admin or ensure_admin()
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
    ("service2", "赵雪梅", Role.SERVICE, "NORTH", "manager2"),
    ("supervisor2", "杨帆", Role.SUPERVISOR, "NORTH-BJ", "manager2"),
    ("rep2", "王芳", Role.REP, "NORTH-BJ-1", "supervisor2"),
    ("gaoyang", "高阳", Role.REP, "NORTH-BJ-1", "supervisor2"),
    ("liuyang", "刘洋", Role.REP, "NORTH-BJ-2", "supervisor2"),
    ("zhanglei", "张磊", Role.REP, "NORTH-HB", "manager2"),
    # 华南大区
    ("manager3", "黄志伟", Role.MANAGER, "SOUTH", "director"),
    ("service3", "陈静", Role.SERVICE, "SOUTH", "manager3"),
    ("chenxin", "陈鑫", Role.REP, "SOUTH-GD-1", "manager3"),
    ("lintao", "林涛", Role.REP, "SOUTH-GD-1", "manager3"),
    ("zhengli", "郑丽", Role.REP, "SOUTH-FJ", "manager3"),
    # 西南大区
    ("manager4", "罗斌", Role.MANAGER, "SOUTHWEST", "director"),
    ("service4", "杨丽", Role.SERVICE, "SOUTHWEST", "manager4"),
    ("dengyu", "邓宇", Role.REP, "SOUTHWEST-SC-1", "manager4"),
    ("tangmin", "唐敏", Role.REP, "SOUTHWEST-SC-1", "manager4"),
    ("fengkai", "冯凯", Role.REP, "SOUTHWEST-CQ", "manager4"),
]


# People with more than one role (issue #13): a supervisor who also sells, an accountant who is also the cashier
# (出纳), an assistant who also keeps the contract seal for the sales business section (销售业务科, R3). Their
# primary role stays the one above (pages name them by it; other demo builders find them by username).
ADDITIONAL_ROLES: dict[str, list[str]] = {
    "supervisor": [Role.REP],
    "accountant": [Role.CASHIER],
    "assistant": [Role.SALES_SECTION],
}


@builder(order=110)
def build_users(ctx: DemoContext) -> None:

    rng = random.Random(SEED + 1)
    ctx.users["admin"] = ctx.admin
    for username, name, role, unit_code, manager in USERS:
        phone = mobile(rng)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(by=ctx.admin, username=username, password=DEMO_PASSWORD, role=role, name=name,
                               unit=ctx.units[unit_code], manager=ctx.users.get(manager) if manager else None,
                               email=f"{username}@salesflow.example", phone=phone,
                               additional_roles=ADDITIONAL_ROLES.get(username, []))
            ctx.count("users")
        elif not set(ADDITIONAL_ROLES.get(username, [])) <= user.roles:
            # A demo loaded before people could hold several roles: add theirs, keep any an administrator gave.
            user = user_update(by=ctx.admin, user=user,
                               additional_roles=[*user.additional_roles, *ADDITIONAL_ROLES[username]])
            ctx.count("additional roles")
        ctx.users[username] = user




@resetter(order=900)
def reset_org() -> dict[str, int]:
    """Last: tokens, sessions, users and the org tree, leaves first."""
    ApiToken.objects.all().delete()
    Session.objects.all().delete()
    User.objects.update(manager=None)
    counts = {"users": User.objects.all().delete()[0]}
    units = 0
    for unit in sorted(OrgUnit.objects.all(), key=lambda u: -u.path.count("/")):
        unit.delete()
        units += 1
    counts["org units"] = units
    return counts
