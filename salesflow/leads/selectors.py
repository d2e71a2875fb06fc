"""Permission-scoped reads of leads; every list and detail goes through ``visible_to``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from salesflow.audit.models import AuditEvent
from salesflow.core.chinese import phone_search_digits
from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.crm.selectors import CREDIT_CODE_RE, PHONE_RE
from salesflow.org.roles import has_capability

from .models import Lead, LeadAssignmentRule, LeadPolicy, LeadScoringRule, LeadStatus

SORTS = {"-created": "-id", "created": "id", "-score": "-score", "name": "name", "assigned": "assigned_at"}


@dataclass
class LeadFilters:
    q: str = ""
    status: str = ""
    channel: str = ""
    owner: int | None = None
    province: str = ""
    campaign: str = ""
    mine: bool = False
    overdue: bool = False
    sort: str = "-created"


def _search(qs: QuerySet[Lead], q: str) -> QuerySet[Lead]:
    q = (q or "").strip()
    if not q:
        return qs
    if len(q) == 18 and CREDIT_CODE_RE.match(q):
        return qs.filter(credit_code=q.upper())
    if PHONE_RE.match(q):
        digits = phone_search_digits(q)
        return qs.filter(phone_digits__gte=digits, phone_digits__lt=digits + "\uffff")
    return qs.filter(name__icontains=q) if q.isascii() else qs.filter(name__contains=q)


def lead_list(*, user, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    if not has_capability(user, "lead.view"):
        raise PermissionRefused()
    f = filters or LeadFilters()
    qs = Lead.objects.visible_to(user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.mine:
        qs = qs.filter(owner_id=user.pk)
    if f.province:
        qs = qs.filter(province=f.province)
    if f.campaign:
        qs = qs.filter(campaign=f.campaign)
    if f.overdue:
        qs = qs.filter(overdue_at__isnull=False)
    qs = _search(qs, f.q)
    return qs.select_related("owner", "unit").order_by(SORTS.get(f.sort, "-id"), "-id")


def lead_pool(*, user, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    """The public pool (公海) the user can see: unowned leads waiting to be claimed."""
    return lead_list(user=user, filters=filters).in_pool()


def lead_get(*, user, lead_id: int) -> Lead:
    if not has_capability(user, "lead.view"):
        raise PermissionRefused()
    lead = Lead.objects.visible_to(user).select_related("owner", "unit", "region", "created_by").filter(
        pk=lead_id).first()
    if lead is None:
        raise NotFound(_("Lead not found."))
    return lead


def lead_history(*, lead: Lead, limit: int = 200) -> list[AuditEvent]:
    """Every claim, assignment, return, screening and conversion of the lead (the caller already checked scope)."""
    from salesflow.audit.selectors import readable_changes

    return readable_changes(AuditEvent.objects.filter(object_type="leads.lead", object_id=str(lead.pk))
                            .order_by("-at", "-id")[:limit])


def scoring_rules() -> QuerySet[LeadScoringRule]:
    return LeadScoringRule.objects.all()


def assignment_rules() -> QuerySet[LeadAssignmentRule]:
    return LeadAssignmentRule.objects.select_related("region", "team", "user")


def policies() -> QuerySet[LeadPolicy]:
    return LeadPolicy.objects.select_related("unit")


STATUS_CHOICES = LeadStatus.choices


# --- the customers' public pool (公海客户) -------------------------------------------------------------------

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


def _pool_customers(user):
    from salesflow.crm.choices import CustomerStatus
    from salesflow.crm.models import Customer

    from .models import pool_scope_q

    if not has_capability(user, "customer.view"):
        raise PermissionRefused()
    qs = Customer.objects.filter(owner__isnull=True, status=CustomerStatus.ACTIVE)
    q = pool_scope_q(user)
    return qs if q is None else qs.filter(q)


def customer_pool_list(*, user, filters: CustomerPoolFilters | None = None):
    """The customers waiting in the pools the user may see and claim from: their own unit's and those above it
    (a rep), their subtree (a unit head), all (leadership). Each row knows why it came back (``pool_reason``)."""
    from django.db.models import OuterRef, Prefetch, Subquery

    from salesflow.crm.models import Contact
    from salesflow.crm.selectors import search

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
    from salesflow.crm.models import Customer

    from .models import in_pool_scope

    if not has_capability(user, "customer.view"):
        raise PermissionRefused()
    row = Customer.objects.filter(pk=customer_id).values_list("unit_id", "owner_id").first()
    if row is None or not (in_pool_scope(user, row[0]) or row[1] == user.pk):
        raise NotFound(_("Customer not found."))
