from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from salesflow.core.pagination import PageNumberPagination
from salesflow.core.parsers import Money, Percent

from . import selectors, services

router = Router(tags=["discount requests"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict


class DiscountOut(Schema):
    id: int
    number: str
    customer_id: int
    customer_name: str = Field(alias="customer.name")
    requester_id: int
    amount: Money
    discount_percent: Percent
    discount_amount: Money
    reason: str
    terms: str
    status: str
    last_opinion: str
    terms_version: int
    approved_at: datetime | None
    created_at: datetime


class DiscountIn(Schema):
    customer_id: int
    amount: Money
    discount_percent: Percent
    reason: str
    terms: str = ""


class DiscountPatch(Schema):
    amount: Money
    discount_percent: Percent
    reason: str
    terms: str = ""


@router.get("", response=list[DiscountOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=200)
def list_discounts(request, status: str = "", customer_id: int | None = None, mine: bool = False):
    return selectors.discount_list(user=request.user, status=status, customer_id=customer_id, mine=mine)


@router.post("", response={201: DiscountOut, 400: ErrorOut, 403: ErrorOut})
def create_discount(request, payload: DiscountIn):
    data = payload.dict()
    doc = services.discount_create(by=request.user, customer_id=data.pop("customer_id"), data=data)
    return Status(201, selectors.discount_get(user=request.user, discount_id=doc.pk))


@router.get("/{discount_id}", response={200: DiscountOut, 404: ErrorOut})
def get_discount(request, discount_id: int):
    return selectors.discount_get(user=request.user, discount_id=discount_id)


@router.patch("/{discount_id}", response={200: DiscountOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def update_discount(request, discount_id: int, payload: DiscountPatch):
    services.discount_update(by=request.user, discount_id=discount_id, data=payload.dict())
    return selectors.discount_get(user=request.user, discount_id=discount_id)


@router.post("/{discount_id}/submit", response={200: DiscountOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def submit_discount(request, discount_id: int):
    services.discount_submit(by=request.user, discount_id=discount_id)
    return selectors.discount_get(user=request.user, discount_id=discount_id)


@router.post("/{discount_id}/withdraw", response={200: DiscountOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def withdraw_discount(request, discount_id: int):
    services.discount_withdraw(by=request.user, discount_id=discount_id)
    return selectors.discount_get(user=request.user, discount_id=discount_id)
