"""Permission-scoped reads of the public pool (公海客户): the customers waiting in the pools a user may see and
claim from (the data scope with ``scope.pool_reach_q``), and what the pool's pages offer to pick (regions, owners, units)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.crm.choices import CustomerStatus
from salesflow.crm.models import Contact, Customer
from salesflow.crm.selectors import search
from salesflow.org.models import OrgUnit, UnitKind, User
from salesflow.org.roles import has_capability
from salesflow.org.scope import data_scope

from .scope import in_pool_scope, pool_reach_q

POOL_SORTS = {
    "-released": (F("released_at").desc(nulls_last=True), "-id"),
    "released": (F("released_at").asc(nulls_first=True), "id"),
    "name": ("name", "-id"),
    "-last_contact": (F("last_contact_at").desc(nulls_last=True), "-id"),
}
POOL_SORT_LABELS = {
    "-released": _("Newest in the pool first"), "released": _("Longest in the pool first"), "name": _("Name"),
    "-last_contact": _("Last contact, most recent first"),
}


@dataclass
class CustomerPoolFilters:
    q: str = ""
    region: int | None = None
    unit: int | None = None
    province: str = ""
    industry: str = ""
    tier: str = ""
    sort: str = "-released"


def _pool_customers(user) -> QuerySet[Customer]:
    if not has_capability(user, "customer.view"):
        raise PermissionRefused()
    return Customer.objects.filter(owner__isnull=True, status=CustomerStatus.ACTIVE).visible_to(
        user, extra_scope=pool_reach_q)


def customer_pool_list(*, user, filters: CustomerPoolFilters | None = None) -> QuerySet[Customer]:
    """The customers waiting in the pools the user may see and claim from: their own unit's and those above it
    (a rep), their subtree (a unit head), all (leadership). Each row knows why it came back (``pool_reason``)."""
    f = filters or CustomerPoolFilters()
    qs = _pool_customers(user)
    for field in ("region", "unit"):
        value = getattr(f, field)
        if value:
            qs = qs.filter(**{f"{field}_id": value})
    for field in ("province", "industry", "tier"):
        value = getattr(f, field)
        if value:
            qs = qs.filter(**{field: value})
    qs = search(qs, f.q)
    reason = (AuditEvent.objects.filter(customer_id=OuterRef("pk"),
                                        action__in=["customer.released", "customer.reclaimed"])
              .order_by("-id").values("note")[:1])
    return (qs.select_related("unit", "region", "group").annotate(pool_reason=Subquery(reason))
            .prefetch_related(Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True),
                                       to_attr="primary_contacts"))
            .order_by(*POOL_SORTS.get(f.sort, POOL_SORTS["-released"])))


def customer_pool_reach(*, user, customer_id: int) -> None:
    """Refuse (404) a customer outside the pools the user may claim from, whether or not it still waits there:
    who lost a race for a customer of their own pool learns that somebody was faster, anyone else gets "not
    found"."""
    if not has_capability(user, "customer.view"):
        raise PermissionRefused()
    row = Customer.objects.filter(pk=customer_id).values_list("unit_id", "owner_id").first()
    if row is None or not (in_pool_scope(user, row[0]) or row[1] == user.pk):
        raise NotFound(_("Customer not found."))


# --- what the pages offer to pick ----------------------------------------------------------------------------

def region_choices() -> QuerySet[OrgUnit]:
    """The active regions, for the pool list's region filter."""
    return OrgUnit.objects.filter(kind=UnitKind.REGION, is_active=True).order_by("path")


def active_user(*, user_id: int | None) -> User | None:
    """The chosen new owner of a pool customer, if that user is active (the service checks who may get it)."""
    return User.objects.filter(pk=user_id, is_active=True).first() if user_id is not None else None


def policy_units(*, user) -> QuerySet[OrgUnit]:
    """The active units whose pool policy the user may see on the policy page: all of them for the company-wide
    configurators, the units of their data scope for a sales manager."""
    units = OrgUnit.objects.filter(is_active=True).order_by("path")
    if not has_capability(user, "lead.configure_company"):
        units = units.filter(pk__in=data_scope(user).unit_ids)
    return units


def unit_names() -> dict[int, str]:
    return dict(OrgUnit.objects.values_list("id", "name"))


def policy_unit(*, unit_id: int, active_only: bool = True) -> OrgUnit | None:
    """A unit by id (with its parent, for the inherited policy); the service decides whether the user may touch
    its policy."""
    qs = OrgUnit.objects.filter(pk=unit_id).select_related("parent")
    return (qs.filter(is_active=True) if active_only else qs).first()
