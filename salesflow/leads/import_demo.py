"""Demo lead imports, through the real import path (upload → check → confirm → write), so the import history
shows what a sales team's looks like: a rep's exhibition list (two rows skipped as duplicates), a manager's
online-promotion export handed out by round-robin, and a partner's export still waiting for its errors to be
fixed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from django.utils import timezone

from salesflow.crm.models import Customer
from salesflow.demo.context import SEED, DemoContext
from salesflow.demo.fake import credit_code, mobile, person
from salesflow.demo.registry import builder
from salesflow.imports import services as imports
from salesflow.imports.models import ImportJob

from . import services
from .imports import LEAD_IMPORT_KIND
from .models import Lead

# Cities with a division code in the demo's credit codes; trades with the industry as a Chinese sheet says it.
PLACES = [("上海市", "上海市"), ("江苏省", "苏州市"), ("江苏省", "无锡市"), ("浙江省", "杭州市"), ("浙江省", "宁波市"),
          ("安徽省", "合肥市"), ("山东省", "青岛市"), ("江苏省", "南京市")]
TRADES = [("精密机械", "制造业"), ("自动化设备", "制造业"), ("新材料", "制造业"), ("智能仓储", "交通运输与物流"),
          ("环保科技", "其他"), ("电子科技", "制造业"), ("建设工程", "建筑业"), ("医疗器械", "医疗卫生")]
BRANDS = ["凌云", "博途", "致远", "拓普", "雷鸣", "汇川", "翔宇", "睿达", "恒辉", "启明星", "金帆", "远航", "德诚",
          "华展", "聚能", "卓信", "同舟", "鸿泰", "新澄", "昊天", "瀚海", "明晟", "天禾", "信合", "宏骏", "安泰",
          "锐思", "盛和", "嘉友", "永利", "创源", "中科", "顺航", "力拓", "九州通", "耀华"]
NEEDS = ["数控机床 2 台，年内采购", "产线自动化改造，预算待定", "询价包装设备", "仓储货架与 AGV", "年度设备维保",
         "需要样机测试", "替换进口设备", "新厂房设备配套", "只要资料，暂无计划"]
AMOUNTS = ["5万", "8万", "12万", "￥30,000", "20万", "1.5万", "50万", "", "￥80,000.00", "3万"]
LEVELS = ["高", "中", "低", ""]
HEADER = ["公司名称", "联系人", "手机", "统一社会信用代码", "省份", "城市", "行业", "需求描述", "预计金额", "需求程度",
          "购买力", "信用等级"]


def _rows(rng: random.Random, brands: list[str], with_levels: bool) -> list[list]:
    rows = []
    for brand in brands:
        province, city = rng.choice(PLACES)
        trade, industry = rng.choice(TRADES)
        rows.append([f"{city[:-1]}{brand}{trade}有限公司", person(rng), mobile(rng),
                     credit_code(rng, city, public=False) if rng.random() < 0.6 else "", province, city, industry,
                     rng.choice(NEEDS), rng.choice(AMOUNTS),
                     *([rng.choice(LEVELS) for _ in range(3)] if with_levels else ["", "", ""])])
    return rows


def _csv(rows: list[list], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


def _run(by, file_name: str, content: bytes, *, options: dict, confirm: dict | None) -> ImportJob:
    job = imports.import_upload(by=by, file_name=file_name, content=content, kind=LEAD_IMPORT_KIND)
    job = imports.import_check(by=by, job_id=job.pk, mapping=job.mapping, kind=LEAD_IMPORT_KIND, options=options)
    if confirm is not None and job.status == "validated":
        imports.import_confirm(by=by, job_id=job.pk, kind=LEAD_IMPORT_KIND, options=confirm)
        job = imports.import_execute(job.pk)  # here and now, as `salesflow import-customers` does
    return job


def _backdate(job: ImportJob, days: int) -> None:
    at = timezone.now() - dt.timedelta(days=days)
    ImportJob.objects.filter(pk=job.pk).update(created_at=at, finished_at=at + dt.timedelta(minutes=2)
                                               if job.finished_at else None)
    Lead.objects.filter(created_by=job.created_by, created_at__gte=job.created_at).update(
        created_at=at, assigned_at=at)


@builder(order=510)
def build_lead_import_demo(ctx: DemoContext) -> None:
    if ImportJob.objects.filter(kind=LEAD_IMPORT_KIND).exists():
        return
    rng = random.Random(SEED + 40)
    users = ctx.users
    # 1. The rep's list from the exhibition stand: two rows are already known and are skipped.
    rows = _rows(rng, BRANDS[:22], with_levels=True)
    known_lead = Lead.objects.order_by("pk").first()
    known_customer = Customer.objects.filter(owner=users["rep"]).order_by("pk").first()
    if known_lead is not None:
        rows.append([f"{known_lead.name[:2]}恒通机械厂", "朱经理", known_lead.phone, "", "", "", "", "展位咨询", "",
                     "", "", ""])
    if known_customer is not None:
        rows.append([known_customer.name, person(rng), mobile(rng), "", "", "", "", "老客户来展位", "", "", "", ""])
    rep_job = _run(users["rep"], "2026上海工博会-展会名单.csv", _csv(rows),
                   options={"channel": "exhibition", "campaign": "2026 上海工博会"}, confirm={"duplicates": "skip"})
    # The rep has worked through most of the list since; the rest is late (the sweep returns it to the pool).
    _backdate(rep_job, 6)
    for lead in Lead.objects.filter(created_by=users["rep"], campaign="2026 上海工博会").order_by("pk")[:15]:
        lead = services.lead_mark_contacted(by=users["rep"], lead=lead)
        if lead.need != "unknown":
            services.lead_screen(by=users["rep"], lead=lead, need=lead.need, purchasing_power=lead.purchasing_power,
                                 credit=lead.credit)
    # 2. The manager's export from online promotion (GBK, as Excel in China saves CSV), round-robin to 上海一组.
    manager_job = _run(users["manager"], "百度推广-3月留资.csv", _csv(_rows(rng, BRANDS[22:34], False), "gbk"),
                       options={"channel": "online", "campaign": "百度推广 3 月"},
                       confirm={"assign": "round_robin", "team": ctx.units["EAST-SH-1"].pk})
    _backdate(manager_job, 2)
    # 3. A partner's export with a bad phone number and a bad credit code: waiting to be fixed.
    bad = _rows(rng, BRANDS[34:], False)
    bad[0][2] = "1391234"
    bad[1][3] = "91310000MA1FL0000X"
    _run(users["supervisor"], "经销商推荐-待修正.csv", _csv(bad), options={"channel": "partner"}, confirm=None)
    ctx.count("lead imports", 3)
    ctx.count("imported leads", rep_job.created_count + manager_job.created_count)
