"""The demo's opportunities (商机) at every stage with six months of history, and the managed lists (lost
reasons, competitors); the discount requests' demo is in ``discounts/demo.py``."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from salesflow.crm.models import Customer
from salesflow.demo.registry import builder, resetter
from salesflow.org.selectors import users_holding

from . import services

LOST_REASONS = ["价格偏高", "产品不满足需求", "交期太长", "客户预算取消", "输给竞争对手", "客户决策延期"]
COMPETITORS = [("华宇科技", "华东主要竞争对手，价格低5%–8%"), ("东方精工", "设备精度高，交期长"),
               ("联创集团", "集团化采购，关系型销售")]
DEAL_NAMES = ["数控机床采购", "产线自动化改造", "年度备件框架协议", "ERP 集成项目", "检测设备更新",
              "仓储物流系统", "节能改造项目", "新厂区设备采购", "售后服务包续约", "质量追溯系统"]
PRODUCTS = ["五轴加工中心", "工业机器人", "PLC 控制柜", "视觉检测系统", "AGV 小车", "备品备件"]


@builder(order=410)
def build_opportunities(ctx, total: int = 60) -> None:
    """About 60 deals over the demo customers at every stage, with histories spread over the last six months:
    built through the real services, then the stage-change times are set back (the services stamp "now")."""
    from .models import Competitor, LostReason, Opportunity, OpportunityStageChange
    from .pipeline import CHECKLISTS, OPEN_STAGES, SellingModel

    for name in LOST_REASONS:
        LostReason.objects.get_or_create(name=name)
    for name, notes in COMPETITORS:
        Competitor.objects.get_or_create(name=name, defaults={"notes": notes})
    if Opportunity.objects.exists():
        return
    rng = random.Random(20250604)
    reasons = list(LostReason.objects.order_by("id"))
    competitors = list(Competitor.objects.order_by("id"))
    customers = list(Customer.objects.filter(status="active", owner__in=users_holding("rep", "supervisor"))
                     .select_related("owner").order_by("id")[:400])
    # The demo's two sign-in reps get most deals, so their kanban boards are full.
    featured = [c for c in customers if c.owner.username in ("rep", "rep2")]
    others = [c for c in customers if c.owner.username not in ("rep", "rep2")]
    if not customers:
        return
    now = timezone.now()
    # Final stage of each deal: every open stage, plus won and lost (after-sales is the won customer's phase, R15).
    finals = (["contact"] * 10 + ["needs"] * 10 + ["quote"] * 9 + ["sign"] * 7 + ["won"] * 16 + ["lost"] * 8)
    for i in range(total):
        pool = featured if featured and (i % 3 != 2 or not others) else others
        customer = pool[i % len(pool)]
        final = finals[i % len(finals)]
        amount = rng.choice([38000, 86000, 128000, 256000, 398000, 520000, 860000, 1180000, 2350000])
        opportunity = services.opportunity_create(by=customer.owner, customer_id=customer.pk, data={
            "name": f"{customer.name[:12]} · {rng.choice(DEAL_NAMES)}", "amount": f"{amount}.00",
            "products": "、".join(rng.sample(PRODUCTS, 2)), "selling_model": rng.choice(SellingModel.values),
            "expected_close": (timezone.localdate() + dt.timedelta(days=rng.randint(-20, 120))).isoformat()})
        by = customer.owner
        # The path: forward through the open stages up to the final one (closed deals stop somewhere on the way).
        if final in ("won", "lost"):
            last = rng.randint(1, 3) if final == "won" else rng.randint(0, 3)
        else:
            last = [str(s) for s in OPEN_STAGES].index(final)
        path = [str(s) for s in OPEN_STAGES[1:last + 1]]
        for stage in path:
            services.opportunity_move(by=by, opportunity_id=opportunity.pk, to_stage=stage)
            checklist_keys = [k for k, _l in CHECKLISTS[stage]]
            for key in checklist_keys[:rng.randint(0, len(checklist_keys))]:
                services.opportunity_set_checklist(by=by, opportunity_id=opportunity.pk, item=key, done=True)
        if final == "won":
            services.opportunity_win(by=by, opportunity_id=opportunity.pk)
        elif final == "lost":
            competitor = rng.choice(competitors) if rng.random() < 0.7 else None
            services.opportunity_lose(by=by, opportunity_id=opportunity.pk, reason_id=rng.choice(reasons).pk,
                                      competitor_id=competitor.pk if competitor else None)
        # Back-date: first contact 2–180 days ago, each stay a few days to a few weeks, never past today.
        changes = list(opportunity.stage_changes.order_by("id"))
        stays = [rng.randint(2, 25) * 86400 + rng.randint(0, 86399) for _c in changes[1:]]
        span = sum(stays)
        start = now - dt.timedelta(seconds=span + rng.randint(1, max(2, 180 * 86400 - span)))
        at, previous = start, None
        for change, stay in zip(changes, [0, *stays], strict=True):
            at = at + dt.timedelta(seconds=stay)
            OpportunityStageChange.objects.filter(pk=change.pk).update(at=at, seconds_in_stage=stay if previous else 0)
            previous = at
        closed = at if final in ("won", "lost") else None
        Opportunity.objects.filter(pk=opportunity.pk).update(first_contact_at=start, stage_entered_at=at,
                                                             closed_at=closed, created_at=start)
        if final == "won":
            # The win started the customer's service phase (R15) "now": it started at the back-dated win.
            Customer.objects.filter(pk=customer.pk, service_since__gt=closed).update(service_since=closed)
        ctx.count("opportunities")


@resetter(order=60)
def reset_opportunities() -> dict[str, int]:
    from .models import Competitor, LostReason, Opportunity

    counts = {"opportunities": Opportunity.objects.all().delete()[0]}  # their stage changes cascade
    LostReason.objects.all().delete()
    Competitor.objects.all().delete()
    return counts


# The discount request's demo registers on import (autodiscovery imports only ``deals.demo``).
from .discounts import demo as discount_demo  # noqa: E402, F401
