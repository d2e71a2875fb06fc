"""Permission-scoped reads of reception records and prospects; every list and detail goes through ``visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.audit.models import AuditEvent
from salesflow.core.chinese import mask_phone, phone_search_digits
from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.crm.selectors import PHONE_RE
from salesflow.org.roles import has_capability

from .models import (
    WORKED_PROSPECT_STATUSES,
    Intent,
    OfficeMarketingLead,
    Prospect,
    ProspectStatus,
    ReceptionRecord,
)


@dataclass
class ReceptionFilters:
    q: str = ""
    intent: str = ""
    channel: str = ""
    owner: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    customer: int | None = None
    prospect: int | None = None
    # Records with purchase intent that no prospect holds yet: what the supervisor still has to register (D2).
    unregistered: bool = False


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def reception_list(*, user, filters: ReceptionFilters | None = None) -> QuerySet[ReceptionRecord]:
    if not has_capability(user, "reception.view"):
        raise PermissionRefused()
    f = filters or ReceptionFilters()
    qs = ReceptionRecord.objects.visible_to(user)
    if f.intent:
        qs = qs.filter(intent=f.intent)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.date_from:
        qs = qs.filter(received_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(received_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.customer:
        qs = qs.filter(customer_id=f.customer)
    if f.prospect:
        qs = qs.filter(prospect_id=f.prospect)
    if f.unregistered:
        qs = qs.filter(intent=Intent.YES, prospect__isnull=True)
    q = (f.q or "").strip()
    if q:
        if PHONE_RE.match(q):
            digits = phone_search_digits(q)
            qs = qs.filter(phone_digits__gte=digits, phone_digits__lt=digits + "\uffff")
        else:
            lookup = "icontains" if q.isascii() else "contains"
            qs = qs.filter(Q(**{f"company__{lookup}": q}) | Q(**{f"visitor_names__{lookup}": q}))
    return qs.select_related("owner", "customer", "prospect", "opportunity").order_by("-received_at", "-id")


def reception_get(*, user, record_id: int) -> ReceptionRecord:
    if not has_capability(user, "reception.view"):
        raise PermissionRefused()
    record = (ReceptionRecord.objects.visible_to(user)
              .select_related("owner", "unit", "customer", "opportunity", "prospect", "created_by")
              .filter(pk=record_id).first())
    if record is None:
        raise NotFound(_("Reception record not found."))
    return record


def record_history(*, record: ReceptionRecord, limit: int = 100) -> list[AuditEvent]:
    from salesflow.audit.selectors import readable_changes

    return readable_changes(AuditEvent.objects.filter(object_type="reception.receptionrecord",
                                                      object_id=str(record.pk)).order_by("-at", "-id")[:limit])


def visitor_phone(viewer, record) -> str:
    """R20 privacy: the consultant who received the visitors (or registered the prospect) sees the number in
    full, everybody else masked."""
    phone = record.phone
    if not phone:
        return ""
    people = {getattr(record, "owner_id", None), getattr(record, "consultant_id", None),
              getattr(record, "registered_by_id", None)}
    return phone if viewer.pk in people else mask_phone(phone)


# --- prospects ---------------------------------------------------------------------------------------------

@dataclass
class ProspectFilters:
    q: str = ""
    status: str = ""
    consultant: int | None = None
    intent: str = ""
    # D2.4: prospects the 营销主管 has not confirmed yet.
    unconfirmed: bool = False


def prospect_list(*, user, filters: ProspectFilters | None = None) -> QuerySet[Prospect]:
    if not has_capability(user, "prospect.view"):
        raise PermissionRefused()
    f = filters or ProspectFilters()
    qs = Prospect.objects.visible_to(user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.consultant:
        qs = qs.filter(consultant_id=f.consultant)
    if f.intent:
        qs = qs.filter(intent=f.intent)
    if f.unconfirmed:
        qs = qs.filter(confirmed_at__isnull=True, status__in=WORKED_PROSPECT_STATUSES)
    q = (f.q or "").strip()
    if q:
        if PHONE_RE.match(q):
            digits = phone_search_digits(q)
            qs = qs.filter(phone_digits__gte=digits, phone_digits__lt=digits + "\uffff")
        else:
            qs = qs.filter(name__icontains=q) if q.isascii() else qs.filter(name__contains=q)
    return qs.select_related("consultant", "unit", "customer", "service_owner").order_by("-id")


def prospect_get(*, user, prospect_id: int) -> Prospect:
    if not has_capability(user, "prospect.view"):
        raise PermissionRefused()
    prospect = (Prospect.objects.visible_to(user)
                .select_related("consultant", "unit", "customer", "registered_by", "confirmed_by",
                                "customer_submitted_by", "customer_filed_by", "won_opportunity", "service_owner", "handed_over_by",
                                "dropped_by")
                .filter(pk=prospect_id).first())
    if prospect is None:
        raise NotFound(_("Prospect not found."))
    return prospect


def prospect_records(*, prospect: Prospect) -> QuerySet[ReceptionRecord]:
    """The reception records of a prospect the caller may open (they got it through prospect_get): its whole
    reception history, whoever received the visitors."""
    return prospect.reception_records.select_related("owner").order_by("-received_at", "-id")


def prospect_history(*, prospect: Prospect, limit: int = 200) -> list[AuditEvent]:
    from salesflow.audit.selectors import readable_changes

    return readable_changes(AuditEvent.objects.filter(object_type="reception.prospect", object_id=str(prospect.pk))
                            .order_by("-at", "-id")[:limit])


# --- timelines of other pages (customer detail, opportunity detail) ------------------------------------------

INTENT_BADGE = {Intent.YES: "success", Intent.NO: "secondary", Intent.UNDECIDED: "warning"}


def _entries(records) -> list[dict]:
    rows, label = [], _("Reception record")
    for r in records:
        who = r.company or r.visitor_names
        rows.append({
            "at": r.received_at, "kind": "reception",
            "title": _("Reception: {who} ({channel})").format(who=who, channel=r.get_channel_display()),
            "summary": " · ".join(filter(None, [r.get_intent_display(), r.questions[:120], r.next_step[:120]])),
            "url": reverse("reception:record_detail", args=[r.pk]),
            "intent": r.intent, "owner": r.owner.display_name,
            # For the activity timeline (salesflow.core.activity).
            "label": label, "actor": r.owner.display_name,
        })
    return rows


def timeline_for_customer(user, customer_id: int, limit: int = 50) -> list[dict]:
    """Reception records of a customer the user may open, newest first, as {at, kind, title, summary, url}."""
    from salesflow.crm.models import Customer

    if not has_capability(user, "reception.view") or \
            not Customer.objects.visible_to(user).filter(pk=customer_id).exists():
        return []
    records = (ReceptionRecord.objects.filter(customer_id=customer_id).select_related("owner")
               .order_by("-received_at", "-id")[:limit])
    return _entries(records)


def activity_source(user, *, customer_id: int | None = None, opportunity_id: int | None = None,
                    limit: int = 50) -> list[dict]:
    """The reception records on the activity timeline of a customer or an opportunity (registered in apps.py)."""
    if opportunity_id is not None:
        return timeline_for_opportunity(user, opportunity_id, limit=limit)
    if customer_id is not None:
        return timeline_for_customer(user, customer_id, limit=limit)
    return []


def timeline_for_opportunity(user, opp_id: int, limit: int = 50) -> list[dict]:
    """Reception records linked to an opportunity the user may open, newest first."""
    from salesflow.deals.models import Opportunity

    if not has_capability(user, "reception.view") or \
            not Opportunity.objects.visible_to(user).filter(pk=opp_id).exists():
        return []
    records = (ReceptionRecord.objects.filter(opportunity_id=opp_id).select_related("owner")
               .order_by("-received_at", "-id")[:limit])
    return _entries(records)


STATUS_BADGE = {
    ProspectStatus.REGISTERED: "info", ProspectStatus.FILE_SUBMITTED: "primary",
    ProspectStatus.CUSTOMER_FILED: "warning", ProspectStatus.DEAL_DONE: "success", ProspectStatus.HANDED_OVER: "dark",
    ProspectStatus.DROPPED: "secondary",
}
STATUS_HELP = {
    ProspectStatus.REGISTERED: gettext_lazy("Registered; with purchase intent the consultant builds the customer file "
                                            "and sends it to the supervisor (E4)."),
    ProspectStatus.FILE_SUBMITTED: gettext_lazy("The consultant sent the customer file; the supervisor registers it "
                                                "with the prospect file (D5)."),
    ProspectStatus.CUSTOMER_FILED: gettext_lazy("Customer file registered; the consultant prepares the negotiation."),
    ProspectStatus.DEAL_DONE: gettext_lazy("Deal done; hand the file to a customer-service supervisor."),
    ProspectStatus.HANDED_OVER: gettext_lazy("With customer service (R15)."),
    ProspectStatus.DROPPED: gettext_lazy("Dropped."),
}


# --- pickers -----------------------------------------------------------------------------------------------

def prospect_picker(*, user, open_only: bool = False) -> QuerySet[Prospect]:
    """Prospects a reception record may be linked to, in ``user``'s data scope, newest first; ``open_only``:
    those still being worked (before the deal)."""
    qs = Prospect.objects.visible_to(user)
    if open_only:
        qs = qs.filter(status__in=WORKED_PROSPECT_STATUSES)
    return qs.order_by("-id")


# --- the 营销主管 of an office (002 D2.4 "营销主管的准客户的确认") -----------------------------------------------

def _chain(unit_id: int | None) -> tuple[list[int], int | None]:
    """The unit and those above it, nearest first, and the sales office among them (None above offices)."""
    from salesflow.org.models import OrgUnit, UnitKind

    if unit_id is None:
        return [], None
    path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or ""
    ids = [int(part) for part in reversed(path.split("/")) if part]
    offices = set(OrgUnit.objects.filter(pk__in=ids, kind=UnitKind.OFFICE).values_list("pk", flat=True))
    return ids, next((pk for pk in ids if pk in offices), None)


def marketing_leads_for(*, unit_id: int | None) -> list:
    """Who holds the 营销主管 function for a prospect of ``unit_id``: the person its office names
    (OfficeMarketingLead), else — by default — the sales supervisor(s) nearest above the prospect within its office
    (a team's supervisor, or the office's own). Nobody when the office has neither (name one)."""
    ids, office = _chain(unit_id)
    if not ids:
        return []
    if office is not None:
        named = OfficeMarketingLead.objects.filter(office_id=office, user__isnull=False,
                                                   user__is_active=True).select_related("user").first()
        if named is not None:
            return [named.user]
    return _nearest_supervisors(ids, office)


def nearest_supervisors(*, unit_id: int | None) -> list:
    """The sales supervisor(s) nearest above ``unit_id`` within its sales office (a team's, else the office's)."""
    ids, office = _chain(unit_id)
    return _nearest_supervisors(ids, office) if ids else []


def _nearest_supervisors(ids: list[int], office: int | None) -> list:
    from salesflow.org.roles import Role
    from salesflow.org.selectors import users_holding

    within = ids[:ids.index(office) + 1] if office is not None else ids[:1]
    by_unit: dict[int, list] = {}
    for user in users_holding(Role.SUPERVISOR).filter(unit_id__in=within).order_by("pk"):
        by_unit.setdefault(user.unit_id, []).append(user)
    return next((by_unit[pk] for pk in within if pk in by_unit), [])


@dataclass
class OfficeLeadRow:
    office: object
    named: object | None  # the user the office named, or None
    defaults: list  # the sales supervisors the function falls to without a name
    candidates: list  # who may be named: supervisors and managers whose scope covers the office


def marketing_lead_offices(*, user) -> list[OfficeLeadRow]:
    """The sales offices in ``user``'s scope with their 营销主管 — for those who name them (a region's manager, the
    director, the administrator). A fixed number of queries, however many offices."""
    from salesflow.org.models import OrgUnit, UnitKind
    from salesflow.org.roles import Role
    from salesflow.org.scope import data_scope
    from salesflow.org.selectors import users_holding

    if not has_capability(user, "prospect.name_marketing_lead"):
        raise PermissionRefused()
    scope = data_scope(user)
    offices = OrgUnit.objects.filter(kind=UnitKind.OFFICE).select_related("parent").order_by("path")
    if not scope.sees_all:
        offices = offices.filter(pk__in=scope.unit_ids)
    offices = list(offices)
    named = {row.office_id: row.user for row in OfficeMarketingLead.objects.filter(
        office_id__in=[o.pk for o in offices], user__isnull=False, user__is_active=True).select_related("user")}
    supervisors = list(users_holding(Role.SUPERVISOR).select_related("unit").order_by("unit__path", "pk"))
    managers = list(users_holding(Role.MANAGER).select_related("unit").order_by("unit__path", "pk"))
    rows = []
    for office in offices:
        own = [u for u in supervisors if u.unit_id == office.pk]
        teams = [u for u in supervisors if u.unit_id != office.pk and u.unit is not None
                 and u.unit.path.startswith(office.path)]
        above = set(office.ancestor_ids)
        candidates = [u for u in supervisors + managers if u.unit_id in above]
        rows.append(OfficeLeadRow(office=office, named=named.get(office.pk), defaults=own or teams,
                                  candidates=candidates))
    return rows
