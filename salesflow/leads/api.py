"""/api/v1/leads: list, create (web forms and partner systems), get, and one endpoint per action."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from salesflow.core.parsers import Money
from salesflow.crm.api import CappedPagination, ErrorOut
from salesflow.org.selectors import unit_named, user_named

from . import selectors, services
from .selectors import LeadFilters, lead_phone

router = Router(tags=["leads"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class LeadOut(Schema):
    id: int
    name: str
    contact_name: str
    phone: str
    credit_code: str
    province: str
    city: str
    industry: str
    channel: str
    campaign: str
    need_notes: str
    estimated_amount: Money
    need: str
    purchasing_power: str
    credit: str
    score: int | None
    status: str
    owner_id: int | None
    owner_name: str | None = None
    unit_id: int | None
    in_pool: bool
    assigned_at: datetime | None
    contacted_at: datetime | None
    overdue_at: datetime | None
    customer_id: int | None
    opportunity_id: int | None
    created_at: datetime
    actions: list[str] = Field([], description="what the caller may do to the lead now (its declared permits): "
                                                "claim, contact, screen, assign, convert, release, log_visit")

    @staticmethod
    def resolve_owner_name(obj) -> str | None:
        return obj.owner.display_name if obj.owner_id else None

    @staticmethod
    def resolve_actions(obj, context) -> list[str]:
        return obj.actions(by=context["request"].user)

    @staticmethod
    def resolve_phone(obj, context) -> str:
        # Masked unless the caller owns the lead: a pool lead's number is shown in full only once claimed.
        return lead_phone(context["request"].user, obj)


class LeadIn(Schema):
    name: str
    contact_name: str = ""
    phone: str = ""
    credit_code: str = ""
    province: str = ""
    city: str = ""
    industry: str = ""
    channel: str = ""
    campaign: str = ""
    need_notes: str = ""
    estimated_amount: Money = Decimal("0")
    owner_id: int | None = Field(None, description="assign at once; empty = the lead waits in the pool")
    confirm_duplicates: bool = False


class FilterIn(Schema):
    q: str = ""
    status: str = ""
    channel: str = ""
    owner: int | None = None
    province: str = ""
    campaign: str = ""
    mine: bool = False
    overdue: bool = False
    pool: bool = False
    sort: str = "-created"


class AssignIn(Schema):
    mode: str = Field("manual", description="manual | round_robin | territory")
    owner_id: int | None = None
    team_id: int | None = None
    note: str = ""


class ScreenIn(Schema):
    need: str
    purchasing_power: str
    credit: str
    note: str = ""


class ConvertIn(Schema):
    customer_id: int | None = Field(None, description="attach to this existing customer instead of creating one")
    opportunity_name: str = ""
    amount: Money | None = None
    expected_close: date | None = None
    confirm_duplicates: bool = False


def _get(request, lead_id: int):
    return selectors.lead_get(user=request.user, lead_id=lead_id)


@router.get("", response=list[LeadOut])
@paginate(CappedPagination, page_size=50, max_page_size=200)
def list_leads(request, filters: Query[FilterIn]):
    """Leads in the caller's data scope (plus their units' pool); `pool=true` lists only the pool."""
    data = filters.dict()
    pool = data.pop("pool")
    f = LeadFilters(**data)
    return selectors.lead_pool(user=request.user, filters=f) if pool else selectors.lead_list(user=request.user,
                                                                                            filters=f)


@router.post("", response={201: LeadOut, **ERRORS})
def create_lead(request, payload: LeadIn):
    data = payload.dict()
    owner_id = data.pop("owner_id")
    confirm = data.pop("confirm_duplicates")
    owner = user_named(owner_id, active_only=True) if owner_id else None
    lead = services.lead_create(by=request.user, data=data, owner=owner, confirm_duplicates=confirm)
    return Status(201, _get(request, lead.pk))


@router.get("/{lead_id}", response={200: LeadOut, 403: ErrorOut, 404: ErrorOut})
def get_lead(request, lead_id: int):
    return _get(request, lead_id)


@router.post("/{lead_id}/claim", response={200: LeadOut, **ERRORS})
def claim_lead(request, lead_id: int):
    services.lead_claim(by=request.user, lead=_get(request, lead_id))
    return _get(request, lead_id)


@router.post("/{lead_id}/release", response={200: LeadOut, **ERRORS})
def release_lead(request, lead_id: int):
    services.lead_release(by=request.user, lead=_get(request, lead_id))
    return _get(request, lead_id)


@router.post("/{lead_id}/contacted", response={200: LeadOut, **ERRORS})
def contacted_lead(request, lead_id: int):
    services.lead_mark_contacted(by=request.user, lead=_get(request, lead_id))
    return _get(request, lead_id)


@router.post("/{lead_id}/assign", response={200: LeadOut, **ERRORS})
def assign_lead(request, lead_id: int, payload: AssignIn):
    lead = _get(request, lead_id)
    owner = user_named(payload.owner_id) if payload.owner_id else None
    team = unit_named(payload.team_id) if payload.team_id else None
    services.lead_assign(by=request.user, lead=lead, mode=payload.mode, owner=owner, team=team, note=payload.note)
    return _get(request, lead_id)


@router.post("/{lead_id}/screen", response={200: LeadOut, **ERRORS})
def screen_lead(request, lead_id: int, payload: ScreenIn):
    services.lead_screen(by=request.user, lead=_get(request, lead_id), need=payload.need,
                         purchasing_power=payload.purchasing_power, credit=payload.credit, note=payload.note)
    return _get(request, lead_id)


@router.post("/{lead_id}/convert", response={200: LeadOut, **ERRORS})
def convert_lead(request, lead_id: int, payload: ConvertIn):
    opportunity = {"name": payload.opportunity_name, "amount": payload.amount,
                   "expected_close": payload.expected_close}
    services.lead_convert(by=request.user, lead=_get(request, lead_id), customer_id=payload.customer_id,
                          opportunity=opportunity, confirm_duplicates=payload.confirm_duplicates)
    return _get(request, lead_id)
