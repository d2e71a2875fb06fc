"""Permission-scoped reads of leads; every list and detail goes through ``visible_to``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from salesflow.audit.models import AuditEvent
from salesflow.core.chinese import looks_like_credit_code, mask_phone, phone_search_digits
from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.crm.selectors import PHONE_RE
from salesflow.org.roles import has_capability

from .models import Lead, LeadAssignmentRule, LeadScoringRule, LeadStatus

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
    if looks_like_credit_code(q):
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


def lead_phone(viewer, lead: Lead) -> str:
    """R20, as for customers: the lead's owner reads the number in full, everybody else masked; a lead in the pool
    has no owner, so every rep who may claim it sees it masked until they claim it (issue #15)."""
    if not lead.phone:
        return ""
    return lead.phone if lead.owner_id is not None and viewer.pk == lead.owner_id else mask_phone(lead.phone)


def lead_history(*, lead: Lead, limit: int = 200) -> list[AuditEvent]:
    """Every claim, assignment, return, screening and conversion of the lead (the caller already checked scope)."""
    from salesflow.audit.selectors import readable_changes

    return readable_changes(AuditEvent.objects.filter(object_type="leads.lead", object_id=str(lead.pk))
                            .order_by("-at", "-id")[:limit])


def scoring_rules() -> QuerySet[LeadScoringRule]:
    return LeadScoringRule.objects.all()


def assignment_rules() -> QuerySet[LeadAssignmentRule]:
    return LeadAssignmentRule.objects.select_related("region", "team", "user")


STATUS_CHOICES = LeadStatus.choices


def lead_picker(*, user, owner_id: int | None = None, owned_only: bool = False) -> QuerySet[Lead]:
    """Leads a form may offer (a planned visit, a visit log): in ``user``'s data scope and not yet converted;
    optionally one owner's, or only those somebody owns (not the pool's). The service checks the choice again."""
    qs = Lead.objects.visible_to(user).exclude(status=LeadStatus.CONVERTED)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if owned_only:
        qs = qs.filter(owner__isnull=False)
    return qs


def assignment_rule_list(*, user) -> list[LeadAssignmentRule]:
    """The territory rules the user may see and change: every rule for the company-wide configurers, those of
    their own regions for a sales manager (``config.rule_in_scope``), in the order they are tried."""
    from .services.rules import rule_in_scope

    return [rule for rule in LeadAssignmentRule.objects.select_related("region", "team", "user", "user__unit")
            .order_by("priority", "id") if rule_in_scope(user, rule)]


def assignment_rule_get(*, user, rule_id: int) -> LeadAssignmentRule | None:
    """One territory rule in the user's reach, or None (missing and out of reach look the same)."""
    from .services.rules import rule_in_scope

    rule = LeadAssignmentRule.objects.filter(pk=rule_id).select_related("region", "team", "user").first()
    return rule if rule is not None and rule_in_scope(user, rule) else None
