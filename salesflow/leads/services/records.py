"""A lead's own life: create, screen (need, purchasing power, credit → score and level), first contact, and
conversion into a customer file and an opportunity."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.audit.events import snapshot
from salesflow.core.chinese import name_key
from salesflow.core.errors import AppError, Conflict, ValidationFailed
from salesflow.org.models import User
from salesflow.org.selectors import region_of
from salesflow.pool.policies import policy_for

from .. import error_codes as codes
from .. import events
from ..models import (
    LEAD_FLOW,
    Lead,
    LeadStatus,
    Level,
)
from .common import (
    AUDITED_FIELDS,
    _check_target,
    _locked,
    _raise_duplicates,
    clean_lead,
    lead_find_duplicates,
    lead_score,
)

# --- create --------------------------------------------------------------------------------------------

@transaction.atomic
def lead_create(*, by, data: dict, owner: User | None = None, confirm_duplicates: bool = False) -> Lead:
    """A new lead: given an owner it is assigned at once, otherwise it waits in the pool of the creator's unit."""
    Lead.role_require("create", by=by)
    cleaned, errors = clean_lead(data)
    if errors:
        raise ValidationFailed(errors)
    if owner is not None:
        _check_target(by, owner)
    if not confirm_duplicates:
        duplicates = lead_find_duplicates(name=cleaned["name"], credit_code=cleaned["credit_code"],
                                          phone_digits=cleaned["phone_digits"], viewer=by)
        if duplicates:
            _raise_duplicates(duplicates)
    unit = owner.unit if owner else by.unit
    lead = Lead(**cleaned, name_key=name_key(cleaned["name"]), owner=owner, unit=unit, region=region_of(unit),
                created_by=by, status=LeadStatus.ASSIGNED if owner else LeadStatus.NEW,
                assigned_at=timezone.now() if owner else None)
    lead.save()
    events.LEAD_CREATED.record(by=by, obj=lead, after=snapshot(lead, AUDITED_FIELDS))
    return lead


# --- screening -----------------------------------------------------------------------------------------

@transaction.atomic
def lead_screen(*, by, lead: Lead, need: str, purchasing_power: str, credit: str, note: str = "") -> Lead:
    """筛选: record the three assessments, score them with the rules; below the threshold the lead is parked."""
    Lead.role_require("screen", by=by)
    lead = _locked(by, lead.pk)
    lead.require_permitted("screen", by=by)
    if lead.owner_id is None:
        raise Conflict(codes.LEAD_NOT_IN_POOL, _("Claim the lead before screening it."))
    errors = {key: [_("Choose a level.")] for key, value in
              (("need", need), ("purchasing_power", purchasing_power), ("credit", credit)) if value not in Level.values}
    if errors:
        raise ValidationFailed(errors)
    score = lead_score(need=need, purchasing_power=purchasing_power, credit=credit)
    threshold = policy_for(lead.unit).qualify_threshold
    action = "qualify" if score >= threshold else "park"
    before = {"status": lead.status, "score": lead.score}
    lead.status = LEAD_FLOW.next(lead.status, action)
    lead.need, lead.purchasing_power, lead.credit = need, purchasing_power, credit
    lead.score, lead.screened_at = score, timezone.now()
    lead.save(update_fields=["need", "purchasing_power", "credit", "score", "screened_at", "status", "updated_at"])
    events.LEAD_SCREENED.record(by=by, obj=lead, before=before, note=note,
                                after={"status": lead.status, "score": score, "threshold": threshold, "need": need,
                         "purchasing_power": purchasing_power, "credit": credit})
    return lead


@transaction.atomic
def lead_mark_contacted(*, by, lead: Lead, note: str = "") -> Lead:
    Lead.role_require("contact", by=by)
    lead = _locked(by, lead.pk)
    lead.require_permitted("contact", by=by)
    if lead.owner_id is None:
        raise Conflict(codes.LEAD_NOT_IN_POOL, _("Claim the lead before contacting it."))
    lead.require("contact", by=by)  # a converted lead refuses
    before = {"status": lead.status, "contacted_at": lead.contacted_at}
    if LEAD_FLOW.can(lead.status, "contact"):
        # Only "assigned" moves on; a lead already further along just gets its contact time.
        lead.status = LEAD_FLOW.next(lead.status, "contact")
    lead.contacted_at = lead.contacted_at or timezone.now()
    lead.overdue_at = None
    lead.save(update_fields=["status", "contacted_at", "overdue_at", "updated_at"])
    events.LEAD_CONTACTED.record(by=by, obj=lead, before={"status": before["status"]},
                                 after={"status": lead.status}, note=note)
    return lead


# --- conversion ----------------------------------------------------------------------------------------

@transaction.atomic
def lead_convert(*, by, lead: Lead, customer_id: int | None = None, opportunity: dict | None = None,
                 confirm_duplicates: bool = False) -> Lead:
    """A qualified lead becomes a customer file (or joins an existing one) and an opportunity, in one step:
    everything the lead knows is carried over, so nobody types it twice."""
    from salesflow.crm.models import Customer
    from salesflow.crm.services import customer_create
    from salesflow.deals.services import opportunity_create

    Lead.role_require("convert", by=by)
    lead = _locked(by, lead.pk)
    lead.require_permitted("convert", by=by)
    if lead.owner_id is None:
        raise Conflict(codes.LEAD_NOT_IN_POOL, _("Claim the lead before converting it."))
    if not lead.open_for("convert"):
        raise AppError(codes.LEAD_NOT_QUALIFIED, _("Only a qualified lead can be converted; screen it first."),
                       status=409)
    owner = lead.owner
    if customer_id:
        customer = Customer.objects.visible_to(by).filter(pk=customer_id).first()
        if customer is None:
            raise ValidationFailed({"customer": [_("Choose one of your customers.")]})
    else:
        contacts = [{"name": lead.contact_name or lead.name, "phone": lead.phone, "is_primary": True}] \
            if (lead.contact_name or lead.phone) else []
        customer = customer_create(
            by=by, owner=owner, confirm_duplicates=confirm_duplicates, contacts=contacts,
            data={"name": lead.name, "credit_code": lead.credit_code, "province": lead.province, "city": lead.city,
                  "industry": lead.industry, "source": lead.channel,
                  "region": str(lead.region_id) if lead.region_id else "",
                  "notes": "\n".join(filter(None, [lead.campaign and _("Campaign: {name}").format(name=lead.campaign),
                                                   lead.need_notes]))})
    data = {"name": lead.name, "amount": lead.estimated_amount, "products": lead.need_notes}
    data.update({k: v for k, v in (opportunity or {}).items() if v not in (None, "")})
    opp = opportunity_create(by=by, customer_id=customer.pk, data=data, owner=owner, source_lead_id=lead.pk)
    before = {"status": lead.status}
    lead.status = LEAD_FLOW.next(lead.status, "convert")
    lead.customer_id, lead.opportunity_id, lead.converted_at = customer.pk, opp.pk, timezone.now()
    lead.save(update_fields=["status", "customer_id", "opportunity_id", "converted_at", "updated_at"])
    events.LEAD_CONVERTED.record(by=by, obj=lead, customer_id=customer.pk, before=before,
                                 after={"status": lead.status, "customer": customer.pk, "opportunity": opp.pk})
    return lead
