"""Demo discount requests (优惠申请) at every stage of R13, some overdue, built through the real services.

The approval engine stamps deadlines with the current time; to show overdue and escalated items the demo
moves a few deadlines into the past and then runs the real deadline sweep.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from salesflow.approvals import services as engine
from salesflow.approvals.models import ApprovalPolicy, ApprovalStep, ApprovalTask, TaskStatus
from salesflow.approvals.policies import policy_load_file
from salesflow.crm.models import Customer
from salesflow.demo.registry import builder, resetter
from salesflow.org.models import User

from . import services
from .models import DiscountRequest

REASONS = [
    "客户年度框架协议续签，竞品报价低约6%", "首次合作，争取进入其合格供应商名录", "批量采购，单笔金额较大",
    "客户回款记录良好，申请老客户优惠", "项目型订单，需配合总包方预算", "季度末冲量，客户要求同步降价",
]
TERMS = ["预付30%，发货前付清余款", "货到验收后60天内付款", "分三期付款：30%/40%/30%", "款到发货"]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _approve(username: str, doc: DiscountRequest, opinion: str = "同意") -> None:
    task = ApprovalTask.objects.filter(request__document_type="deals.discountrequest", request__document_id=doc.pk,
                                       approver__username=username, status=TaskStatus.PENDING).first()
    if task is not None:
        engine.approval_decide(by=task.approver, task_id=task.pk, approve=True, opinion=opinion)


def _reject(username: str, doc: DiscountRequest, opinion: str) -> None:
    task = ApprovalTask.objects.filter(request__document_type="deals.discountrequest", request__document_id=doc.pk,
                                       approver__username=username, status=TaskStatus.PENDING).get()
    engine.approval_decide(by=task.approver, task_id=task.pk, approve=False, opinion=opinion)


def _age(doc: DiscountRequest, hours: int) -> None:
    """Move the open stage's deadline into the past, as if the request had waited ``hours``."""
    past = timezone.now() - dt.timedelta(hours=hours)
    steps = ApprovalStep.objects.filter(request__document_type="deals.discountrequest", request__document_id=doc.pk,
                                        status="active")
    steps.update(due_at=past, started_at=past - dt.timedelta(hours=8))
    ApprovalTask.objects.filter(step__in=steps, status=TaskStatus.PENDING).update(due_at=past)


@builder(order=400)
def build_discounts(ctx) -> None:
    if not ApprovalPolicy.objects.exists():
        policy_load_file(by=ctx.admin, system=True)
        ctx.count("approval policies", ApprovalPolicy.objects.count())
    if DiscountRequest.objects.exists():
        return
    rng = random.Random(20241125)
    plans = [
        # (who asks, whose customer, the stage the request reaches)
        ("rep", "rep", "draft"), ("rep", "rep", "supervisor"), ("rep", "rep", "review"),
        ("rep", "rep", "review_overdue"), ("rep", "rep", "review_half"), ("rep", "rep", "gm"),
        ("rep", "rep", "gm_disagree"), ("rep", "rep", "approved"), ("rep", "rep", "approved_disagree"),
        ("rep", "rep", "rejected"), ("rep", "rep", "withdrawn"),
        # The supervisor's own requests: their submission is the D8 decision.
        ("supervisor", "rep", "review"), ("supervisor", "rep", "gm_disagree"),
        ("rep2", "rep2", "draft"), ("rep2", "rep2", "supervisor"), ("rep2", "rep2", "review_overdue"),
        ("rep2", "rep2", "gm"), ("rep2", "rep2", "approved"), ("rep2", "rep2", "rejected"),
    ]
    customers: dict[str, list[Customer]] = {}
    for username, owner, stage in plans:
        requester, rep = _user(username), _user(owner)
        if requester is None or rep is None:
            continue
        pool = customers.setdefault(owner, list(Customer.objects.filter(owner=rep, status="active").order_by("id")))
        if not pool:
            continue
        customer = pool.pop(0)
        amount = rng.choice([86000, 128000, 256000, 398000, 520000, 1180000])
        doc = services.discount_create(by=requester, customer_id=customer.pk, data={
            "amount": f"{amount}.00", "discount_percent": str(rng.choice([3, 4.5, 5, 6, 8, 10])),
            "reason": rng.choice(REASONS), "terms": rng.choice(TERMS)})
        ctx.count("discount requests")
        if stage == "draft":
            continue
        services.discount_submit(by=requester, discount_id=doc.pk)
        supervisor = "supervisor" if owner == "rep" else "supervisor2"
        manager = "manager" if owner == "rep" else "manager2"
        if stage == "supervisor":
            continue
        if stage == "withdrawn":
            services.discount_withdraw(by=requester, discount_id=doc.pk)
            continue
        if stage == "rejected":
            _reject(supervisor, doc, "优惠幅度超出本季度销售政策，请与客户再谈付款条件")
            continue
        _approve(supervisor, doc, "客户质量好，同意给予优惠")  # no task when the supervisor asked (D8 by submission)
        if stage == "review":
            continue
        if stage == "review_overdue":
            _age(doc, 6)
            continue
        if stage in ("gm_disagree", "approved_disagree"):
            # C9 and B9 are opinions: a "disagree" goes up to the GM with the papers (002 C9/B9 "签署自己的意见").
            _reject(manager, doc, "价格已低于区域底价，不同意；如总经理认为战略客户必须拿下，可按5%执行")
        else:
            _approve(manager, doc, "价格在区域底价之上，同意")
        if stage == "review_half":
            continue
        _approve("marketing_vp", doc, "符合市场策略，同意")
        if stage in ("gm", "gm_disagree"):
            continue
        _approve("gm", doc, "批准")
    # The real sweep flags what is overdue, reminds, and escalates what is past the grace period.
    result = engine.approvals_sweep()
    ctx.count("overdue approval stages", result["flagged"])


# --- opportunities (商机) -------------------------------------------------------------------------------


@resetter(order=40)
def reset_discount_requests() -> dict[str, int]:
    return {"discount requests": DiscountRequest.objects.all().delete()[0]}
