
from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from salesflow.core.pagination import CappedPagination
from salesflow.core.parsers import Money
from salesflow.org.selectors import user_named

from . import selectors, services
from .selectors import CustomerFilters, phone_for

router = Router(tags=["customers"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict


class ContactOut(Schema):
    id: int
    name: str
    position: str
    phone: str
    email: str
    is_primary: bool


class _CustomerBase(Schema):
    id: int
    kind: str
    name: str
    credit_code: str
    status: str
    province: str
    city: str
    region_id: int | None
    region_name: str | None = None
    tier: str
    group_id: int | None
    credit_limit: Money
    owner_id: int | None = Field(..., description="empty while the customer waits in the public pool")
    owner_name: str | None
    primary_contact: str | None
    primary_phone: str | None
    updated_at: datetime


class CustomerListOut(_CustomerBase):
    """A list row; the phone is masked unless the caller owns the customer."""

    @staticmethod
    def resolve_owner_name(obj) -> str | None:
        return obj.owner.display_name if obj.owner_id else None

    @staticmethod
    def resolve_region_name(obj) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_primary_phone(obj, context) -> str:
        return phone_for(context["request"].user, obj, obj.primary_phone or "")


class SheetOut(Schema):
    """The target-customer information sheet (目标客户基本信息情况统计表, R17), filled in after each visit."""

    needs: str
    decision_makers: str
    company_size: str
    purchase_timeline: str
    competitors: str
    updated_at: datetime | None
    updated_by_id: int | None


class SheetPatch(Schema):
    needs: str | None = None
    decision_makers: str | None = None
    company_size: str | None = Field(None, description="micro | small | medium | large, or empty")
    purchase_timeline: str | None = Field(None, description="month | quarter | half_year | year | undecided, or empty")
    competitors: str | None = None


class CustomerOut(_CustomerBase):
    address: str
    industry: str
    source: str
    value_type: str
    company_size: str
    shop_url: str
    collected_on: date | None
    referred_by_id: int | None
    notes: str
    created_at: datetime
    contacts: list[ContactOut]
    can_reveal_phones: bool
    last_contact_at: datetime | None = Field(None, description="R17: the latest visit or other contact")
    next_followup_on: date | None = Field(None, description="R17: when the owner follows up next")
    sheet: SheetOut




class ContactIn(Schema):
    name: str
    position: str = ""
    phone: str = ""
    email: str = ""
    is_primary: bool = False


class CustomerIn(Schema):
    kind: str = "company"
    name: str
    credit_code: str = ""
    province: str = ""
    city: str = ""
    address: str = ""
    region: str = Field("", description="region id, code or name; default: the owner's region")
    industry: str = ""
    source: str = ""
    group: str = Field("", description="customer group id or name")
    value_type: str = ""
    tier: str = "C"
    credit_limit: Money = Decimal("0")
    company_size: str = ""
    shop_url: str = ""
    collected_on: date | None = None
    notes: str = ""
    owner_id: int | None = None
    contacts: list[ContactIn] = []
    confirm_duplicates: bool = False


class CustomerPatch(Schema):
    kind: str | None = None
    name: str | None = None
    credit_code: str | None = None
    province: str | None = None
    city: str | None = None
    address: str | None = None
    region: str | None = None
    industry: str | None = None
    source: str | None = None
    group: str | None = None
    value_type: str | None = None
    tier: str | None = None
    credit_limit: Money | None = None
    company_size: str | None = None
    shop_url: str | None = None
    collected_on: date | None = None
    notes: str | None = None
    confirm_duplicates: bool = False


class ReassignIn(Schema):
    owner_id: int
    note: str = ""


class FilterIn(Schema):
    q: str = ""
    region: int | None = None
    owner: int | None = None
    tier: str = ""
    group: int | None = None
    status: str = "active"
    sort: str = "-created"


def _list_row(user, c) -> dict:
    return {
        "id": c.id, "kind": c.kind, "name": c.name, "credit_code": c.credit_code, "status": c.status,
        "province": c.province, "city": c.city, "region_id": c.region_id,
        "region_name": c.region.name if c.region else None, "tier": c.tier, "group_id": c.group_id,
        "credit_limit": c.credit_limit, "owner_id": c.owner_id,
        "owner_name": c.owner.display_name if c.owner_id else None,
        "primary_contact": getattr(c, "primary_contact", None),
        "primary_phone": phone_for(user, c, getattr(c, "primary_phone", None) or ""),
        "updated_at": c.updated_at,
    }


def _detail(user, c, contacts=None, revealed: bool = False) -> dict:
    contacts = list(c.contacts.all()) if contacts is None else contacts
    primary = next((x for x in contacts if x.is_primary), None)
    c.primary_contacts = [primary] if primary else []
    row = _list_row(user, c)
    if revealed and primary:
        row["primary_phone"] = primary.phone
    row.update({
        "address": c.address, "industry": c.industry, "source": c.source, "value_type": c.value_type,
        "company_size": c.company_size, "shop_url": c.shop_url, "collected_on": c.collected_on,
        "referred_by_id": c.referred_by_id, "notes": c.notes, "created_at": c.created_at,
        "can_reveal_phones": selectors.can_reveal_phones(user, c),
        "last_contact_at": c.last_contact_at, "next_followup_on": c.next_followup_on,
        "sheet": {"needs": c.needs, "decision_makers": c.decision_makers, "company_size": c.company_size,
                  "purchase_timeline": c.purchase_timeline, "competitors": c.competitors,
                  "updated_at": c.sheet_updated_at, "updated_by_id": c.sheet_updated_by_id},
        "contacts": [{"id": x.id, "name": x.name, "position": x.position, "email": x.email, "is_primary": x.is_primary,
                      "phone": x.phone if revealed else phone_for(user, c, x.phone)} for x in contacts],
    })
    return row


def customer_out(user, customer) -> dict:
    """The ``CustomerOut`` body of a customer as ``user`` may see it (phones masked), for other apps' endpoints
    that answer with the customer they acted on."""
    return _detail(user, customer)



@router.get("", response=list[CustomerListOut])
@paginate(CappedPagination, page_size=50, max_page_size=200)
def list_customers(request, filters: Query[FilterIn]):
    """Customers in the caller's data scope. `count` stops at 10,001 (meaning more than 10,000)."""
    return selectors.customer_list(user=request.user, filters=CustomerFilters(**filters.dict()))


@router.post("", response={201: CustomerOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut})
def create_customer(request, payload: CustomerIn):
    data = payload.dict()
    contacts = data.pop("contacts")
    confirm = data.pop("confirm_duplicates")
    owner_id = data.pop("owner_id")
    owner = user_named(owner_id, active_only=True) if owner_id else None
    customer = services.customer_create(by=request.user, data=data, contacts=contacts, owner=owner,
                                        confirm_duplicates=confirm)
    return Status(201, _detail(request.user, selectors.customer_get(user=request.user, customer_id=customer.pk)))


@router.get("/{customer_id}", response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut})
def get_customer(request, customer_id: int):
    return _detail(request.user, selectors.customer_get(user=request.user, customer_id=customer_id))


@router.patch("/{customer_id}", response={200: CustomerOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def update_customer(request, customer_id: int, payload: CustomerPatch):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    data = payload.dict(exclude_unset=True)
    confirm = data.pop("confirm_duplicates", False)
    services.customer_update(by=request.user, customer=customer, data=data, confirm_duplicates=confirm)
    return _detail(request.user, selectors.customer_get(user=request.user, customer_id=customer_id))


@router.patch("/{customer_id}/sheet", response={200: CustomerOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def update_customer_sheet(request, customer_id: int, payload: SheetPatch):
    """Fill in the target-customer sheet (R17); only the fields sent change, an empty value clears one."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    services.customer_update_sheet(by=request.user, customer_id=customer.pk, data=payload.dict(exclude_unset=True),
                                   note="API")
    return _detail(request.user, selectors.customer_get(user=request.user, customer_id=customer_id))


@router.post("/{customer_id}/reassign", response={200: CustomerOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def reassign_customer(request, customer_id: int, payload: ReassignIn):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    owner = user_named(payload.owner_id)
    services.customer_reassign(by=request.user, customer=customer, owner=owner, note=payload.note)
    return _detail(request.user, selectors.customer_get(user=request.user, customer_id=customer_id))


@router.post("/{customer_id}/archive", response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def archive_customer(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    services.customer_archive(by=request.user, customer=customer)
    return _detail(request.user, selectors.customer_get(user=request.user, customer_id=customer_id))


@router.post("/{customer_id}/restore", response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def restore_customer(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    services.customer_restore(by=request.user, customer=customer)
    return _detail(request.user, selectors.customer_get(user=request.user, customer_id=customer_id))


@router.post("/{customer_id}/reveal-phones", response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut})
def reveal_phones(request, customer_id: int):
    """Full phone numbers for the owner or someone above them; every call is recorded in the audit trail."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    contacts = services.customer_reveal_phones(by=request.user, customer=customer)
    return _detail(request.user, customer, contacts=contacts, revealed=True)


@router.post("/{customer_id}/contacts", response={201: ContactOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def add_contact(request, customer_id: int, payload: ContactIn):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    contact = services.contact_add(by=request.user, customer=customer, data=payload.dict())
    return Status(201, contact)


@router.patch("/{customer_id}/contacts/{contact_id}",
              response={200: ContactOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def update_contact(request, customer_id: int, contact_id: int, payload: ContactIn):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    return services.contact_update(by=request.user, customer=customer, contact_id=contact_id, data=payload.dict())


@router.delete("/{customer_id}/contacts/{contact_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def remove_contact(request, customer_id: int, contact_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    services.contact_remove(by=request.user, customer=customer, contact_id=contact_id)
    return Status(204, None)


class GroupOut(Schema):
    id: int
    name: str
    description: str


class GroupIn(Schema):
    name: str
    description: str = ""


groups_router = Router(tags=["customers"])


@groups_router.get("", response=list[GroupOut])
def list_groups(request):
    return list(selectors.customer_group_list(user=request.user))


@groups_router.post("", response={201: GroupOut, 400: ErrorOut, 403: ErrorOut})
def create_group(request, payload: GroupIn):
    return Status(201, services.customer_group_create(by=request.user, name=payload.name, description=payload.description))
