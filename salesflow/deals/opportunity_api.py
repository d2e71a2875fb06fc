"""/api/v1/opportunities and /api/v1/pipeline/summary: the same services, selectors and figures as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from salesflow.core.errors import ValidationFailed
from salesflow.core.parsers import Money
from salesflow.crm.api import CappedPagination

from . import funnel, selectors, services

router = Router(tags=["opportunities"])
pipeline_router = Router(tags=["pipeline"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict


class OpportunityOut(Schema):
    id: int
    name: str
    customer_id: int
    customer_name: str = Field(alias="customer.name")
    owner_id: int
    owner_name: str = Field(alias="owner.display_name")
    unit_id: int | None
    region_id: int | None
    stage: str
    amount: Money
    probability: int
    expected_close: date | None
    value_type: str
    selling_model: str
    products: str
    lost_reason_id: int | None
    won_by_id: int | None
    first_contact_at: datetime | None
    stage_entered_at: datetime | None
    closed_at: datetime | None
    created_at: datetime


class OpportunityDetailOut(OpportunityOut):
    checklist: dict
    competitor_ids: list[int]

    @staticmethod
    def resolve_competitor_ids(obj) -> list[int]:
        return [c.pk for c in obj.competitors.all()]


class OpportunityFilterIn(Schema):
    q: str = ""
    owner: int | None = None
    stage: str = ""
    region: int | None = None
    unit: int | None = None
    customer: int | None = None
    close_quarter: str = Field("", description="expected close in this quarter, e.g. 2026Q1")


class OpportunityIn(Schema):
    customer_id: int
    name: str
    amount: Money = Decimal("0")
    expected_close: date | None = None
    probability: int | None = None
    value_type: str = ""
    selling_model: str = ""
    products: str = ""


class OpportunityPatch(Schema):
    name: str | None = None
    amount: Money | None = None
    expected_close: date | None = None
    probability: int | None = None
    value_type: str | None = None
    selling_model: str | None = None
    products: str | None = None
    competitor_ids: list[int] | None = None


class MoveIn(Schema):
    stage: str


class LoseIn(Schema):
    reason_id: int
    competitor_id: int | None = None


def _get(request, opportunity_id: int):
    return selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)


@router.get("", response=list[OpportunityOut])
@paginate(CappedPagination, page_size=50, max_page_size=200)
def list_opportunities(request, filters: Query[OpportunityFilterIn]):
    """Opportunities in the caller's data scope. `count` stops at 10,001 (meaning more than 10,000)."""
    if filters.close_quarter and not selectors.quarter_range(filters.close_quarter):
        raise ValidationFailed({"close_quarter": [_("Enter a quarter such as 2026Q1.")]})
    return selectors.opportunity_list(user=request.user, filters=selectors.OpportunityFilters(**filters.dict()))


@router.post("", response={201: OpportunityDetailOut, 400: ErrorOut, 403: ErrorOut})
def create_opportunity(request, payload: OpportunityIn):
    data = payload.dict(exclude_none=True)
    opportunity = services.opportunity_create(by=request.user, customer_id=data.pop("customer_id"), data=data)
    return Status(201, _get(request, opportunity.pk))


@router.get("/{opportunity_id}", response={200: OpportunityDetailOut, 403: ErrorOut, 404: ErrorOut})
def get_opportunity(request, opportunity_id: int):
    return _get(request, opportunity_id)


@router.patch("/{opportunity_id}", response={200: OpportunityDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def update_opportunity(request, opportunity_id: int, payload: OpportunityPatch):
    services.opportunity_update(by=request.user, opportunity_id=opportunity_id, data=payload.dict(exclude_unset=True))
    return _get(request, opportunity_id)


@router.post("/{opportunity_id}/move",
             response={200: OpportunityDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def move_opportunity(request, opportunity_id: int, payload: MoveIn):
    services.opportunity_move(by=request.user, opportunity_id=opportunity_id, to_stage=payload.stage)
    return _get(request, opportunity_id)


@router.post("/{opportunity_id}/win", response={200: OpportunityDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def win_opportunity(request, opportunity_id: int):
    services.opportunity_win(by=request.user, opportunity_id=opportunity_id)
    return _get(request, opportunity_id)


@router.post("/{opportunity_id}/lose",
             response={200: OpportunityDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def lose_opportunity(request, opportunity_id: int, payload: LoseIn):
    services.opportunity_lose(by=request.user, opportunity_id=opportunity_id, reason_id=payload.reason_id,
                              competitor_id=payload.competitor_id)
    return _get(request, opportunity_id)


class StageFigures(Schema):
    stage: str
    label: str
    count: int
    amount: Money
    reached: int
    reached_amount: Money
    conversion: float | None = Field(None, description="reached(next stage) / reached(this stage)")
    next_stage: str
    avg_days_in_stage: float | None


class Closed(Schema):
    count: int
    amount: Money


class SummaryFilters(Schema):
    owner: int | None = None
    unit: int | None = None
    region: int | None = None
    period: str = Field("", description="a quarter such as 2026Q1: the opportunities first contacted in it")


class ConversionSource(Schema):
    source: str = Field(description="leads or prospects")
    label: str
    total: int
    converted: int
    rate: float | None = Field(None, description="converted / total")


class CustomerConversion(Schema):
    total: int = Field(description="prospects and leads in the set (with a period: registered or created in it)")
    converted: int = Field(description="of them, those that became a customer file")
    rate: float | None = Field(None, description="seed 004's conversion rate: converted / total")
    sources: list[ConversionSource]


class PipelineSummaryOut(Schema):
    filters: SummaryFilters
    count: int
    amount: Money
    stages: list[StageFigures]
    won: Closed
    lost: Closed
    win_rate: float | None = Field(None, description="won / (won + lost)")
    avg_cycle_days: float | None = Field(None, description="first contact to won, in days")
    customer_conversion: CustomerConversion


@pipeline_router.get("/summary", response={200: PipelineSummaryOut, 403: ErrorOut})
def pipeline_summary(request, filters: Query[SummaryFilters]):
    """The funnel figures of seed 004 under the caller's data scope (definitions: salesflow/deals/funnel.py)."""
    f = filters.dict()
    if f["period"] and not selectors.quarter_range(f["period"]):
        raise ValidationFailed({"period": [_("Enter a quarter such as 2026Q1.")]})
    return funnel.pipeline_summary(user=request.user, filters=funnel.FunnelFilters(**f))
