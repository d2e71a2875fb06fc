from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from salesflow.core.errors import NotFound
from salesflow.core.pagination import PageNumberPagination
from salesflow.core.parsers import Money, Percent

from . import policies, selectors, services
from .registry import DOCUMENT_LABELS

router = Router(tags=["approvals"])
policy_router = Router(tags=["approvals"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict


class TaskOut(Schema):
    id: int
    request_id: int
    document_type: str
    document_label: str
    document_id: int
    title: str
    amount: Money | None
    discount_percent: Percent | None
    requester: str
    stage: str
    stage_kind: str = Field(description="gate (approve/reject) or opinion (agree/disagree, always forwarded)")
    status: str = Field(description="pending, approved, rejected, agreed, disagreed or cancelled")
    by_submission: bool = Field(description="the requester holds the stage's lane: submitting was the decision")
    on_behalf_of: str | None
    escalated: bool
    due_at: datetime | None
    overdue: bool
    opinion: str
    decided_at: datetime | None

    @staticmethod
    def resolve_document_type(obj) -> str:
        return obj.request.document_type

    @staticmethod
    def resolve_document_label(obj) -> str:
        return str(DOCUMENT_LABELS.get(obj.request.document_type, obj.request.document_type))

    @staticmethod
    def resolve_document_id(obj) -> int:
        return obj.request.document_id

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.request.title

    @staticmethod
    def resolve_amount(obj):
        return obj.request.amount

    @staticmethod
    def resolve_discount_percent(obj):
        return obj.request.discount_percent

    @staticmethod
    def resolve_requester(obj) -> str:
        return obj.request.requester.display_name

    @staticmethod
    def resolve_stage(obj) -> str:
        return obj.step.name

    @staticmethod
    def resolve_stage_kind(obj) -> str:
        return obj.step.kind

    @staticmethod
    def resolve_on_behalf_of(obj):
        return obj.on_behalf_of.display_name if obj.on_behalf_of_id else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        from django.utils import timezone

        return obj.status == "pending" and obj.due_at is not None and obj.due_at < timezone.now()


class DecisionIn(Schema):
    opinion: str = ""


@router.get("", response=list[TaskOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=200)
def list_tasks(request, box: str = "inbox", document_type: str = "", overdue: bool = False, q: str = ""):
    """`box=inbox` (default): my pending approvals, earliest deadline first; `box=history`: what I decided."""
    if box == "history":
        return selectors.history(user=request.user)
    return selectors.inbox(user=request.user, filters=selectors.InboxFilters(
        document_type=document_type, overdue=overdue, q=q[:100]))


def _task(request, task_id):
    task = selectors.task_get(user=request.user, task_id=task_id)
    if task is None:
        raise NotFound()
    return task


@router.post("/{task_id}/approve", response={200: TaskOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def approve(request, task_id: int, payload: DecisionIn):
    """Approve a gate, or agree on an opinion stage (the opinion is then required)."""
    services.approval_decide(by=request.user, task_id=task_id, approve=True, opinion=payload.opinion)
    return _task(request, task_id)


@router.post("/{task_id}/reject", response={200: TaskOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def reject(request, task_id: int, payload: DecisionIn):
    """Reject a gate (the document goes back to its author), or disagree on an opinion stage (the papers still go
    up with the opinion). Both need the opinion."""
    services.approval_decide(by=request.user, task_id=task_id, approve=False, opinion=payload.opinion)
    return _task(request, task_id)


class StageOut(Schema):
    step: int
    name: str
    rule: str
    role: str
    mode: str
    kind: str
    deadline_days: int | None


class PolicyOut(Schema):
    code: str
    name: str
    document_type: str
    description: str
    regulation: str
    conditions: list
    priority: int
    escalation: dict
    escalation_grace_hours: int
    same_day_cutoff: str
    is_active: bool
    version: int
    stages: list[StageOut]

    @staticmethod
    def resolve_same_day_cutoff(obj) -> str:
        return obj.same_day_cutoff.strftime("%H:%M")

    @staticmethod
    def resolve_stages(obj):
        return list(obj.stages.all())


class PolicyIn(Schema):
    code: str
    name: str
    document_type: str
    description: str = ""
    regulation: str = ""
    conditions: list = []
    priority: int = 100
    escalation: dict = {}
    escalation_grace_hours: int = 4
    same_day_cutoff: str = "16:00"
    is_active: bool = True
    stages: list[dict]


@policy_router.get("", response={200: list[PolicyOut], 403: ErrorOut})
def list_policies(request):
    return list(selectors.policy_list(user=request.user))


@policy_router.get("/{code}", response={200: PolicyOut, 403: ErrorOut, 404: ErrorOut})
def get_policy(request, code: str):
    return selectors.policy_get(user=request.user, code=code)


@policy_router.post("", response={200: PolicyOut, 400: ErrorOut, 403: ErrorOut})
def save_policy(request, payload: PolicyIn):
    """Create or replace a policy by code (admins). Requests already under way keep their stages."""
    return policies.policy_save(by=request.user, data=payload.dict())
