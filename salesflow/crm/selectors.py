"""Permission-scoped reads of customer files; every list and detail goes through ``visible_to``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from salesflow.audit.models import AuditEvent
from salesflow.core.chinese import looks_like_credit_code, mask_phone, phone_search_digits
from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.org.roles import has_capability

from .choices import CustomerStatus
from .models import Contact, Customer, CustomerGroup

SORTS = {
    "name": "name", "-name": "-name", "created": "id", "-created": "-id", "updated": "updated_at",
    "-updated": "-updated_at", "credit_limit": "credit_limit", "-credit_limit": "-credit_limit",
    "tier": "tier", "-tier": "-tier",
}
SORT_LABELS = {
    "-created": _("Newest first"), "created": _("Oldest first"), "name": _("Name"), "-updated": _("Recently updated"),
    "-credit_limit": _("Credit limit, high to low"), "tier": _("Tier"),
}
PHONE_RE = re.compile(r"^[+\d][\d\s\-()]{2,}$")
LETTERS_RE = re.compile(r"^[A-Za-z]+$")


@dataclass
class CustomerFilters:
    q: str = ""
    region: int | None = None
    owner: int | None = None
    tier: str = ""
    group: int | None = None
    status: str = CustomerStatus.ACTIVE
    sort: str = "-created"


def _prefix(field: str, value: str) -> dict:
    # A range instead of LIKE 'x%': it uses the plain b-tree index on SQLite and PostgreSQL alike.
    return {f"{field}__gte": value, f"{field}__lt": value + "\uffff"}


def search(qs: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """Route the query to the one index that can answer it: credit code, phone, pinyin initials or name."""
    q = (q or "").strip()
    if not q:
        return qs
    if looks_like_credit_code(q):
        # The exclude lets SQLite use the partial unique index (credit_code <> '').
        return qs.filter(credit_code=q.upper()).exclude(credit_code="")
    if PHONE_RE.match(q):
        digits = phone_search_digits(q)
        phones = Contact.objects.filter(**_prefix("phone_digits", digits)).values("customer_id")
        return qs.filter(pk__in=phones)
    if LETTERS_RE.match(q):
        q = q.lower()
        # An id subquery without ORDER BY lets SQLite answer the OR with both indexes (MULTI-INDEX OR);
        # written inline with the list's ORDER BY id DESC LIMIT, it walked the whole id index instead.
        matching = Customer.objects.filter(Q(**_prefix("name_initials", q)) | Q(**_prefix("name_pinyin", q)))
        return qs.filter(pk__in=matching.values("pk"))
    # A substring can use no b-tree; the id subquery lets the database scan the narrow name index (name + id)
    # instead of the whole table. Chinese has no letter case: a plain LIKE spares PostgreSQL an UPPER() per name.
    lookup = "name__icontains" if q.isascii() else "name__contains"
    return qs.filter(pk__in=Customer.objects.filter(**{lookup: q}).values("pk"))


def customer_list(*, user, filters: CustomerFilters | None = None) -> QuerySet[Customer]:
    if not has_capability(user, "customer.view"):
        raise PermissionRefused()
    f = filters or CustomerFilters()
    qs = Customer.objects.visible_to(user)
    if f.status:
        qs = qs.filter(status=f.status)
    for field in ("region", "owner", "group"):
        value = getattr(f, field)
        if value:
            qs = qs.filter(**{f"{field}_id": value})
    if f.tier:
        qs = qs.filter(tier=f.tier)
    qs = search(qs, f.q)
    return (
        qs.select_related("owner", "region", "group")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True),
                                   to_attr="primary_contacts"))
        .order_by(SORTS.get(f.sort, "-id"), "-id")
    )


def customer_get(*, user, customer_id: int) -> Customer:
    if not has_capability(user, "customer.view"):
        raise PermissionRefused()
    customer = (
        Customer.objects.visible_to(user)
        .select_related("owner", "region", "group", "unit", "referred_by", "created_by", "sheet_updated_by",
                        "service_owner")
        .filter(pk=customer_id).first()
    )
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def phone_for(viewer, customer: Customer, phone: str) -> str:
    """What a viewer sees of a phone number: in full for the owner, masked for everybody else.
    Those above the owner can reveal the full numbers on purpose (logged) — see customer_reveal_phones."""
    if not phone:
        return ""
    return phone if viewer.pk == customer.owner_id else mask_phone(phone)


def can_reveal_phones(viewer, customer: Customer) -> bool:
    """The button: those above the owner (the owner already reads the full numbers)."""
    return not customer.is_owner(viewer) and customer.can("reveal_phones", by=viewer)


def customer_timeline(*, user, customer: Customer, limit: int = 200) -> list[AuditEvent]:
    # The caller got `customer` through customer_get, so the scope check has already happened.
    from salesflow.audit.selectors import readable_changes

    return readable_changes(AuditEvent.objects.filter(customer_id=customer.pk).order_by("-at", "-id")[:limit])


def customer_group_choices() -> QuerySet[CustomerGroup]:
    """The groups a customer form offers (master data: names only)."""
    return CustomerGroup.objects.order_by("name")


def customer_group_list(*, user, with_counts: bool = False) -> QuerySet[CustomerGroup]:
    """The managed list of customer groups (names only), with each group's size on request."""
    if not has_capability(user, "customer.view"):
        raise PermissionRefused()
    qs = CustomerGroup.objects.order_by("name")
    return qs.annotate(customer_count=Count("customers")) if with_counts else qs


# --- pickers: the customers a form offers (in the user's scope; the service checks the choice again) -------

CHOICE_LIMIT = 500


def customer_picker(*, user, owner_id: int | None = None, active_only: bool = False) -> QuerySet[Customer]:
    """Customers in ``user``'s data scope by name, optionally only one owner's and only the active ones."""
    qs = Customer.objects.visible_to(user)
    if active_only:
        qs = qs.filter(status=CustomerStatus.ACTIVE)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return qs.order_by("name")


def customer_choices(*, user, preselected: Customer | None = None, limit: int = CHOICE_LIMIT,
                     **narrow) -> list[tuple[int, str]]:
    """(id, name) pairs for a customer drop-down, capped; a preselected customer is always offered."""
    rows = list(customer_picker(user=user, **narrow).values_list("pk", "name")[:limit])
    if preselected is not None and preselected.pk not in {pk for pk, _name in rows}:
        rows.insert(0, (preselected.pk, preselected.name))
    return rows


def customer_counts(*, user) -> dict[str, int]:
    """The home page's figures: active customers in scope, and how many of them the user owns."""
    visible = Customer.objects.visible_to(user).filter(status=CustomerStatus.ACTIVE)
    return {"customer_count": visible.count(), "my_customer_count": visible.filter(owner=user).count()}



# --- R15: the customer's service phase after the deal ------------------------------------------------------

def service_supervisor_for(customer: Customer):
    """Who serves ``customer`` after a won deal (R15): its service owner while they are an active customer-service
    supervisor (客户服务主管), else the one of the customer's unit or of the nearest unit above it (None: nobody in
    the org tree serves it)."""
    from salesflow.org.roles import Role
    from salesflow.org.selectors import users_holding

    if customer.service_owner_id:
        current = users_holding(Role.SERVICE).filter(pk=customer.service_owner_id).first()
        if current is not None:
            return current
    unit = customer.unit if customer.unit_id else None
    ids = unit.ancestor_ids if unit is not None else []
    candidates = {}
    for user in users_holding(Role.SERVICE).filter(unit_id__in=ids).order_by("pk"):
        candidates.setdefault(user.unit_id, user)
    return next((candidates[pk] for pk in ids if pk in candidates), None)


SERVICE_LIST_LIMIT = 20


def service_customer_list(*, user) -> QuerySet[Customer]:
    """"My service customers" (R15): the active customers ``user`` serves after the deal, newest hand-over first;
    empty for whoever does not hold the customer-service role."""
    from salesflow.org.roles import Role

    if not user.holds(Role.SERVICE) or not has_capability(user, "customer.view"):
        return Customer.objects.none()
    return (Customer.objects.visible_to(user).filter(service_owner=user, status=CustomerStatus.ACTIVE)
            .select_related("owner", "region").order_by("-service_since", "-id"))
