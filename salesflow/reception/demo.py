"""Demo reception records (接待记录) over the last three months and prospects (准客户) at every state, down to
files handed to customer service (R15) — all through the real services; the times are then set back (the
services stamp "now")."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from salesflow.crm.models import Customer
from salesflow.demo.registry import builder, resetter
from salesflow.org.models import OrgUnit, User

from . import selectors, services
from .models import OfficeMarketingLead, Prospect, ProspectStatus, ReceptionRecord

SEED = 20250915

# (visitors, how many, channel, what they asked, what was explained, intent, next step)
SCENES = [
    ("王经理、李工", 2, "walk_in", "五轴加工中心的加工精度和交货周期，能否到厂参观样机", "介绍了公司资质、主力机型参数和华东地区的售后网点，现场演示了样机",
     "yes", "一周内发送正式报价，并安排到厂参观"),
    ("陈总", 1, "phone", "去年采购的设备能否加装自动上下料，改造费用大概多少", "说明了改造方案的两种选型和大致工期，报价需技术部评估",
     "undecided", "技术部出方案后回电"),
    ("刘女士", 1, "online", "是否支持分期付款，有没有针对中小企业的优惠政策", "解释了公司的付款方式和现行销售政策，优惠需主管审批",
     "undecided", "寄送产品手册和付款方式说明"),
    ("赵厂长、周主任、小吴", 3, "walk_in", "产线自动化改造能节省多少人工，投资回收期多长", "结合客户现有产线做了初步测算，介绍了两个同行业案例",
     "yes", "带技术工程师上门勘察现场"),
    ("孙经理", 1, "exhibition", "展会上看到的视觉检测系统能否检测曲面件", "展示了检测样片和误检率数据，曲面件需送样测试",
     "yes", "客户寄送样件，安排检测"),
    ("郑工", 1, "phone", "PLC 控制柜的交期和质保期", "标准柜 30 天交货，质保 18 个月，非标需另议", "no", "客户暂无预算，季度末再联系"),
    ("马总、何会计", 2, "walk_in", "年度备件框架协议的价格和结算方式", "介绍了框架协议的阶梯价格和月结方式，需按销售政策报批",
     "yes", "准备框架协议草案"),
    ("黄主任", 1, "visit", "医院后勤设备的节能改造方案", "上门了解了现场情况，介绍了节能改造案例和政府补贴政策", "undecided",
     "整理现场数据，出初步方案"),
    ("许经理", 1, "online", "AGV 小车能否和现有 WMS 对接", "说明了标准接口和对接案例，需客户提供 WMS 厂商信息", "yes",
     "约技术交流会"),
    ("曹总、林工", 2, "walk_in", "新厂区设备采购的整体方案和售后响应时间", "介绍了整体交付能力和 4 小时响应承诺，参观了展厅",
     "yes", "两周内提交整体方案"),
    ("罗先生", 1, "phone", "个人工作室能否买二手或样机", "说明公司不销售二手设备，推荐了入门机型", "no", "无"),
    ("宋经理", 1, "exhibition", "工业机器人的培训和操作人员认证", "介绍了培训体系和认证课程，赠送了培训手册", "undecided",
     "发送培训课程表"),
]
COMPANY_WORDS = ["精密机械", "电气设备", "汽车零部件", "包装材料", "新能源科技", "医疗器械", "物流设备", "食品机械"]
BRANDS = ["天瑞", "恒丰", "金帆", "新锐", "联创", "鼎力", "华光", "启明", "远大", "海岳", "盛达", "宏远", "嘉诚", "瑞祥"]
CITIES = {"EAST": [("上海市", "上海"), ("江苏省", "苏州"), ("江苏省", "常州"), ("浙江省", "宁波"), ("浙江省", "嘉兴")],
          "NORTH": [("北京市", "北京"), ("天津市", "天津"), ("河北省", "廊坊")]}
# Records per demo rep over the last 90 days.
RECORDS_PER_REP = {"rep": 16, "zhoujie": 7, "xuqian": 6, "zhuhao": 5, "rep2": 12, "gaoyang": 6, "liuyang": 4,
                   "chenxin": 4, "dengyu": 4}
REGION_OF = {"rep": "EAST", "zhoujie": "EAST", "xuqian": "EAST", "zhuhao": "EAST", "rep2": "NORTH",
             "gaoyang": "NORTH", "liuyang": "NORTH", "chenxin": "EAST", "dengyu": "EAST"}

# (consultant, supervisor, final state, industry, need) — every state of the prospect file, twice for the EAST
# hand-over so the customer-service supervisor (林晓燕) has customers to serve. "confirmed": registered and
# confirmed by the office's 营销主管 (D2.4, beside the flow); "file_submitted": the consultant built the customer
# file and sent it (E4), the supervisor has yet to register it (D5).
PROSPECTS = [
    ("rep", "supervisor", "registered", "manufacturing", "数控机床 2 台，年内采购"),
    ("zhoujie", "supervisor", "registered", "trade", "仓储货架和叉车，预算待定"),
    ("rep", "supervisor", "confirmed", "manufacturing", "产线自动化改造一期"),
    ("xuqian", "supervisor", "confirmed_undecided", "healthcare", "检验科设备更新"),
    ("rep", "supervisor", "file_submitted", "manufacturing", "激光切割机 1 台，下月招标"),
    ("zhoujie", "supervisor", "file_submitted_unconfirmed", "trade", "冷链仓储改造"),
    ("rep", "supervisor", "customer_filed", "energy", "光伏组件检测设备"),
    ("zhoujie", "supervisor", "customer_filed", "transport", "AGV 小车 6 台"),
    ("rep", "supervisor", "handed_over", "manufacturing", "五轴加工中心及配套夹具"),
    ("rep", "supervisor", "handed_over", "agriculture", "食品包装线"),
    ("rep", "supervisor", "dropped", "trade", "询价后无后续"),
    ("rep2", "supervisor2", "registered", "construction", "工地设备租赁转采购"),
    ("gaoyang", "supervisor2", "confirmed", "it", "机房精密空调"),
    ("gaoyang", "supervisor2", "file_submitted", "construction", "塔吊安全监控系统"),
    ("rep2", "supervisor2", "deal_done", "manufacturing", "注塑机自动上下料改造"),
    ("gaoyang", "supervisor2", "dropped", "education", "实训设备"),
]
DROP_REASONS = ["客户已选择竞争对手华宇科技的方案", "客户项目取消，预算收回"]
CONFIRM_NOTES = ["符合目标行业，确认为准客户", "客户资质和预算已核实，确认", "属本处重点行业客户，确认跟进"]
SUBMIT_NOTES = ["客户采购意向明确，已建档，请登记", "客户预算已批，下月招标，请尽快登记", "老客户新项目，已关联原档案，请登记"]
REGISTER_NOTES = ["已登记，请准备洽谈方案", "已登记，洽谈前先约技术交流", "已登记，注意竞品报价"]
# 北京销售处 names its regional manager as 营销主管 (D2.4: the office may name someone other than the supervisor).
NAMED_MARKETING_LEADS = [("supervisor2", "manager2")]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _company(rng: random.Random, region: str, used: set) -> tuple[str, str, str]:
    while True:
        province, city = rng.choice(CITIES[region])
        name = f"{city}{rng.choice(BRANDS)}{rng.choice(COMPANY_WORDS)}有限公司"
        if name not in used and not Customer.objects.filter(name=name).exists():
            used.add(name)
            return name, province, city if city.endswith("市") else f"{city}市"


@builder(order=600)
def build_reception_demo(ctx) -> None:
    if ReceptionRecord.objects.exists() or Prospect.objects.exists():
        return
    from salesflow.demo.fake import mobile

    rng = random.Random(SEED)
    now = timezone.now()
    used: set = set()
    for username, count in RECORDS_PER_REP.items():
        rep = _user(username)
        if rep is None:
            continue
        customers = list(Customer.objects.filter(owner=rep, status="active").order_by("id")[:12])
        opportunities = list(rep.opportunities.filter(stage__in=["contact", "needs", "quote", "sign"])
                             .order_by("id")[:6])
        for i in range(count):
            visitors, people, channel, asked, explained, intent, next_step = rng.choice(SCENES)
            received = now - dt.timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
            received = timezone.localtime(received).replace(hour=rng.randint(9, 17))
            data = {"received_at": received, "channel": channel, "visitor_names": visitors, "visitor_count": people,
                    "phone": mobile(rng), "questions": asked, "explained": explained, "intent": intent,
                    "next_step": next_step}
            if next_step != "无":
                data["next_step_on"] = (timezone.localtime(received) + dt.timedelta(days=rng.randint(2, 14))).date()
            roll = i % 4
            if roll == 1 and opportunities:
                opp = rng.choice(opportunities)
                data.update(opportunity_id=opp.pk, company=opp.customer.name)
            elif roll == 2 and customers:
                customer = rng.choice(customers)
                data.update(customer_id=customer.pk, company=customer.name)
            else:
                data["company"] = _company(rng, REGION_OF[username], used)[0]
            services.reception_create(by=rep, data=data)
            ctx.count("reception records")
    _build_prospects(ctx, rng, now, used)


def _open_opportunity(consultant, taken: set):
    """An open deal of the consultant's (made by the deals demo) on a customer not yet with customer service:
    the prospect that the deal closes is attached to that customer file."""
    return (consultant.opportunities.filter(stage__in=["sign", "quote", "needs", "contact", "aftersales"], customer__status="active",
                                            customer__service_owner__isnull=True, customer__owner=consultant)
            .exclude(customer_id__in=taken).select_related("customer").order_by("-stage", "id").first())


def _backdate_win(opp, done) -> None:
    from salesflow.deals.models import Opportunity, OpportunityStageChange

    last = opp.stage_changes.order_by("-at", "-id").first()
    previous = opp.stage_changes.exclude(pk=last.pk).order_by("-at", "-id").first() if last else None
    if previous is not None and done <= previous.at:
        done = previous.at + dt.timedelta(hours=3)
    if last is not None:
        stay = int((done - previous.at).total_seconds()) if previous is not None else 0
        OpportunityStageChange.objects.filter(pk=last.pk).update(at=done, seconds_in_stage=max(stay, 0))
    Opportunity.objects.filter(pk=opp.pk).update(closed_at=done, stage_entered_at=done)


def _build_prospects(ctx, rng: random.Random, now, used: set) -> None:
    from salesflow.deals import services as deals
    from salesflow.demo.fake import credit_code, mobile

    _name_marketing_leads()
    taken: set = set()
    for n, (username, supervisor_name, final, industry, need) in enumerate(PROSPECTS):
        consultant, supervisor = _user(username), _user(supervisor_name)
        if consultant is None or supervisor is None:
            continue
        region = REGION_OF[username]
        start = now - dt.timedelta(days=rng.randint(25, 80), hours=rng.randint(0, 6))
        contact = rng.choice("王李张刘陈杨黄赵吴周徐孙马朱胡") + rng.choice(["经理", "总", "工", "主任"])
        opp = _open_opportunity(consultant, taken) if final in ("handed_over", "deal_done") else None
        if final in ("handed_over", "deal_done") and opp is None:
            continue
        if opp is not None:
            # A customer already on file came back with a new project: the prospect joins that file.
            taken.add(opp.customer_id)
            customer = opp.customer
            name, province, city, code = customer.name, customer.province, customer.city, customer.credit_code
            phone = customer.primary_phone or mobile(rng)
            done = min(now - dt.timedelta(days=1), start + dt.timedelta(days=rng.randint(15, 22)))
        else:
            name, province, city = _company(rng, region, used)
            phone = mobile(rng)
            code = credit_code(rng, "上海市" if region == "EAST" else "北京市", False)
            while Customer.objects.filter(credit_code=code).exists():
                code = credit_code(rng, "上海市" if region == "EAST" else "北京市", False)
        _visitors, people, channel, asked, explained, _intent, next_step = SCENES[n % len(SCENES)]
        record = services.reception_create(by=consultant, data={
            "received_at": start, "channel": channel, "visitor_names": contact, "visitor_count": people,
            "company": name, "phone": phone, "questions": asked, "explained": explained,
            "intent": "undecided" if final == "confirmed_undecided" else "yes", "next_step": next_step,
            "customer_id": opp.customer_id if opp else None})
        ctx.count("reception records")
        prospect = services.prospect_register(
            by=supervisor, consultant=consultant, reception_ids=[record.pk], confirm_duplicates=True,
            data={"name": name, "contact_name": contact, "phone": phone, "credit_code": code, "province": province,
                  "city": city, "industry": industry, "source": rng.choice(["exhibition", "referral", "online",
                                                                             "phone_in", "visit"]),
                  "needs": need})
        ctx.count("prospects")
        times = {"registered_at": start + dt.timedelta(days=1, hours=2)}
        if final == "dropped":
            services.prospect_drop(by=supervisor, prospect_id=prospect.pk, reason=DROP_REASONS[n % 2])
            times["dropped_at"] = start + dt.timedelta(days=6)
        elif final != "registered":
            if final != "file_submitted_unconfirmed":
                # D2.4: the office's 营销主管 (the supervisor, or whom the office named) confirms it.
                leads = selectors.marketing_leads_for(unit_id=prospect.unit_id)
                if leads:
                    services.prospect_confirm(by=leads[0], prospect_id=prospect.pk, note=CONFIRM_NOTES[n % 3])
                    times["confirmed_at"] = start + dt.timedelta(days=2, hours=4)
            if final.startswith("file_submitted") or final in ("customer_filed", "handed_over", "deal_done"):
                # E4: the consultant builds the customer file and sends it to the supervisor…
                prospect = services.prospect_submit_file(by=consultant, prospect_id=prospect.pk,
                                                         customer_id=opp.customer_id if opp else None,
                                                         note=SUBMIT_NOTES[2 if opp else n % 2],
                                                         confirm_duplicates=True)
                times["customer_submitted_at"] = start + dt.timedelta(days=2, hours=7)
            if final in ("customer_filed", "handed_over", "deal_done"):
                # …D5: who registers it with the prospect file and tells the consultant to prepare the negotiation.
                prospect = services.prospect_register_file(by=supervisor, prospect_id=prospect.pk,
                                                           note=REGISTER_NOTES[n % 3])
                times["customer_filed_at"] = start + dt.timedelta(days=3, hours=1)
            if opp is not None:
                # R15 happens inside the win: the file passes to the service supervisor (none in the north: the
                # supervisor is asked to choose one).
                deals.opportunity_win(by=consultant, opportunity_id=opp.pk)
                _backdate_win(opp, done)
                times["deal_done_at"] = done
                prospect.refresh_from_db(fields=["status"])
                if prospect.status == ProspectStatus.HANDED_OVER:
                    times["handed_over_at"] = done
                    Customer.objects.filter(pk=prospect.customer_id).update(service_since=done)
        Prospect.objects.filter(pk=prospect.pk).update(created_at=times["registered_at"], **times)
        prospect.refresh_from_db(fields=["status"])
        expected = {"confirmed": {ProspectStatus.REGISTERED}, "confirmed_undecided": {ProspectStatus.REGISTERED},
                    "file_submitted_unconfirmed": {ProspectStatus.FILE_SUBMITTED},
                    # With a service supervisor somewhere above the customer, the file passes on at once.
                    "deal_done": {ProspectStatus.DEAL_DONE, ProspectStatus.HANDED_OVER}}.get(final, {final})
        if prospect.status not in expected:
            raise RuntimeError(f"demo prospect {name}: {prospect.status} instead of {expected}")


def _name_marketing_leads() -> None:
    for supervisor_name, lead_name in NAMED_MARKETING_LEADS:
        supervisor, lead = _user(supervisor_name), _user(lead_name)
        if supervisor is None or lead is None or supervisor.unit_id is None:
            continue
        office = next((u for u in OrgUnit.objects.filter(pk__in=supervisor.unit.ancestor_ids, kind="office")), None)
        if office is not None and not OfficeMarketingLead.objects.filter(office=office).exists():
            services.office_marketing_lead_set(by=lead, office_id=office.pk, user=lead)


@resetter(order=50)
def reset_reception() -> dict[str, int]:
    return {"reception records": ReceptionRecord.objects.all().delete()[0],
            "prospects": Prospect.objects.all().delete()[0],
            "office marketing supervisors": OfficeMarketingLead.objects.all().delete()[0]}
