"""Small builders shared by the approval tests: policies through policy_save, tasks looked up by approver."""

from __future__ import annotations

import datetime as dt

from salesflow.approvals import services as engine
from salesflow.approvals.models import ApprovalTask, TaskStatus
from salesflow.approvals.policies import policy_save
from salesflow.deals.discounts.approval import DOCUMENT_TYPE

from ..conftest import fresh

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    """A wall-clock moment in the company's time zone (Asia/Shanghai has no DST)."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def stage(step, name, rule, role="", mode="any", days=0, kind="gate") -> dict:
    return {"step": step, "name": name, "rule": rule, "role": role, "mode": mode, "kind": kind, "deadline_days": days}


R13_ESCALATION = {"supervisor": "manager", "manager": "director", "marketing_vp": "gm", "director": "gm"}


def r13_with_deadlines(*, kind="opinion"):
    """The shipped R13 chain with a same-working-day deadline on every stage, as an administrator may add
    (the shipped policy carries only the seed's: the reviews C9/B9 the same day)."""
    return save_policy("discount-timed", [
        stage(1, "销售主管决定 (D8)", "requester_supervisor"),
        stage(2, "销售经理审核 (C9)", "region_manager", kind=kind),
        stage(2, "营销副总审核 (B9)", "role", "marketing_vp", kind=kind),
        stage(3, "总经理批准 (A9)", "role", "gm"),
    ], escalation=R13_ESCALATION, grace=2)


def save_policy(code, stages, *, conditions=None, priority=1, escalation=None, grace=4,
                document_type=DOCUMENT_TYPE, is_active=True, by=None):
    """A discount policy that outranks the shipped one (priority 100) unless told otherwise."""
    data = {"code": code, "name": code, "document_type": document_type, "conditions": conditions or [],
            "priority": priority, "escalation": escalation or {}, "escalation_grace_hours": grace,
            "is_active": is_active, "stages": stages}
    return policy_save(by=by, data=data, system=by is None)


def pending(**filters) -> set[str]:
    return set(ApprovalTask.objects.filter(status=TaskStatus.PENDING, **filters)
               .values_list("approver__username", flat=True))


def task_of(user, doc) -> ApprovalTask:
    return ApprovalTask.objects.get(approver=user, request__document_type=DOCUMENT_TYPE,
                                    request__document_id=doc.pk, status=TaskStatus.PENDING)


def decide(user, doc, approve=True, opinion="同意"):
    return engine.approval_decide(by=fresh(user), task_id=task_of(user, doc).pk, approve=approve, opinion=opinion)
