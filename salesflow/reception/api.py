"""/api/v1/reception-records and /api/v1/prospects: list, create, get, update, and one endpoint per action."""

from datetime import date, datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from salesflow.core.errors import ValidationFailed
from salesflow.crm.api import CappedPagination, ErrorOut
from salesflow.org.selectors import user_find

from . import selectors, services

records_router = Router(tags=["reception"])
prospects_router = Router(tags=["prospects"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


# --- reception records -------------------------------------------------------------------------------------

class RecordOut(Schema):
    id: int
    received_at: datetime
    channel: str
    visitor_names: str
    visitor_count: int
    company: str
    phone: str = Field("", description="in full for the consultant who received the visitors, masked for others")
    questions: str
    explained: str
    intent: str
    next_step: str
    next_step_on: date | None
    customer_id: int | None
    opportunity_id: int | None
    prospect_id: int | None
    owner_id: int
    owner_name: str = ""
    unit_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj.owner.display_name

    @staticmethod
    def resolve_phone(obj, context) -> str:
        return selectors.visitor_phone(context["request"].user, obj)


class RecordIn(Schema):
    received_at: datetime
    channel: str = "walk_in"
    visitor_names: str
    visitor_count: int = 1
    company: str = ""
    phone: str = ""
    questions: str = ""
    explained: str = ""
    intent: str = Field("undecided", description="yes | no | undecided")
    next_step: str = ""
    next_step_on: date | None = None
    customer_id: int | None = None
    opportunity_id: int | None = None
    prospect_id: int | None = None
    owner_id: int | None = Field(None, description="the consultant who received them; default: the caller")


class RecordPatch(Schema):
    received_at: datetime | None = None
    channel: str | None = None
    visitor_names: str | None = None
    visitor_count: int | None = None
    company: str | None = None
    phone: str | None = None
    questions: str | None = None
    explained: str | None = None
    intent: str | None = None
    next_step: str | None = None
    next_step_on: date | None = None
    customer_id: int | None = None
    opportunity_id: int | None = None
    prospect_id: int | None = None


class RecordFilterIn(Schema):
    q: str = ""
    intent: str = ""
    channel: str = ""
    owner: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    customer: int | None = None
    prospect: int | None = None
    unregistered: bool = False


def _record(request, record_id: int):
    return selectors.reception_get(user=request.user, record_id=record_id)


@records_router.get("", response=list[RecordOut])
@paginate(CappedPagination, page_size=50, max_page_size=200)
def list_records(request, filters: Query[RecordFilterIn]):
    """Reception records in the caller's data scope, newest first."""
    return selectors.reception_list(user=request.user, filters=selectors.ReceptionFilters(**filters.dict()))


@records_router.post("", response={201: RecordOut, **ERRORS})
def create_record(request, payload: RecordIn):
    data = payload.dict()
    owner_id = data.pop("owner_id")
    owner = None
    if owner_id:
        owner = user_find(owner_id, active_only=True)
        if owner is None:
            raise Http404
    record = services.reception_create(by=request.user, data=data, owner=owner)
    return Status(201, _record(request, record.pk))


@records_router.get("/{record_id}", response={200: RecordOut, 403: ErrorOut, 404: ErrorOut})
def get_record(request, record_id: int):
    return _record(request, record_id)


@records_router.patch("/{record_id}", response={200: RecordOut, **ERRORS})
def update_record(request, record_id: int, payload: RecordPatch):
    _record(request, record_id)  # another rep's record: 404 before any role check
    services.reception_update(by=request.user, record_id=record_id, data=payload.dict(exclude_unset=True))
    return _record(request, record_id)


# --- prospects ---------------------------------------------------------------------------------------------

class ProspectOut(Schema):
    id: int
    name: str
    contact_name: str
    phone: str = ""
    credit_code: str
    province: str
    city: str
    industry: str
    source: str
    needs: str
    intent: str
    status: str
    consultant_id: int
    consultant_name: str = ""
    unit_id: int | None
    registered_by_id: int | None
    registered_at: datetime
    confirmed_by_id: int | None
    confirmed_at: datetime | None
    customer_id: int | None
    customer_filed_at: datetime | None
    won_opportunity_id: int | None
    deal_done_at: datetime | None
    service_owner_id: int | None
    handed_over_by_id: int | None
    handed_over_at: datetime | None
    dropped_at: datetime | None
    drop_reason: str

    @staticmethod
    def resolve_consultant_name(obj) -> str:
        return obj.consultant.display_name

    @staticmethod
    def resolve_phone(obj, context) -> str:
        return selectors.visitor_phone(context["request"].user, obj)


class ProspectIn(Schema):
    name: str
    contact_name: str = ""
    phone: str = ""
    credit_code: str = ""
    province: str = ""
    city: str = ""
    industry: str = ""
    source: str = ""
    needs: str = ""
    intent: str = Field("", description="yes | no | undecided; empty: from the latest reception record")
    consultant_id: int | None = Field(None, description="the consultant in charge; default: the caller")
    reception_ids: list[int] = []
    confirm_duplicates: bool = False


class ProspectFilterIn(Schema):
    q: str = ""
    status: str = ""
    consultant: int | None = None
    intent: str = ""


class NoteIn(Schema):
    note: str = ""


class CreateCustomerIn(Schema):
    customer_id: int | None = Field(None, description="attach to this existing customer instead of creating one")
    confirm_duplicates: bool = False


class HandOverIn(Schema):
    service_owner_id: int | None = Field(None, description="default: the customer-service supervisor of the "
                                                           "customer's unit or the nearest unit above it")
    note: str = ""


class DropIn(Schema):
    reason: str


def _prospect(request, prospect_id: int):
    return selectors.prospect_get(user=request.user, prospect_id=prospect_id)


@prospects_router.get("", response=list[ProspectOut])
@paginate(CappedPagination, page_size=50, max_page_size=200)
def list_prospects(request, filters: Query[ProspectFilterIn]):
    """Prospects in the caller's data scope (by consultant), newest first."""
    return selectors.prospect_list(user=request.user, filters=selectors.ProspectFilters(**filters.dict()))


@prospects_router.post("", response={201: ProspectOut, **ERRORS})
def register_prospect(request, payload: ProspectIn):
    data = payload.dict()
    consultant_id = data.pop("consultant_id")
    consultant = user_find(consultant_id) if consultant_id else request.user
    reception_ids = data.pop("reception_ids")
    confirm = data.pop("confirm_duplicates")
    prospect = services.prospect_register(by=request.user, data=data, consultant=consultant,
                                          reception_ids=reception_ids, confirm_duplicates=confirm)
    return Status(201, _prospect(request, prospect.pk))


@prospects_router.get("/{prospect_id}", response={200: ProspectOut, 403: ErrorOut, 404: ErrorOut})
def get_prospect(request, prospect_id: int):
    return _prospect(request, prospect_id)


@prospects_router.post("/{prospect_id}/confirm", response={200: ProspectOut, **ERRORS})
def confirm_prospect(request, prospect_id: int, payload: NoteIn):
    _prospect(request, prospect_id)  # another rep's prospect: 404 before any role check
    services.prospect_confirm(by=request.user, prospect_id=prospect_id, note=payload.note)
    return _prospect(request, prospect_id)


@prospects_router.post("/{prospect_id}/create-customer", response={200: ProspectOut, **ERRORS})
def create_customer(request, prospect_id: int, payload: CreateCustomerIn):
    _prospect(request, prospect_id)
    services.prospect_create_customer(by=request.user, prospect_id=prospect_id, customer_id=payload.customer_id,
                                      confirm_duplicates=payload.confirm_duplicates)
    return _prospect(request, prospect_id)


@prospects_router.post("/{prospect_id}/hand-over", response={200: ProspectOut, **ERRORS})
def hand_over(request, prospect_id: int, payload: HandOverIn):
    _prospect(request, prospect_id)
    service_owner = None
    if payload.service_owner_id:
        service_owner = user_find(payload.service_owner_id)
        if service_owner is None:
            raise ValidationFailed({"service_owner_id": [_("Choose an active customer-service supervisor.")]})
    services.prospect_hand_over(by=request.user, prospect_id=prospect_id, service_owner=service_owner,
                                note=payload.note)
    return _prospect(request, prospect_id)


@prospects_router.post("/{prospect_id}/drop", response={200: ProspectOut, **ERRORS})
def drop_prospect(request, prospect_id: int, payload: DropIn):
    _prospect(request, prospect_id)
    services.prospect_drop(by=request.user, prospect_id=prospect_id, reason=payload.reason)
    return _prospect(request, prospect_id)
