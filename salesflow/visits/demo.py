"""Demo visits (拜访): each demo rep's plans for this month, this week and today at every review status, and three
months of visit logs with check-in places in their customers' cities — some follow-ups overdue, so a rep's
Today page (今日待办) is full. Built through the real services; the visit history passes the check-in clock
(``now``) explicitly, which is how the service lets the demo backdate it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from salesflow.core.errors import AppError
from salesflow.crm.demo import sheet_answers
from salesflow.demo.registry import builder, resetter

from . import services
from .models import PlanPeriod, VisitLog, VisitPlan, WorkLog, decides_plans, period_bounds

REPS = ["rep", "zhoujie", "xuqian", "zhuhao", "rep2", "gaoyang", "liuyang", "zhanglei", "chenxin", "lintao",
        "zhengli", "dengyu", "tangmin", "fengkai"]

# City centres (WGS-84, what the browser's Geolocation API reports); check-ins scatter a few km around them.
CITY_COORDS = {
    "上海市": (31.2304, 121.4737), "南京市": (32.0603, 118.7969), "苏州市": (31.2990, 120.5853),
    "无锡市": (31.4912, 120.3119), "常州市": (31.8107, 119.9741), "杭州市": (30.2741, 120.1551),
    "宁波市": (29.8683, 121.5440), "温州市": (27.9943, 120.6994), "济南市": (36.6512, 117.1201),
    "青岛市": (36.0671, 120.3826), "合肥市": (31.8206, 117.2272), "北京市": (39.9042, 116.4074),
    "天津市": (39.3434, 117.3616), "石家庄市": (38.0428, 114.5149), "唐山市": (39.6305, 118.1802),
    "保定市": (38.8738, 115.4646), "太原市": (37.8706, 112.5489), "广州市": (23.1291, 113.2644),
    "深圳市": (22.5431, 114.0579), "东莞市": (23.0207, 113.7518), "佛山市": (23.0215, 113.1214),
    "福州市": (26.0745, 119.2965), "厦门市": (24.4798, 118.0894), "南宁市": (22.8170, 108.3665),
    "海口市": (20.0440, 110.1999), "成都市": (30.5728, 104.0668), "绵阳市": (31.4675, 104.6796),
    "重庆市": (29.5630, 106.5516), "昆明市": (24.8801, 102.8329), "贵阳市": (26.6470, 106.6302),
}

OUTCOMES = [
    "拜访采购经理，介绍了新款产品，对方对节能指标很感兴趣，要求提供技术参数。",
    "客户反映上批货交期偏紧，已解释原因并承诺下批提前一周排产。",
    "与设备科长沟通明年一季度采购计划，预计需求 20 台左右，预算已上报。",
    "客户在比较两家报价，我方价格略高，强调了售后响应和质保优势。",
    "回访使用情况，设备运行稳定，客户满意，提出增加一台备用机的想法。",
    "首次上门，了解到客户正在筹建新车间，年内有采购计划。",
    "送样品并现场演示，技术人员认可，等待内部评审。",
    "催收上月货款，财务答应月底前付清。",
    "客户负责人出差，与采购专员简单交流，约下周再访。",
    "了解客户年度招标安排，拿到了招标联系人方式。",
    "陪同技术部现场勘查，确认安装条件，客户关心工期。",
    "客户对合同付款条件有异议，希望改为货到 60 天付款，需向经理请示。",
]
NEXT_STEPS = ["发送技术参数和报价", "安排技术交流会", "提交优惠申请", "约采购经理再次面谈", "寄送样品", "准备合同草稿",
              "跟进付款进度", "邀请参观工厂", "确认招标文件要求", ""]
PURPOSES = ["回访使用情况", "介绍新产品", "洽谈年度采购", "催收货款", "送样品", "了解招标计划", "处理售后反馈",
            "维护关系，了解竞品动态"]
NEW_TARGETS = ["开发区新建厂区（待建档）", "展会上认识的采购负责人", "同行推荐的潜在客户"]


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_default_timezone())


def _working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _customers_of(user) -> list:
    from salesflow.crm.models import Customer

    return list(Customer.objects.filter(owner=user, status="active").prefetch_related("contacts").order_by("id"))


@builder(order=700)
def build_visits(ctx) -> None:
    from salesflow.org.models import User

    reps = [u for u in (User.objects.filter(username=name, is_active=True).select_related("unit", "manager").first()
                        for name in REPS) if u is not None]
    if not reps:
        return
    rng = random.Random(20260513)
    today = services.local_today()
    plans = {rep.pk: _build_plans(ctx, rep, today, rng) for rep in reps}
    if VisitLog.objects.exists():
        return
    for rep in reps:
        _build_logs(ctx, rep, today, plans[rep.pk], rng)
    _lead_visit(ctx, today)
    _review(ctx, reps, plans, rng)
    _next_week(ctx, reps[::2], today, rng)
    _build_work_logs(ctx, reps, today, random.Random(20260514))


def _build_plans(ctx, rep, today: dt.date, rng: random.Random) -> dict:
    """This month's, this week's and today's plans (only the ones still missing)."""
    customers = _customers_of(rep)
    made = {}
    if not customers:
        return made
    for period, count in ((PlanPeriod.MONTH, 8), (PlanPeriod.WEEK, 5), (PlanPeriod.DAY, 3)):
        start, end = period_bounds(period, today)
        if VisitPlan.objects.filter(owner=rep, period=period, starts_on=start).exists():
            continue
        focus = {PlanPeriod.MONTH: "本月重点：A/B 类客户全覆盖回访，新开发 2 家客户",
                 PlanPeriod.WEEK: "本周重点：跟进报价中的项目，催收到期货款",
                 PlanPeriod.DAY: ""}[period]
        plan = services.plan_create(by=rep, period=period, day=today, focus=focus)
        days = _working_days(start, end) or [today]
        if period == PlanPeriod.DAY:
            days = [today]
        for i in range(count):
            customer = rng.choice(customers)
            day = days[(i * len(days)) // count] if period != PlanPeriod.DAY else today
            services.plan_item_add(by=rep, plan=plan, data={
                "customer_id": customer.pk, "planned_on": day, "purpose": rng.choice(PURPOSES)})
        if period != PlanPeriod.DAY or rng.random() < 0.5:
            services.plan_item_add(by=rep, plan=plan, data={
                "target": rng.choice(NEW_TARGETS), "planned_on": days[-1] if period != PlanPeriod.DAY else today,
                "kind": "new", "purpose": "初次拜访，了解需求"})
        made[period] = plan
        ctx.count("visit plans")
    return made


def _build_logs(ctx, rep, today: dt.date, plans: dict, rng: random.Random) -> None:
    """About three months of visits: most planned visits of the past days done, plus unplanned ones; the last
    visit of each customer sets its next follow-up — some already overdue, some today."""
    from salesflow.deals.models import Opportunity
    from salesflow.deals.pipeline import OPEN_STAGES

    customers = _customers_of(rep)
    if not customers:
        return
    opps = dict(Opportunity.objects.filter(owner=rep, stage__in=OPEN_STAGES).values_list("customer_id", "id"))
    visits: list[tuple] = []  # (when, customer, planned item or None)
    for plan in plans.values():
        for item in plan.items.filter(customer__isnull=False, planned_on__lt=today).select_related("customer"):
            if rng.random() < 0.75:
                visits.append((_at(item.planned_on, rng.randint(9, 16), rng.choice([0, 15, 30, 45])), item.customer,
                               item))
    history = _working_days(today - dt.timedelta(days=92), today - dt.timedelta(days=1))
    share = 40 if rep.username in ("rep", "rep2") else 24
    for _ in range(share):
        visits.append((_at(rng.choice(history), rng.randint(9, 17), rng.choice([0, 10, 20, 30, 40, 50])),
                       rng.choice(customers), None))
    visits.sort(key=lambda v: v[0])
    last_of = {customer.pk: i for i, (_when, customer, _item) in enumerate(visits)}
    for i, (when, customer, item) in enumerate(visits):
        day = when.date() if timezone.is_naive(when) else timezone.localtime(when).date()
        followup = None
        if last_of[customer.pk] == i:
            roll = rng.random()
            if roll < 0.3 and day < today - dt.timedelta(days=2):
                followup = day + dt.timedelta(days=rng.randint(1, (today - day).days - 1))  # overdue
            elif roll < 0.42 and day < today:
                followup = today
            else:
                followup = today + dt.timedelta(days=rng.randint(1, 20))
        elif rng.random() < 0.5:
            followup = day + dt.timedelta(days=rng.randint(3, 14))
        sheet = None
        if last_of[customer.pk] == i and rng.random() < 0.45:
            # R17: after the visit the rep fills in the target-customer sheet.
            sheet = sheet_answers(rng, size=customer.company_size or rng.choice(["small", "medium", "large"]))
        contact = next((c for c in customer.contacts.all() if c.is_primary), None)
        centre = CITY_COORDS.get(customer.city)
        located = centre is not None and rng.random() < 0.85  # the rest were saved without a location
        lat, lon = centre or (0, 0)
        data = {
            "kind": "new" if rng.random() < 0.12 else "return",
            "customer_id": customer.pk, "visited_at": when,
            "contact_name": contact.name if contact else "",
            "outcome": rng.choice(OUTCOMES), "next_step": rng.choice(NEXT_STEPS), "next_followup_on": followup,
            "opportunity_id": opps.get(customer.pk) if rng.random() < 0.6 else None,
            "planned_visit_id": item.pk if item is not None and rng.random() < 0.7 else None,
            "address": customer.address if located else "",
            "location": {"latitude": Decimal(str(round(lat + rng.uniform(-0.04, 0.04), 6))),
                         "longitude": Decimal(str(round(lon + rng.uniform(-0.04, 0.04), 6))),
                         "accuracy": rng.choice([8, 15, 25, 40, 65, 120])} if located else None,
            "sheet": sheet,
        }
        try:
            services.visit_log_create(by=rep, data=data, now=when + dt.timedelta(minutes=rng.randint(1, 25)))
        except AppError:
            continue
        ctx.count("visit logs")


def _lead_visit(ctx, today: dt.date) -> None:
    """The rep's qualified exhibition lead was visited twelve days ago; its follow-up is overdue."""
    from salesflow.leads.models import Lead

    lead = Lead.objects.filter(owner__username="rep", name="无锡恒通精密机械有限公司").select_related("owner").first()
    if lead is None:
        return
    when = _at(today - dt.timedelta(days=12), 14, 30)
    services.visit_log_create(by=lead.owner, now=when + dt.timedelta(minutes=5), data={
        "kind": "new", "lead_id": lead.pk, "visited_at": when, "contact_name": "朱经理",
        "outcome": "到厂参观，确认数控机床 2 台的需求，预算待总经理批。", "next_step": "发送配置方案和报价",
        "next_followup_on": today - dt.timedelta(days=3), "address": "江苏省无锡市新吴区",
        "location": {"latitude": Decimal("31.490000"), "longitude": Decimal("120.360000"), "accuracy": 30}})
    ctx.count("visit logs")


def _review(ctx, reps, plans: dict, rng: random.Random) -> None:
    """Every status on show (R17): months fixed by the manager after the supervisor prepared them, weeks adjusted /
    approved / prepared and waiting for the Saturday meeting, days draft or submitted."""
    for n, rep in enumerate(reps):
        head = rep.manager
        made = plans.get(rep.pk, {})
        for period, plan in made.items():
            if not plan.items.exists():
                continue
            if period == PlanPeriod.DAY and n % 2 == 0:
                continue  # left as a draft
            try:
                services.plan_submit(by=rep, plan=plan)
                if head is None:
                    continue
                # The rep's head is their supervisor (who prepares) or, where there is none, the manager (who fixes).
                manager = head if decides_plans(head) else head.manager
                if period == PlanPeriod.MONTH:
                    services.plan_approve(by=head, plan=plan, comment="同意，注意新客户开发进度")
                    if manager is not None and manager.pk != head.pk and n % 4 != 3:
                        services.plan_approve(by=manager, plan=plan, comment="确定，月底前完成 A 类客户回访")
                elif period == PlanPeriod.WEEK and (rep.username == "rep" or n % 3 == 1) and manager is not None:
                    item = plan.items.order_by("-planned_on").first()
                    services.plan_item_update(by=manager, plan=plan, item_id=item.pk, data={"purpose": item.purpose
                                              + "；带上新版报价单"}, comment="周六例会定的重点，务必带报价单")
                elif period == PlanPeriod.WEEK and n % 3 == 2:
                    services.plan_approve(by=head, plan=plan, comment="已初审，报经理例会确定")
            except AppError:
                continue


def _next_week(ctx, reps, today: dt.date, rng: random.Random) -> None:
    """Half the reps have already handed in next week's plan for the Saturday meeting (周例会)."""
    start, _end = period_bounds(PlanPeriod.WEEK, today + dt.timedelta(days=7))
    for rep in reps:
        customers = _customers_of(rep)
        if not customers or VisitPlan.objects.filter(owner=rep, period=PlanPeriod.WEEK, starts_on=start).exists():
            continue
        plan = services.plan_create(by=rep, period=PlanPeriod.WEEK, day=start,
                                    focus="下周重点：年底前回款和明年采购计划摸底")
        for i, customer in enumerate(rng.sample(customers, min(4, len(customers)))):
            services.plan_item_add(by=rep, plan=plan, data={
                "customer_id": customer.pk, "planned_on": start + dt.timedelta(days=i), "purpose": rng.choice(PURPOSES)})
        services.plan_submit(by=rep, plan=plan)
        if rep.manager is not None and not decides_plans(rep.manager) and rng.random() < 0.5:
            # The supervisor prepared it; the manager fixes it at the Saturday meeting.
            services.plan_approve(by=rep.manager, plan=plan, comment="已初审，周六例会上报经理确定")
        ctx.count("visit plans")


SUMMARIES = ["上午拜访老客户，下午整理报价和合同资料。", "全天在外拜访，两家客户有明确采购意向。",
             "以电话跟进为主，整理客户档案，更新目标客户信息表。", "陪同技术部做现场勘查，晚上整理会议纪要。",
             "参加产品培训，下午回访两家客户。"]
CALLS = ["电话回访 3 家老客户，远航电子答应周五付款。", "联系 5 家展会线索，2 家约了下周拜访。",
         "与星辰机械采购确认交期，客户同意分两批到货。", "催收货款 2 家，1 家已安排付款。", ""]
MEETINGS = ["组内晨会，主管布置本周回款任务。", "与技术部开会确认非标设备参数。", "", "", "周例会准备：整理本周拜访数据。"]
DOCUMENTS = ["星辰机械二季度报价单", "远航电子年度框架协议草稿", "投标文件技术部分", "客户满意度回访记录", ""]
PROBLEMS = ["客户压价明显，需申请优惠条件。", "样机交付延迟，客户有意见，需计划科协调。", "", "", "竞争对手报价低 5%，需要经理支持。"]
TOMORROW = ["上午拜访绿野农业，下午提交优惠申请。", "跟进投标文件，约采购经理面谈。", "回访本周拜访过的 2 家客户。",
            "整理周报，准备周六例会汇报。"]


def _build_work_logs(ctx, reps, today: dt.date, rng: random.Random) -> None:
    """Two weeks of daily work logs (工作日志, R17): older days read by the supervisor or sent back once, recent
    ones waiting for review, a few handed in late, yesterday's still a draft for some (overdue), today's started."""
    if WorkLog.objects.exists():
        return
    days = _working_days(today - dt.timedelta(days=14), today)
    for n, rep in enumerate(reps):
        head = rep.manager
        for day in days:
            if day != today and rng.random() < 0.08:
                continue  # a day without a log: the list shows the gap
            data = {"summary": rng.choice(SUMMARIES), "call_count": rng.randint(0, 9), "calls": rng.choice(CALLS),
                    "meetings": rng.choice(MEETINGS), "documents": rng.choice(DOCUMENTS),
                    "problems": rng.choice(PROBLEMS), "tomorrow_plan": rng.choice(TOMORROW)}
            try:
                log = services.work_log_save(by=rep, day=day, data=data, today=today)
                ctx.count("work logs")
                if day == today or (day == days[-2] and n % 3 == 0):
                    continue  # today's in progress; yesterday's overdue for every third rep
                late = rng.random() < 0.12
                handed = _at(day + dt.timedelta(days=1 if late else 0), 9 if late else 18, rng.randint(0, 59))
                services.work_log_submit(by=rep, log=log, now=handed)
                if head is None or day >= today - dt.timedelta(days=2):
                    continue  # the last days wait for the supervisor
                if rng.random() < 0.1:
                    services.work_log_return(by=head, log=log, comment="电话跟进内容写具体些，补充客户反馈")
                    continue  # sent back, not yet completed
                services.work_log_review(by=head, log=log, comment=rng.choice(
                    ["已阅", "回款要盯紧", "优惠申请尽快提交", "注意新客户开发", ""]), now=handed + dt.timedelta(hours=15))
            except AppError:
                continue


@resetter(order=80)
def reset_visits() -> dict[str, int]:
    from .models import VisitLog, VisitPlan, VisitReminder

    VisitReminder.objects.all().delete()
    return {"work logs": WorkLog.objects.all().delete()[0],
            "visit logs": VisitLog.objects.all().delete()[0],
            "visit plans": VisitPlan.objects.all().delete()[0]}  # their planned visits cascade
