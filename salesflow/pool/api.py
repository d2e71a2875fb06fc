"""/api/v1/customer-pool: the customers waiting in the caller's pools, claim, and assignment from the pool; and
``POST /api/v1/customers/{id}/release`` (it acts on an owned customer, so it sits beside the customer's other
actions, served from here)."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from salesflow.crm import selectors as crm_selectors
from salesflow.crm.api import CappedPagination, CustomerOut, ErrorOut, customer_out
from salesflow.crm.selectors import phone_for
from salesflow.org.selectors import user_named

from . import selectors, services

router = Router(tags=["customer pool"])
# Mounted at /customers beside the customer file's own router (same tag: one section of the API docs).
release_router = Router(tags=["customers"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PoolCustomerOut(Schema):
    """A pool row: no owner; the phone is always masked (nobody owns the customer)."""

    id: int
    name: str
    kind: str
    tier: str
    province: str
    city: str
    industry: str
    region_id: int | None
    region_name: str | None = None
    unit_id: int | None
    unit_name: str | None = None
    primary_contact: str | None
    primary_phone: str | None
    last_contact_at: datetime | None
    last_deal_at: datetime | None
    released_at: datetime | None
    pool_reason: str | None = None

    @staticmethod
    def resolve_region_name(obj) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_unit_name(obj) -> str | None:
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_primary_phone(obj, context) -> str:
        return phone_for(context["request"].user, obj, obj.primary_phone or "")


class PoolFilterIn(Schema):
    q: str = ""
    region: int | None = None
    unit: int | None = None
    province: str = ""
    industry: str = ""
    tier: str = ""
    sort: str = "-released"


class AssignIn(Schema):
    owner_id: int
    note: str = ""


class ReleaseIn(Schema):
    reason: str = Field(..., description="why the customer goes back to the public pool (required)")


@router.get("", response=list[PoolCustomerOut])
@paginate(CappedPagination, page_size=50, max_page_size=200)
def list_pool(request, filters: Query[PoolFilterIn]):
    """Customers without an owner in the caller's pools: a rep's own unit and the units above it, a unit head's
    subtree, everything for leadership. `count` stops at 10,001 (meaning more than 10,000)."""
    return selectors.customer_pool_list(user=request.user, filters=selectors.CustomerPoolFilters(**filters.dict()))


@router.post("/{customer_id}/claim", response={200: CustomerOut, **ERRORS})
def claim_customer(request, customer_id: int):
    """Take the customer from the pool (per-rep customer cap of the rep's unit). 409 when the cap is reached; 404
    when somebody was faster, as for a customer out of reach (issue #15: "taken" is not told apart)."""
    selectors.customer_pool_reach(user=request.user, customer_id=customer_id)  # another pool's: 404 for everyone
    services.customer_pool_claim(by=request.user, customer_id=customer_id)
    return customer_out(request.user, crm_selectors.customer_get(user=request.user, customer_id=customer_id))


@router.post("/{customer_id}/assign", response={200: CustomerOut, **ERRORS})
def assign_customer(request, customer_id: int, payload: AssignIn):
    """A unit head or leadership gives a pool customer to a user of their scope (that user's cap applies)."""
    selectors.customer_pool_reach(user=request.user, customer_id=customer_id)
    owner = user_named(payload.owner_id, active_only=True)
    services.customer_pool_assign(by=request.user, customer_id=customer_id, owner=owner, note=payload.note)
    return customer_out(request.user, crm_selectors.customer_get(user=request.user, customer_id=customer_id))


@release_router.post("/{customer_id}/release", response={200: CustomerOut, **ERRORS})
def release_customer(request, customer_id: int, payload: ReleaseIn):
    """Return the customer to its unit's public pool (the owner or someone above them, with a reason)."""
    customer = crm_selectors.customer_get(user=request.user, customer_id=customer_id)
    # The caller may no longer see the customer (a rep's own customer is theirs no more): answer with the
    # released record as it now stands, phones masked.
    released = services.customer_release(by=request.user, customer_id=customer.pk, reason=payload.reason)
    return customer_out(request.user, released)
