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
    customer_submitted_by_id: int | None = Field(None, description="E4: the consultant who built and sent the file")
    customer_submitted_at: datetime | None
    customer_submitted_note: str
    customer_filed_by_id: int | None = Field(None, description="D5: the supervisor who registered it")
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
    unconfirmed: bool = Field(False, description="only prospects the 营销主管 has not confirmed yet (D2.4)")


class NoteIn(Schema):
    note: str = ""


class SubmitFileIn(Schema):
    customer_id: int | None = Field(None, description="attach one of the consultant's own customers instead of "
                                                      "creating the file")
    note: str = Field("", description="what the consultant tells the supervisor")
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


# Declared before "/{prospect_id}": ninja matches the paths in the order they are added.
# --- the 营销主管 of each office (D2.4) ---------------------------------------------------------------------

class PersonOut(Schema):
    id: int
    name: str


class MarketingLeadOut(Schema):
    office_id: int
    office_name: str
    named: PersonOut | None = Field(None, description="the person the office named; null: the default applies")
    defaults: list[PersonOut] = Field(description="the sales supervisor(s) the function falls to without a name")


class MarketingLeadIn(Schema):
    user_id: int | None = Field(None, description="null: back to the default (the sales supervisor)")


def _person(user) -> dict:
    return {"id": user.pk, "name": user.display_name}


def _lead_out(row) -> dict:
    return {"office_id": row.office.pk, "office_name": row.office.name,
            "named": _person(row.named) if row.named else None, "defaults": [_person(u) for u in row.defaults]}


@prospects_router.get("/marketing-leads", response={200: list[MarketingLeadOut], 403: ErrorOut})
def list_marketing_leads(request):
    """The sales offices in the caller's scope with who holds the 营销主管 function (for those who name them)."""
    return [_lead_out(row) for row in selectors.marketing_lead_offices(user=request.user)]


@prospects_router.put("/marketing-leads/{office_id}", response={200: MarketingLeadOut, **ERRORS})
def set_marketing_lead(request, office_id: int, payload: MarketingLeadIn):
    user = None
    if payload.user_id:
        user = user_find(payload.user_id, active_only=True)
        if user is None:
            raise ValidationFailed({"user_id": [_("Choose an active sales supervisor or manager of this office or "
                                                  "above it.")]})
    services.office_marketing_lead_set(by=request.user, office_id=office_id, user=user)
    row = next(r for r in selectors.marketing_lead_offices(user=request.user) if r.office.pk == office_id)
    return _lead_out(row)


@prospects_router.get("/{prospect_id}", response={200: ProspectOut, 403: ErrorOut, 404: ErrorOut})
def get_prospect(request, prospect_id: int):
    return _prospect(request, prospect_id)


@prospects_router.post("/{prospect_id}/confirm", response={200: ProspectOut, **ERRORS})
def confirm_prospect(request, prospect_id: int, payload: NoteIn):
    _prospect(request, prospect_id)  # another rep's prospect: 404 before any role check
    services.prospect_confirm(by=request.user, prospect_id=prospect_id, note=payload.note)
    return _prospect(request, prospect_id)


@prospects_router.post("/{prospect_id}/submit-file", response={200: ProspectOut, **ERRORS})
def submit_file(request, prospect_id: int, payload: SubmitFileIn):
    """E4: the consultant in charge builds the customer file and sends it to the supervisor."""
    _prospect(request, prospect_id)
    services.prospect_submit_file(by=request.user, prospect_id=prospect_id, customer_id=payload.customer_id,
                                  note=payload.note, confirm_duplicates=payload.confirm_duplicates)
    return _prospect(request, prospect_id)


@prospects_router.post("/{prospect_id}/register-file", response={200: ProspectOut, **ERRORS})
def register_file(request, prospect_id: int, payload: NoteIn):
    """D5: the supervisor registers the consultant's customer file with the prospect's."""
    _prospect(request, prospect_id)
    services.prospect_register_file(by=request.user, prospect_id=prospect_id, note=payload.note)
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
