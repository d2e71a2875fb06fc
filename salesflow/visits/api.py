"""/api/v1/visit-plans, /api/v1/visit-logs and /api/v1/today: the same scope and services as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from salesflow.crm.api import CappedPagination, ErrorOut

from . import selectors, services

plans_router = Router(tags=["visits"])
logs_router = Router(tags=["visits"])
today_router = Router(tags=["visits"])
work_logs_router = Router(tags=["visits"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- schemas -------------------------------------------------------------------------------------------

class PlanOut(Schema):
    id: int
    owner_id: int
    owner_name: str
    unit_id: int | None
    period: str
    label: str
    starts_on: date
    ends_on: date
    focus: str
    status: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by_id: int | None
    review_comment: str
    item_count: int | None = None


class ItemOut(Schema):
    id: int
    customer_id: int | None
    lead_id: int | None
    target: str
    name: str
    planned_on: date
    purpose: str
    kind: str
    added_by_id: int | None
    state: str | None = Field(None, description="done | missed | pending (planned vs done)")


class ProgressOut(Schema):
    planned: int
    done: int
    missed: int
    pending: int
    unplanned: int
    rate: int | None = Field(None, description="done as a % of the planned visits whose day has come")


class PlanDetailOut(PlanOut):
    items: list[ItemOut]
    progress: ProgressOut


class ItemIn(Schema):
    customer_id: int | None = None
    lead_id: int | None = None
    target: str = Field("", description="whom to visit when it is neither a customer nor a lead yet")
    planned_on: date
    purpose: str = ""
    kind: str = Field("", description="new | return (default: return for a customer, new otherwise)")


class ItemAddIn(ItemIn):
    comment: str = Field("", description="required when a supervisor or manager adjusts a submitted plan")


class ItemPatchIn(Schema):
    customer_id: int | None = None
    lead_id: int | None = None
    target: str | None = None
    planned_on: date | None = None
    purpose: str | None = None
    kind: str | None = None
    comment: str = ""


class PlanIn(Schema):
    period: str = Field(..., description="month | week | day")
    day: date = Field(..., description="any day of the period")
    focus: str = ""
    items: list[ItemIn] = []


class PlanFilterIn(Schema):
    period: str = ""
    status: str = ""
    owner: int | None = None
    mine: bool = False
    current: bool = False


class CommentIn(Schema):
    comment: str = ""


class SheetIn(Schema):
    """The target-customer sheet's answers given with a customer visit (R17); a field left out stays as it is,
    an empty one clears the answer."""

    needs: str | None = None
    decision_makers: str | None = None
    company_size: str | None = Field(None, description="micro | small | medium | large, or empty")
    purchase_timeline: str | None = Field(None, description="month | quarter | half_year | year | undecided, or empty")
    competitors: str | None = None


class LocationIn(Schema):
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy: float | None = Field(None, description="metres, from the Geolocation API")


class LogIn(Schema):
    kind: str = Field("", description="new | return")
    customer_id: int | None = None
    lead_id: int | None = None
    opportunity_id: int | None = None
    planned_visit_id: int | None = None
    visited_at: datetime | None = Field(None, description="default: now")
    contact_name: str = ""
    outcome: str
    next_step: str = ""
    next_followup_on: date | None = None
    notes: str = ""
    address: str = ""
    location: LocationIn | None = Field(None, description="omit when the user did not allow the location")
    sheet: SheetIn | None = Field(None, description="the target-customer sheet, updated on the customer (R17)")


class LogOut(Schema):
    id: int
    owner_id: int
    owner_name: str
    kind: str
    customer_id: int | None
    customer_name: str | None
    lead_id: int | None
    opportunity_id: int | None
    planned_visit_id: int | None
    visited_at: datetime
    visited_on: date
    contact_name: str
    outcome: str
    next_step: str
    next_followup_on: date | None
    notes: str
    checked_in_at: datetime
    latitude: Decimal | None
    longitude: Decimal | None
    accuracy_m: int | None
    has_location: bool
    address: str


class LogFilterIn(Schema):
    kind: str = ""
    owner: int | None = None
    customer: int | None = None
    mine: bool = False
    date_from: date | None = None
    date_to: date | None = None
    located: str = Field("", description="yes | no")


class TodayPlannedOut(Schema):
    id: int
    plan_id: int
    customer_id: int | None
    lead_id: int | None
    name: str
    purpose: str
    kind: str
    done: bool


class TodayFollowupOut(Schema):
    customer_id: int | None = None
    lead_id: int | None = None
    name: str
    due_on: date
    overdue: bool


class TodayLeadOut(Schema):
    lead_id: int
    name: str
    assigned_at: datetime | None
    deadline: datetime | None
    overdue: bool


class TodayOut(Schema):
    day: date
    planned: list[TodayPlannedOut]
    followups: list[TodayFollowupOut]
    leads_to_contact: list[TodayLeadOut]
    done: list[LogOut]


# --- visit plans ---------------------------------------------------------------------------------------

def _plan_detail(request, plan_id: int) -> dict:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    items = selectors.plan_items(plan)
    progress = selectors.plan_progress(plan, items)
    out = PlanOut.from_orm(plan).dict()
    out["items"] = [ItemOut.from_orm(i).dict() | {"state": progress.states.get(i.pk)} for i in items]
    out["progress"] = {k: getattr(progress, k) for k in ("planned", "done", "missed", "pending", "unplanned", "rate")}
    return out


@plans_router.get("", response=list[PlanOut])
@paginate(CappedPagination, page_size=50, max_page_size=200)
def list_plans(request, filters: Query[PlanFilterIn]):
    """Visit plans in the caller's data scope (a rep: their own; a supervisor or manager: their unit's)."""
    return selectors.plan_list(user=request.user, filters=selectors.PlanFilters(**filters.dict()))


@plans_router.post("", response={201: PlanDetailOut, **ERRORS})
def create_plan(request, payload: PlanIn):
    """A plan of the caller's own, with its planned visits (all or nothing)."""
    with transaction.atomic():
        plan = services.plan_create(by=request.user, period=payload.period, day=payload.day, focus=payload.focus)
        for item in payload.items:
            services.plan_item_add(by=request.user, plan=plan, data=item.dict())
    return Status(201, _plan_detail(request, plan.pk))


@plans_router.get("/{plan_id}", response={200: PlanDetailOut, 403: ErrorOut, 404: ErrorOut})
def get_plan(request, plan_id: int):
    return _plan_detail(request, plan_id)


@plans_router.post("/{plan_id}/items", response={201: ItemOut, **ERRORS})
def add_item(request, plan_id: int, payload: ItemAddIn):
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    data = payload.dict()
    comment = data.pop("comment")
    item = services.plan_item_add(by=request.user, plan=plan, data=data, comment=comment)
    return Status(201, item)


@plans_router.patch("/{plan_id}/items/{item_id}", response={200: ItemOut, **ERRORS})
def update_item(request, plan_id: int, item_id: int, payload: ItemPatchIn):
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    data = payload.dict(exclude_unset=True)
    comment = data.pop("comment", "")
    return services.plan_item_update(by=request.user, plan=plan, item_id=item_id, data=data, comment=comment)


@plans_router.delete("/{plan_id}/items/{item_id}", response={204: None, **ERRORS})
def remove_item(request, plan_id: int, item_id: int, comment: str = ""):
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    services.plan_item_remove(by=request.user, plan=plan, item_id=item_id, comment=comment)
    return Status(204, None)


@plans_router.post("/{plan_id}/submit", response={200: PlanDetailOut, **ERRORS})
def submit_plan(request, plan_id: int):
    services.plan_submit(by=request.user, plan=selectors.plan_get(user=request.user, plan_id=plan_id))
    return _plan_detail(request, plan_id)


@plans_router.post("/{plan_id}/approve", response={200: PlanDetailOut, **ERRORS})
def approve_plan(request, plan_id: int, payload: CommentIn):
    services.plan_approve(by=request.user, plan=selectors.plan_get(user=request.user, plan_id=plan_id),
                          comment=payload.comment)
    return _plan_detail(request, plan_id)


@plans_router.post("/{plan_id}/return", response={200: PlanDetailOut, **ERRORS})
def return_plan(request, plan_id: int, payload: CommentIn):
    services.plan_return(by=request.user, plan=selectors.plan_get(user=request.user, plan_id=plan_id),
                         comment=payload.comment)
    return _plan_detail(request, plan_id)


# --- visit logs ----------------------------------------------------------------------------------------

@logs_router.get("", response=list[LogOut])
@paginate(CappedPagination, page_size=50, max_page_size=200)
def list_logs(request, filters: Query[LogFilterIn]):
    return selectors.log_list(user=request.user, filters=selectors.LogFilters(**filters.dict()))


@logs_router.post("", response={201: LogOut, **ERRORS})
def create_log(request, payload: LogIn):
    """Log a visit; the check-in time is the server's clock. Updates the customer's last contact and next
    follow-up in the same transaction (R17)."""
    data = payload.dict()
    data["location"] = data.get("location") or None
    data["sheet"] = payload.sheet.dict(exclude_unset=True) if payload.sheet is not None else None
    log = services.visit_log_create(by=request.user, data=data)
    return Status(201, selectors.log_get(user=request.user, log_id=log.pk))


@logs_router.get("/{log_id}", response={200: LogOut, 403: ErrorOut, 404: ErrorOut})
def get_log(request, log_id: int):
    return selectors.log_get(user=request.user, log_id=log_id)


# --- today ---------------------------------------------------------------------------------------------

@today_router.get("", response={200: TodayOut, 403: ErrorOut})
def today(request):
    """The caller's day (今日待办): planned visits, follow-ups due today or overdue, leads waiting for a first
    contact with their deadline, and the visits already logged today."""
    t = selectors.today_for(user=request.user)
    followups = [{"customer_id": c.pk, "name": c.name, "due_on": c.next_followup_on, "overdue": late}
                 for c, late in t.followups]
    followups += [{"lead_id": log.lead_id, "name": log.lead.name, "due_on": log.next_followup_on, "overdue": late}
                  for log, late in t.lead_followups]
    return {
        "day": t.day,
        "planned": [{"id": i.pk, "plan_id": i.plan_id, "customer_id": i.customer_id, "lead_id": i.lead_id,
                     "name": i.target_name, "purpose": i.purpose, "kind": i.kind, "done": done}
                    for i, done in t.planned],
        "followups": followups,
        "leads_to_contact": [{"lead_id": lead.pk, "name": lead.name, "assigned_at": lead.assigned_at,
                              "deadline": deadline, "overdue": late} for lead, deadline, late in t.leads],
        "done": t.done,
    }


# --- daily work logs (工作日志) ---------------------------------------------------------------------------

class WorkLogOut(Schema):
    id: int
    owner_id: int
    owner_name: str
    unit_id: int | None
    day: date
    summary: str
    call_count: int
    calls: str
    meetings: str
    documents: str
    problems: str
    tomorrow_plan: str
    status: str
    submitted_at: datetime | None
    submitted_late: bool
    reviewed_at: datetime | None
    reviewed_by_id: int | None
    review_comment: str
    visit_count: int = Field(0, description="visits the rep logged that day")


class WorkLogDetailOut(WorkLogOut):
    visits: list[LogOut] = Field(..., description="the visits of the day, folded into the log")


class WorkLogIn(Schema):
    day: date = Field(..., description="the day the log is for (not in the future)")
    summary: str | None = None
    call_count: int | None = None
    calls: str | None = None
    meetings: str | None = None
    documents: str | None = None
    problems: str | None = None
    tomorrow_plan: str | None = None
    submit: bool = Field(False, description="hand it in to the supervisor after saving")


class WorkLogFilterIn(Schema):
    owner: int | None = None
    status: str = ""
    mine: bool = False
    date_from: date | None = None
    date_to: date | None = None
    waiting: bool = False
    overdue: bool = False


def _work_log_detail(request, log_id: int) -> dict:
    log = selectors.work_log_get(user=request.user, log_id=log_id)
    visits = selectors.work_log_visits(owner_id=log.owner_id, day=log.day)
    out = WorkLogOut.from_orm(log).dict()
    out["visit_count"] = len(visits)
    out["visits"] = [LogOut.from_orm(v).dict() for v in visits]
    return out


@work_logs_router.get("", response=list[WorkLogOut])
@paginate(CappedPagination, page_size=50, max_page_size=200)
def list_work_logs(request, filters: Query[WorkLogFilterIn]):
    """Work logs in the caller's scope (a rep: their own; a supervisor or manager: their unit's), newest day
    first, each with the number of visits of that day."""
    return selectors.work_log_list(user=request.user, filters=selectors.WorkLogFilters(**filters.dict()))


@work_logs_router.post("", response={200: WorkLogDetailOut, **ERRORS})
def save_work_log(request, payload: WorkLogIn):
    """Write (or go on writing) the caller's own log of a day; only the fields sent change. With ``submit`` it
    is handed in in the same transaction."""
    data = payload.dict(exclude_unset=True)
    data.pop("day", None)
    submit = data.pop("submit", False)
    with transaction.atomic():
        log = services.work_log_save(by=request.user, day=payload.day, data=data)
        if submit:
            services.work_log_submit(by=request.user, log=log)
    return _work_log_detail(request, log.pk)


@work_logs_router.get("/{log_id}", response={200: WorkLogDetailOut, 403: ErrorOut, 404: ErrorOut})
def get_work_log(request, log_id: int):
    return _work_log_detail(request, log_id)


@work_logs_router.post("/{log_id}/submit", response={200: WorkLogDetailOut, **ERRORS})
def submit_work_log(request, log_id: int):
    services.work_log_submit(by=request.user, log=selectors.work_log_get(user=request.user, log_id=log_id))
    return _work_log_detail(request, log_id)


@work_logs_router.post("/{log_id}/review", response={200: WorkLogDetailOut, **ERRORS})
def review_work_log(request, log_id: int, payload: CommentIn):
    services.work_log_review(by=request.user, log=selectors.work_log_get(user=request.user, log_id=log_id),
                             comment=payload.comment)
    return _work_log_detail(request, log_id)


@work_logs_router.post("/{log_id}/return", response={200: WorkLogDetailOut, **ERRORS})
def return_work_log(request, log_id: int, payload: CommentIn):
    services.work_log_return(by=request.user, log=selectors.work_log_get(user=request.user, log_id=log_id),
                             comment=payload.comment)
    return _work_log_detail(request, log_id)
