"""Page parts of the approval engine that documents' own pages embed (with ``approvals/_approval_block.html``)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import selectors
from .flowchart import flowchart_svg, lane_label
from .models import DECIDED_TASK_STATUSES, RequestStatus, StageKind, StepStatus
from .registry import DOCUMENT_LABELS, REGISTRY


def document_label(document_type: str) -> str:
    return str(DOCUMENT_LABELS.get(document_type, document_type))


def document_url(approval) -> str:
    """The document's own page; documents without pages yet (declared types) fall back to the request."""
    adapter = REGISTRY.get(approval.document_type)
    if adapter is None:
        return reverse("approvals:request_detail", args=[approval.pk])
    return adapter.url(approval.document_id)


def _duration(seconds: float) -> str:
    if seconds < 3600:
        n = max(1, int(seconds // 60))
        return ngettext("{n} minute", "{n} minutes", n).format(n=n)
    if seconds < 48 * 3600:
        n = int(seconds // 3600)
        return ngettext("{n} hour", "{n} hours", n).format(n=n)
    n = int(seconds // 86400)
    return ngettext("{n} day", "{n} days", n).format(n=n)


def countdown(due_at, now) -> tuple[str, bool]:
    """("3 hours left", False) or ("Overdue by 2 hours", True): computed on the server, no script needed."""
    if due_at is None:
        return "", False
    seconds = (due_at - now).total_seconds()
    if seconds < 0:
        return _("Overdue by {time}").format(time=_duration(-seconds)), True
    return _("{time} left").format(time=_duration(seconds)), False


def approval_block(approval, *, user) -> dict:
    """What a page shows of one request: its rounds, its chart with the current step, and the viewer's task.
    Shared by the request page and the documents' own pages (the discount request)."""
    rounds = selectors.request_rounds(approval)
    latest = rounds[0]["steps"] if rounds else []
    now = timezone.now()
    for step in latest:
        step.is_overdue = step.status == StepStatus.ACTIVE and step.due_at is not None and step.due_at < now
    for rnd in rounds:
        for step in rnd["steps"]:
            step.approver_label = lane_label(step.rule, step.role)
    current = {approval.current_step} if approval.status == RequestStatus.PENDING and approval.current_step else set()
    done = {s.step for s in latest if s.status in (StepStatus.APPROVED, StepStatus.OPINED)}
    # 002 A9 "对上报的资料及意见进行审批": the opinions of the latest round's review stages (C9 ∥ B9), side by side.
    opinions = [
        {"stage": step.name, "task": t}
        for step in latest if step.kind == StageKind.OPINION
        for t in step.assignments if t.status in DECIDED_TASK_STATUSES
    ]
    task = selectors.my_task_in(approval, user)
    if task is not None:
        task.countdown, task.is_overdue = countdown(task.due_at, now)
    return {
        "approval": approval, "rounds": rounds, "my_task": task, "opinions": opinions,
        "flowchart": flowchart_svg(latest, current_steps=current, done_steps=done - current),
        "document_label": document_label(approval.document_type), "document_url": document_url(approval),
    }
