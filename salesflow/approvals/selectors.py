"""Reads for the approval pages and API: the inbox, my requests, one request's history, policies."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.org.roles import has_capability

from .models import ApprovalPolicy, ApprovalRequest, ApprovalTask, Delegation, TaskStatus


@dataclass
class InboxFilters:
    document_type: str = ""
    overdue: bool = False
    q: str = ""


def inbox(*, user, filters: InboxFilters | None = None) -> QuerySet[ApprovalTask]:
    """The approver's pending tasks, earliest deadline first (served by a partial index)."""
    f = filters or InboxFilters()
    qs = (ApprovalTask.objects.filter(approver=user, status=TaskStatus.PENDING)
          .select_related("request", "request__requester", "step", "on_behalf_of"))
    if f.document_type:
        qs = qs.filter(request__document_type=f.document_type)
    if f.overdue:
        qs = qs.filter(due_at__lt=timezone.now())
    if f.q:
        qs = qs.filter(request__title__icontains=f.q)
    return qs.order_by("due_at", "id")


def inbox_count(*, user) -> int:
    return ApprovalTask.objects.filter(approver=user, status=TaskStatus.PENDING).count()


def task_get(*, user, task_id: int) -> ApprovalTask | None:
    return (ApprovalTask.objects.filter(pk=task_id, approver=user)
            .select_related("request", "request__requester", "step", "on_behalf_of").first())


def history(*, user) -> QuerySet[ApprovalTask]:
    return (ApprovalTask.objects.filter(approver=user).exclude(status=TaskStatus.PENDING)
            .select_related("request", "request__requester", "step", "on_behalf_of").order_by("-decided_at", "-id"))


def my_requests(*, user, status: str = "") -> QuerySet[ApprovalRequest]:
    qs = ApprovalRequest.objects.filter(requester=user).select_related("policy")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def request_get(*, user, request_id: int) -> ApprovalRequest:
    request = ApprovalRequest.objects.visible_to(user).select_related("policy", "requester").filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("Approval request not found."))
    return request


def request_for_document(*, user, document_type: str, document_id: int) -> ApprovalRequest | None:
    return (ApprovalRequest.objects.visible_to(user).select_related("policy", "requester")
            .filter(document_type=document_type, document_id=document_id).first())


def request_rounds(request: ApprovalRequest) -> list[dict]:
    """Every round with its steps and each approver's decision and opinion, newest round first."""
    steps = list(request.steps.order_by("round", "step", "id"))
    tasks = list(ApprovalTask.objects.filter(request=request).select_related("approver", "on_behalf_of")
                 .order_by("id"))
    by_step: dict[int, list] = {}
    for task in tasks:
        by_step.setdefault(task.step_id, []).append(task)
    rounds: dict[int, list] = {}
    for step in steps:
        step.assignments = by_step.get(step.pk, [])
        rounds.setdefault(step.round, []).append(step)
    return [{"round": n, "steps": rounds[n]} for n in sorted(rounds, reverse=True)]


def request_events(request: ApprovalRequest) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type="approvals.approvalrequest", object_id=str(request.pk)).order_by("at", "id")


def my_task_in(request: ApprovalRequest, user) -> ApprovalTask | None:
    return (ApprovalTask.objects.filter(request=request, approver=user, status=TaskStatus.PENDING)
            .select_related("step").first())


def policy_list(*, user) -> QuerySet[ApprovalPolicy]:
    if not has_capability(user, "approvals.view_policies"):
        raise PermissionRefused()
    return ApprovalPolicy.objects.prefetch_related("stages").order_by("document_type", "priority", "code")


def policy_get(*, user, code: str) -> ApprovalPolicy:
    policy = policy_list(user=user).filter(code=code).first()
    if policy is None:
        raise NotFound(_("Approval policy not found."))
    return policy


def delegations(*, user) -> QuerySet[Delegation]:
    return Delegation.objects.filter(Q(user=user) | Q(delegate=user)).select_related("user", "delegate")


def waiting_on(requests) -> dict[int, list[ApprovalTask]]:
    """Who each pending request waits for: the open tasks of its current step, for a whole page in one query."""
    ids = [r.pk for r in requests if r.status == "pending"]
    if not ids:
        return {}
    waiting: dict[int, list[ApprovalTask]] = {}
    for task in (ApprovalTask.objects.filter(request_id__in=ids, status=TaskStatus.PENDING)
                 .select_related("step", "approver", "on_behalf_of").order_by("step__step", "step_id", "id")):
        waiting.setdefault(task.request_id, []).append(task)
    return waiting


def opinions_before(tasks) -> dict[int, list[ApprovalTask]]:
    """For a page of tasks, the opinions already signed in their requests' current rounds (R13: the GM decides A9
    "对上报的资料及意见"), one query for the whole page."""
    from .models import DECIDED_TASK_STATUSES, StageKind

    rounds = {(t.request_id, t.request.round) for t in tasks if t.status == TaskStatus.PENDING}
    if not rounds:
        return {}
    found: dict[int, list[ApprovalTask]] = {}
    rows = (ApprovalTask.objects.filter(request_id__in={r for r, _n in rounds}, step__kind=StageKind.OPINION,
                                        status__in=DECIDED_TASK_STATUSES)
            .select_related("step", "approver").order_by("step__step", "step_id", "id"))
    for task in rows:
        if (task.request_id, task.step.round) in rounds:
            found.setdefault(task.request_id, []).append(task)
    return found
