"""Every change to visit plans and visit logs: check permission, lock, check, write, audit — in one transaction.

Lock order (so two writers never wait on each other in a cycle): the plan, then the customer, then the lead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.parsers import FieldError, parse_date, parse_datetime, parse_decimal, parse_field
from salesflow.notifications.services import notify
from salesflow.org.roles import has_capability

from . import error_codes as codes
from . import events
from .models import (
    PLAN_FLOW,
    WORK_LOG_FLOW,
    WORK_LOG_TEXTS,
    PlannedVisit,
    PlanPeriod,
    PlanStatus,
    VisitKind,
    VisitLog,
    VisitPlan,
    VisitReminder,
    WorkLog,
    WorkLogStatus,
    decides_plans,
    period_bounds,
)

TEXT_LIMITS = {"contact_name": 64, "outcome": 4000, "next_step": 500, "notes": 4000, "address": 255}
# A check-in may say the visit happened a little after the server's clock (a phone's clock runs ahead).
CLOCK_SLACK = dt.timedelta(minutes=10)


def _require(by, capability: str) -> None:
    if not has_capability(by, capability):
        raise PermissionRefused()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def local_today(now: dt.datetime | None = None) -> dt.date:
    return _local_date(now or timezone.now())


def _iso(value):
    return value.isoformat() if value is not None else None


def _as_int(value, field: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        errors[field] = [_("Not a valid choice.")]
        return None


# --- plans ---------------------------------------------------------------------------------------------

def _plan_locked(by, plan_id: int) -> VisitPlan:
    plan = (VisitPlan.objects.visible_to(by).select_for_update(of=("self",)).select_related("owner")
            .filter(pk=plan_id).first())
    if plan is None:
        raise NotFound(_("Visit plan not found."))
    return plan


@transaction.atomic
def plan_create(*, by, period: str, day: dt.date, focus: str = "", today: dt.date | None = None) -> VisitPlan:
    """A rep designs their own month / week / day plan (002 流程1 step 1)."""
    _require(by, "visit.plan")
    errors: dict = {}
    if period not in PlanPeriod.values:
        errors["period"] = [_("Choose a month, a week or a day.")]
    day = parse_field(errors, "day", parse_date, day)
    if day is None and "day" not in errors:
        errors["day"] = [_("This field is required.")]
    focus = _text(focus)
    if len(focus) > 2000:
        errors["focus"] = [_("At most {n} characters.").format(n=2000)]
    if errors:
        raise ValidationFailed(errors)
    starts_on, ends_on = period_bounds(period, day)
    if ends_on < (today or local_today()):
        raise ValidationFailed({"day": [_("This period is over; plan a current or a coming one.")]})
    if VisitPlan.objects.filter(owner=by, period=period, starts_on=starts_on).exists():
        raise Conflict(codes.PLAN_EXISTS, _("You already have a plan for this period."), fields={"day": [
            _("You already have a plan for this period.")]})
    plan = VisitPlan(owner=by, unit_id=by.unit_id, period=period, starts_on=starts_on, ends_on=ends_on, focus=focus)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise Conflict(codes.PLAN_EXISTS, _("You already have a plan for this period.")) from None
    events.VISIT_PLAN_CREATED.record(by=by, obj=plan, after={
        "period": period, "starts_on": _iso(starts_on), "ends_on": _iso(ends_on), "owner": by.pk})
    return plan


def _clean_item(by, plan: VisitPlan, data: dict, *, partial: bool = False, current: PlannedVisit | None = None
                ) -> dict:
    from salesflow.crm.models import Customer
    from salesflow.leads.models import Lead, LeadStatus

    errors: dict = {}
    cleaned: dict = {}
    if not partial or "customer_id" in data:
        customer_id = _as_int(data.get("customer_id"), "customer", errors)
        cleaned["customer"] = None
        if customer_id:
            cleaned["customer"] = Customer.objects.visible_to(by).filter(pk=customer_id).first()
            if cleaned["customer"] is None:
                errors["customer"] = [_("Choose one of your customers.")]
    if not partial or "lead_id" in data:
        lead_id = _as_int(data.get("lead_id"), "lead", errors)
        cleaned["lead"] = None
        if lead_id:
            cleaned["lead"] = Lead.objects.visible_to(by).exclude(status=LeadStatus.CONVERTED).filter(
                pk=lead_id).first()
            if cleaned["lead"] is None:
                errors["lead"] = [_("Choose one of your leads.")]
    if not partial or "target" in data:
        cleaned["target"] = _text(data.get("target"))
        if len(cleaned["target"]) > 200:
            errors["target"] = [_("At most {n} characters.").format(n=200)]
    if not partial or "purpose" in data:
        cleaned["purpose"] = _text(data.get("purpose"))
        if len(cleaned["purpose"]) > 500:
            errors["purpose"] = [_("At most {n} characters.").format(n=500)]
    if not partial or "planned_on" in data:
        planned_on = parse_field(errors, "planned_on", parse_date, data.get("planned_on"))
        if planned_on is None and "planned_on" not in errors:
            errors["planned_on"] = [_("This field is required.")]
        elif planned_on is not None and not plan.starts_on <= planned_on <= plan.ends_on:
            errors["planned_on"] = [_("Pick a date from {start} to {end}.").format(
                start=plan.starts_on.isoformat(), end=plan.ends_on.isoformat())]
        cleaned["planned_on"] = planned_on
    if not partial or data.get("kind"):
        kind = _text(data.get("kind"))
        if kind and kind not in VisitKind.values:
            errors["kind"] = [_("Choose a new customer visit or a return visit.")]
        has_customer = cleaned.get("customer") or (current is not None and current.customer_id)
        cleaned["kind"] = kind or (VisitKind.RETURN if has_customer else VisitKind.NEW)
    merged = {key: cleaned.get(key, getattr(current, key, None)) for key in ("customer", "lead", "target")}
    if not errors and not (merged["customer"] or merged["lead"] or merged["target"]):
        errors["customer"] = [_("Choose a customer or a lead, or write whom you will visit.")]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _begin_edit(by, plan_id: int, comment: str) -> tuple[VisitPlan, str | None]:
    """Lock the plan and decide who is changing it: the rep (a draft: None), the manager adjusting it ("adjust")
    or the supervisor preparing it for the manager ("prepare"), both with a comment. Returns (plan, action)."""
    plan = _plan_locked(by, plan_id)
    if plan.is_owner(by):
        plan.require_permitted("edit", by=by)
        if not plan.open_for("edit"):
            raise Conflict(codes.PLAN_NOT_EDITABLE,
                           _("This plan has been submitted; only your supervisor or manager can change it now."))
        return plan, None
    action = "adjust" if plan.is_decider(by) else "prepare"
    plan.require_permitted(action, by=by)
    if plan.status == PlanStatus.DRAFT:
        # A draft is the rep's own work in progress: nobody else may touch it yet.
        raise PermissionRefused(_("The rep is still writing this plan; it can be adjusted once it is submitted."))
    if not plan.open_for(action):
        # R17: once the manager has fixed the plan, a supervisor no longer changes it.
        raise Conflict(codes.PLAN_FIXED, _("The sales manager has fixed this plan; only they can change it now."))
    if not _text(comment):
        raise ValidationFailed({"comment": [_("Say why you change the plan; the rep will read it.")]})
    return plan, action


def _adjusted(by, plan: VisitPlan, comment: str, change: str, action: str = "adjust") -> None:
    """A reviewer changed a planned visit: the manager's change fixes the plan with changes, the supervisor's
    prepares it for the manager; the rep is told either way."""
    before = plan.status
    plan.status = PLAN_FLOW.next(plan.status, action)
    plan.reviewed_by, plan.reviewed_at, plan.review_comment = by, timezone.now(), _text(comment)[:2000]
    plan.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    label, reviewer = plan.label, by.display_name
    if action == "prepare":
        if before != plan.status:
            events.VISIT_PLAN_PREPARED.record(by=by, obj=plan, before={"status": before},
                                              after={"status": plan.status}, note=plan.review_comment)
            _tell_manager(by, plan)
        notify([plan.owner], kind="visit_plan.adjusted",
               title=lambda: _("{name} changed your visit plan {period} for the manager").format(
                   name=reviewer, period=label),
               body=lambda: f"{change}\n{plan.review_comment}", url=reverse("visits:plan_detail", args=[plan.pk]))
        return
    if before != plan.status:
        events.VISIT_PLAN_ADJUSTED.record(by=by, obj=plan, before={"status": before},
                                          after={"status": plan.status}, note=plan.review_comment)
    notify([plan.owner], kind="visit_plan.adjusted",
           title=lambda: _("{name} adjusted your visit plan {period}").format(name=reviewer, period=label),
           body=lambda: f"{change}\n{plan.review_comment}", url=reverse("visits:plan_detail", args=[plan.pk]))


def _tell_manager(by, plan: VisitPlan) -> None:
    """The supervisor prepared a plan: the supervisor's own manager (the sales manager) decides it."""
    head = by.manager if by.manager_id else None
    if head is not None and head.is_active and decides_plans(head):
        label, rep, supervisor = plan.label, plan.owner.display_name, by.display_name
        notify([head], kind="visit_plan.prepared",
               title=lambda: _("{supervisor} prepared {name}'s visit plan {period} for your decision").format(
                   supervisor=supervisor, name=rep, period=label),
               url=reverse("visits:plan_detail", args=[plan.pk]))


def _item_repr(item: PlannedVisit) -> dict:
    return {"customer": item.customer_id, "lead": item.lead_id, "target": item.target,
            "planned_on": item.planned_on.isoformat(), "purpose": item.purpose, "kind": item.kind}


@transaction.atomic
def plan_item_add(*, by, plan: VisitPlan, data: dict, comment: str = "") -> PlannedVisit:
    plan, adjusting = _begin_edit(by, plan.pk, comment)
    cleaned = _clean_item(by, plan, data)
    item = PlannedVisit.objects.create(plan=plan, added_by=by, **cleaned)
    events.VISIT_PLAN_ITEM_ADDED.record(by=by, obj=plan, after=_item_repr(item),
                                        note=_text(comment)[:500])
    if adjusting:
        _adjusted(by, plan, comment, _("Added: {name} on {day}").format(name=item.target_name,
                                                                       day=item.planned_on.isoformat()),
                  action=adjusting)
    return item


def _item(plan: VisitPlan, item_id) -> PlannedVisit:
    item = plan.items.select_related("customer", "lead").filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Planned visit not found."))
    return item


@transaction.atomic
def plan_item_update(*, by, plan: VisitPlan, item_id: int, data: dict, comment: str = "") -> PlannedVisit:
    """Move a planned visit to another day, or change its purpose, kind or target."""
    plan, adjusting = _begin_edit(by, plan.pk, comment)
    item = _item(plan, item_id)
    cleaned = _clean_item(by, plan, data, partial=True, current=item)
    before = _item_repr(item)
    for key, value in cleaned.items():
        setattr(item, key, value)
    item.save()
    after = _item_repr(item)
    if after != before:
        events.VISIT_PLAN_ITEM_CHANGED.record(by=by, obj=plan, before=before, after=after,
                                              note=_text(comment)[:500])
        if adjusting:
            change = (_("Moved: {name} from {old} to {new}").format(name=item.target_name, old=before["planned_on"],
                                                                   new=after["planned_on"])
                      if before["planned_on"] != after["planned_on"]
                      else _("Changed: {name} on {day}").format(name=item.target_name, day=after["planned_on"]))
            _adjusted(by, plan, comment, change, action=adjusting)
    return item


@transaction.atomic
def plan_item_remove(*, by, plan: VisitPlan, item_id: int, comment: str = "") -> None:
    plan, adjusting = _begin_edit(by, plan.pk, comment)
    item = _item(plan, item_id)
    before, name = _item_repr(item), item.target_name
    item.delete()
    events.VISIT_PLAN_ITEM_REMOVED.record(by=by, obj=plan, before=before, note=_text(comment)[:500])
    if adjusting:
        _adjusted(by, plan, comment, _("Removed: {name} on {day}").format(name=name, day=before["planned_on"]),
                  action=adjusting)


@transaction.atomic
def plan_submit(*, by, plan: VisitPlan) -> VisitPlan:
    """The rep hands the plan to their supervisor or manager (reported at the Saturday meeting, 002 流程1 step 2)."""
    VisitPlan.role_require("submit", by=by)
    plan = _plan_locked(by, plan.pk)
    plan.require_permitted("submit", by=by)
    if not plan.items.exists():
        raise Conflict(codes.PLAN_EMPTY, _("Add at least one planned visit before submitting the plan."))
    plan.status = PLAN_FLOW.next(plan.status, "submit")
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["status", "submitted_at", "updated_at"])
    events.VISIT_PLAN_SUBMITTED.record(by=by, obj=plan, before={"status": PlanStatus.DRAFT},
                                       after={"status": plan.status})
    head = plan.owner.manager if plan.owner.manager_id else None
    if head is not None and head.is_active:
        label, rep = plan.label, plan.owner.display_name
        notify([head], kind="visit_plan.submitted",
               title=lambda: _("{name} submitted the visit plan {period}").format(name=rep, period=label),
               url=reverse("visits:plan_detail", args=[plan.pk]))
    return plan


def _review(by, plan: VisitPlan, action: str, comment: str) -> VisitPlan:
    plan = _plan_locked(by, plan.pk)
    plan.require_permitted(action, by=by)
    plan.status = PLAN_FLOW.next(plan.status, action)
    plan.reviewed_by, plan.reviewed_at, plan.review_comment = by, timezone.now(), _text(comment)[:2000]
    plan.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    return plan


@transaction.atomic
def plan_approve(*, by, plan: VisitPlan, comment: str = "") -> VisitPlan:
    """The reviewer's approval. The sales manager's (or leadership's) fixes the plan (002 流程1 step 2: "并最终确定"),
    whether or not a supervisor prepared it first; a supervisor's approval prepares it for the manager (R17)."""
    locked = _plan_locked(by, plan.pk)
    if locked.is_preparer(by):
        return _prepare(by, locked, comment)
    before = locked.status
    plan = _review(by, locked, "approve", comment)
    events.VISIT_PLAN_APPROVED.record(by=by, obj=plan, before={"status": before},
                                      after={"status": plan.status}, note=plan.review_comment)
    label, reviewer, text = plan.label, by.display_name, plan.review_comment
    notify([plan.owner], kind="visit_plan.approved",
           title=lambda: _("{name} approved your visit plan {period}").format(name=reviewer, period=label),
           body=lambda: text, url=reverse("visits:plan_detail", args=[plan.pk]))
    return plan


def _prepare(by, plan: VisitPlan, comment: str) -> VisitPlan:
    before = plan.status
    plan = _review(by, plan, "prepare", comment)
    events.VISIT_PLAN_PREPARED.record(by=by, obj=plan, before={"status": before}, after={"status": plan.status},
                                      note=plan.review_comment)
    label, reviewer, text = plan.label, by.display_name, plan.review_comment
    notify([plan.owner], kind="visit_plan.prepared",
           title=lambda: _("{name} prepared your visit plan {period} for the manager").format(
               name=reviewer, period=label),
           body=lambda: text, url=reverse("visits:plan_detail", args=[plan.pk]))
    _tell_manager(by, plan)
    return plan


@transaction.atomic
def plan_return(*, by, plan: VisitPlan, comment: str) -> VisitPlan:
    """Back to the rep for rework, with the reviewer's guidance (002 流程1 step 6)."""
    if not _text(comment):
        raise ValidationFailed({"comment": [_("Say what the rep should change.")]})
    before = plan.status
    plan = _review(by, plan, "return", comment)
    events.VISIT_PLAN_RETURNED.record(by=by, obj=plan, before={"status": before},
                                      after={"status": plan.status}, note=plan.review_comment)
    label, reviewer, text = plan.label, by.display_name, plan.review_comment
    notify([plan.owner], kind="visit_plan.returned",
           title=lambda: _("{name} sent your visit plan {period} back").format(name=reviewer, period=label),
           body=lambda: text, url=reverse("visits:plan_detail", args=[plan.pk]))
    return plan


def plans_follow_owner_unit(*, user, by) -> int:
    """A rep moved to another team: their current and coming plans move into the new unit's scope (past plans
    and visit logs stay where the work was done)."""
    return (VisitPlan.objects.filter(owner=user, ends_on__gte=local_today()).exclude(unit_id=user.unit_id)
            .update(unit=user.unit_id))


def planned_visits_follow_customer(*, changes: dict, new_owner, by, at, note: str = "") -> int:
    """``crm.hooks.CUSTOMER_OWNER_CHANGED`` (issue #15): the customers' visits still to come in the plans of
    anybody but the new owner are taken out of those plans (cancelled), one ``visit_plan.item_removed`` event
    each on its plan. They are not moved into the new owner's plans: a plan is the rep's own, reviewed and fixed
    by the manager (R17), so the new owner plans their own visit. Visits already made (logged) and days past
    stay: they are what was done. The plans keep their status; their rows are locked after the customers'."""
    from salesflow.audit.events import record_many

    today = local_today(at)
    items = (PlannedVisit.objects.filter(customer_id__in=list(changes), planned_on__gte=today)
             .exclude(Exists(VisitLog.objects.filter(planned_visit=OuterRef("pk")))))
    if new_owner is not None:
        items = items.exclude(plan__owner=new_owner)
    plan_ids = sorted(set(items.values_list("plan_id", flat=True)))
    if not plan_ids:
        return 0
    list(VisitPlan.objects.select_for_update(of=("self",)).filter(pk__in=plan_ids).order_by("pk")
         .values_list("pk", flat=True))
    rows = list(items.filter(plan_id__in=plan_ids).order_by("pk"))
    PlannedVisit.objects.filter(pk__in=[item.pk for item in rows]).delete()
    reason = (_("Customer handed over with its relationship") if new_owner is not None
              else _("Customer returned to the public pool"))
    record_many(events.VISIT_PLAN_ITEM_REMOVED.row(
        by=by, object_type="visits.visitplan", object_id=item.plan_id, customer_id=item.customer_id,
        before=_item_repr(item), note=f"{reason}: {note}"[:500] if note else reason)
        for item in rows)
    return len(rows)


# --- visit logs ----------------------------------------------------------------------------------------

def _clean_location(location: dict | None, errors: dict) -> tuple:
    """(latitude, longitude, accuracy) from the browser's Geolocation API, or Nones: no permission, no fix."""
    if not location:
        return None, None, None
    raw_lat, raw_lon = location.get("latitude"), location.get("longitude")
    if raw_lat in (None, "") and raw_lon in (None, ""):
        return None, None, None
    try:
        lat = parse_decimal(raw_lat, places=6, low=Decimal(-90), high=Decimal(90))
        lon = parse_decimal(raw_lon, places=6, low=Decimal(-180), high=Decimal(180))
    except FieldError:
        errors["location"] = [_("The position sent by the browser is not valid.")]
        return None, None, None
    accuracy = location.get("accuracy")
    try:
        accuracy = None if accuracy in (None, "") else max(0, round(float(accuracy)))
    except (TypeError, ValueError):
        accuracy = None
    return lat, lon, accuracy


def clean_visit_log(by, data: dict, *, now: dt.datetime) -> tuple[dict, dict]:
    """(cleaned values, errors by field) for a new visit log; shared by the pages and the API."""
    from salesflow.crm.models import Customer
    from salesflow.deals.models import Opportunity
    from salesflow.leads.models import Lead, LeadStatus

    errors: dict = {}
    cleaned: dict = {}
    for key, limit in TEXT_LIMITS.items():
        cleaned[key] = _text(data.get(key))
        if len(cleaned[key]) > limit:
            errors[key] = [_("At most {n} characters.").format(n=limit)]
    if not cleaned["outcome"] and "outcome" not in errors:
        errors["outcome"] = [_("Write what came out of the visit.")]

    customer = lead = opportunity = planned = None
    customer_id = _as_int(data.get("customer_id"), "customer", errors)
    if customer_id:
        customer = Customer.objects.visible_to(by).filter(pk=customer_id).first()
        if customer is None:
            errors["customer"] = [_("Choose one of your customers.")]
    lead_id = _as_int(data.get("lead_id"), "lead", errors)
    if lead_id:
        lead = Lead.objects.visible_to(by).filter(pk=lead_id).first()
        if lead is None:
            errors["lead"] = [_("Choose one of your leads.")]
        elif lead.status == LeadStatus.CONVERTED and lead.customer_id != customer_id:
            errors["lead"] = [_("This lead has become a customer file: log the visit on the customer.")]
        elif lead.owner_id is None:
            errors["lead"] = [_("Claim the lead from the pool before logging a visit.")]
    if not (customer_id or lead_id) and "customer" not in errors:
        errors["customer"] = [_("Choose the customer (or the lead) you visited.")]
    opportunity_id = _as_int(data.get("opportunity_id"), "opportunity", errors)
    if opportunity_id:
        opportunity = Opportunity.objects.visible_to(by).filter(pk=opportunity_id).first()
        if opportunity is None or customer is None or opportunity.customer_id != customer.pk:
            errors["opportunity"] = [_("Choose an opportunity of this customer.")]
    planned_id = _as_int(data.get("planned_visit_id"), "planned_visit", errors)
    if planned_id:
        planned = PlannedVisit.objects.filter(pk=planned_id, plan__owner=by).first()
        if planned is None:
            errors["planned_visit"] = [_("Choose one of your planned visits.")]
        elif (planned.customer_id and planned.customer_id != customer_id) or (
                planned.lead_id and not planned.customer_id and planned.lead_id != lead_id):
            errors["planned_visit"] = [_("This planned visit is for somebody else.")]

    kind = _text(data.get("kind")) or (VisitKind.RETURN if customer_id else VisitKind.NEW)
    if kind not in VisitKind.values:
        errors["kind"] = [_("Choose a new customer visit or a return visit.")]
    visited_at = parse_field(errors, "visited_at", parse_datetime, data.get("visited_at"), fallback=now, blank=now)
    if visited_at > now + CLOCK_SLACK:
        errors["visited_at"] = [_("A visit is logged after it happened, not before.")]
    elif visited_at < now - dt.timedelta(days=settings.VISIT_BACKDATE_DAYS):
        # Issue #15: a visit log is a check-in, not a diary written later; the demo back-dates through ``now``.
        errors["visited_at"] = [_("A visit is logged within {days} days of happening.").format(
            days=settings.VISIT_BACKDATE_DAYS)]
    visited_on = _local_date(visited_at)
    next_followup_on = parse_field(errors, "next_followup_on", parse_date, data.get("next_followup_on"))
    if next_followup_on is not None and next_followup_on <= visited_on:
        errors["next_followup_on"] = [_("The next follow-up comes after the visit.")]
    lat, lon, accuracy = _clean_location(data.get("location"), errors)
    sheet = _clean_sheet(data.get("sheet"), customer_id, errors)
    cleaned.update(kind=kind, customer=customer, lead=lead, opportunity=opportunity, planned_visit=planned,
                   visited_at=visited_at, visited_on=visited_on, next_followup_on=next_followup_on,
                   latitude=lat, longitude=lon, accuracy_m=accuracy if lat is not None else None)
    return cleaned | {"sheet": sheet}, errors


def _clean_sheet(raw, customer_id, errors: dict) -> dict:
    """R17 (002 流程1 step 4): the answers of the target-customer information sheet given with a customer visit
    (keys of ``crm.validation.SHEET_FIELDS``; a missing key stays as it is). Errors go under "sheet_<field>"."""
    from salesflow.crm.validation import SHEET_FIELDS, clean_sheet

    if not raw:
        return {}
    if not isinstance(raw, dict):
        errors["sheet"] = [_("Not a valid choice.")]
        return {}
    raw = {key: value for key, value in raw.items() if value is not None}
    unknown = set(raw) - set(SHEET_FIELDS)
    for key in unknown:
        errors[f"sheet_{key}"] = [_("This field cannot be changed here.")]
    if not customer_id:
        if any(_text(value) for value in raw.values()):
            errors["sheet"] = [_("The target-customer sheet belongs to a customer: log the visit on the customer.")]
        return {}
    sheet, sheet_errors = clean_sheet({key: raw[key] for key in raw if key in SHEET_FIELDS})
    errors.update({f"sheet_{key}": messages for key, messages in sheet_errors.items()})
    return sheet


def _update_customer_table(by, customer_id: int, log: VisitLog) -> None:
    """R17: after each visit the customer information table (《目标客户基本信息情况统计表》) is brought up to date —
    last contact and next follow-up, by the customer file's service — and the visit goes on the customer's
    timeline, in the log's transaction."""
    from salesflow.crm.services import customer_record_contact

    change = customer_record_contact(customer_id=customer_id, at=log.visited_at,
                                     next_followup_on=log.next_followup_on)
    summary = log.outcome if len(log.outcome) <= 200 else log.outcome[:199] + "…"
    events.VISIT_LOGGED.record(by=by, obj=change.customer, customer_id=customer_id,
                               before={k: _iso(v) for k, v in change.before.items()},
                               after={k: _iso(v) for k, v in change.after.items()},
                               note=_("{kind}: {summary}").format(kind=log.get_kind_display(),
                                                                   summary=summary))


@transaction.atomic
def visit_log_create(*, by, data: dict, now: dt.datetime | None = None) -> VisitLog:
    """Log a visit (拜访记录) with its check-in. ``data["location"]`` is the browser's position
    ({latitude, longitude, accuracy}) or nothing — without it the log is saved and shows "no location".
    ``now`` is the check-in clock; only the demo passes it, to backdate its history."""
    from salesflow.leads.services import lead_mark_contacted

    _require(by, "visit.log")
    now = now or timezone.now()
    cleaned, errors = clean_visit_log(by, data, now=now)
    if errors:
        raise ValidationFailed(errors)
    sheet = cleaned.pop("sheet")
    log = VisitLog(owner=by, unit_id=by.unit_id, checked_in_at=now, **cleaned)
    log.save()
    if log.customer_id:
        _update_customer_table(by, log.customer_id, log)
        if sheet:
            from salesflow.crm.services import customer_update_sheet

            customer_update_sheet(by=by, customer_id=log.customer_id, data=sheet, at=now,
                                  note=_("Visit on {day}").format(day=log.visited_on.isoformat()))
    else:
        events.VISIT_LOGGED.record(by=by, obj=log, note=log.outcome[:200], after={
            "kind": log.kind, "lead": log.lead_id, "visited_at": _iso(log.visited_at),
            "next_followup_on": _iso(log.next_followup_on)})
    lead = log.lead
    if lead is not None and lead.contacted_at is None:
        # The first visit is the lead's first contact: the working-time limit stops running.
        lead_mark_contacted(by=by, lead=lead, note=_("Visited on {day}").format(day=log.visited_on.isoformat()))
    return log


# --- daily work logs (工作日志) ---------------------------------------------------------------------------

def _work_log_locked(by, log_id: int) -> WorkLog:
    log = (WorkLog.objects.visible_to(by).select_for_update(of=("self",)).select_related("owner")
           .filter(pk=log_id).first())
    if log is None:
        raise NotFound(_("Work log not found."))
    return log


def _clean_work_log(data: dict) -> dict:
    errors: dict = {}
    cleaned: dict = {}
    for key, limit in WORK_LOG_TEXTS.items():
        if key in data:
            cleaned[key] = _text(data.get(key))
            if len(cleaned[key]) > limit:
                errors[key] = [_("At most {n} characters.").format(n=limit)]
    if "call_count" in data:
        count = _as_int(data.get("call_count"), "call_count", errors)
        if count is not None and not 0 <= count <= 500:
            errors["call_count"] = [_("Enter a number from {low} to {high}.").format(low=0, high=500)]
        cleaned["call_count"] = count or 0
    if errors:
        raise ValidationFailed(errors)
    return cleaned


@transaction.atomic
def work_log_save(*, by, day, data: dict, today: dt.date | None = None) -> WorkLog:
    """Write (or go on writing) the caller's own work log of ``day`` (002 流程1 step 1: 书面记录每天工作日志): the
    day's calls, meetings, documents prepared, problems and tomorrow's plan. Only the keys in ``data`` change.
    A log handed in is the reviewer's to read: it changes again only once sent back."""
    WorkLog.role_require("edit", by=by)
    errors: dict = {}
    day = parse_field(errors, "day", parse_date, day)
    if day is None and "day" not in errors:
        errors["day"] = [_("This field is required.")]
    elif day is not None and day > (today or local_today()):
        errors["day"] = [_("A work log is written on the day or after it, not before.")]
    if errors:
        raise ValidationFailed(errors)
    cleaned = _clean_work_log(data)
    log = WorkLog.objects.select_for_update(of=("self",)).filter(owner=by, day=day).first()
    if log is None:
        log = WorkLog(owner=by, unit_id=by.unit_id, day=day, **cleaned)
        try:
            with transaction.atomic():
                log.save()
        except IntegrityError:  # the same rep saved the same day in another tab a moment ago
            raise Conflict(codes.WORK_LOG_EXISTS, _("You already have a work log for this day.")) from None
        events.WORK_LOG_CREATED.record(by=by, obj=log, after={"day": _iso(day), **cleaned})
        return log
    log.require_permitted("edit", by=by)
    if not log.open_for("edit"):
        raise Conflict(codes.WORK_LOG_NOT_EDITABLE,
                       _("This work log has been handed in; it changes again only if your supervisor sends it back."))
    before = {key: getattr(log, key) for key in cleaned}
    changed = {key: value for key, value in cleaned.items() if before[key] != value}
    if changed:
        for key, value in changed.items():
            setattr(log, key, value)
        log.save(update_fields=[*changed, "updated_at"])
        events.WORK_LOG_CHANGED.record(by=by, obj=log, before={k: before[k] for k in changed}, after=changed)
    return log


@transaction.atomic
def work_log_submit(*, by, log: WorkLog, now: dt.datetime | None = None) -> WorkLog:
    """Hand the day's log to the supervisor (the reviewer above the rep), who reads it before the Saturday
    meeting. A log with nothing in it — no text and no visit that day — is not handed in. ``now``: only the demo
    passes it, to backdate its history."""
    WorkLog.role_require("submit", by=by)
    log = _work_log_locked(by, log.pk)
    log.require("submit", by=by)
    has_text = log.call_count or any(getattr(log, key) for key in WORK_LOG_TEXTS)
    if not has_text and not VisitLog.objects.filter(owner_id=log.owner_id, visited_on=log.day).exists():
        raise Conflict(codes.WORK_LOG_EMPTY, _("Write what you did today (or log a visit) before handing it in."))
    log.status = WORK_LOG_FLOW.next(log.status, "submit")
    log.submitted_at = now or timezone.now()
    log.save(update_fields=["status", "submitted_at", "updated_at"])
    events.WORK_LOG_SUBMITTED.record(by=by, obj=log, before={"status": WorkLogStatus.DRAFT},
                                     after={"status": log.status, "late": log.submitted_late})
    head = log.owner.manager if log.owner.manager_id else None
    if head is not None and head.is_active:
        rep, day = log.owner.display_name, log.day.isoformat()
        notify([head], kind="work_log.submitted",
               title=lambda: _("{name} handed in the work log of {day}").format(name=rep, day=day),
               url=reverse("visits:work_log_detail", args=[log.pk]))
    return log


@transaction.atomic
def work_log_review(*, by, log: WorkLog, comment: str = "", now: dt.datetime | None = None) -> WorkLog:
    """The supervisor or manager has read the log, with their guidance (002 流程1 step 6)."""
    WorkLog.role_require("review", by=by)
    return _work_log_decide(by, log, "review", comment, now=now)


@transaction.atomic
def work_log_return(*, by, log: WorkLog, comment: str) -> WorkLog:
    """Back to the rep to complete, saying what is missing."""
    WorkLog.role_require("return", by=by)
    if not _text(comment):
        raise ValidationFailed({"comment": [_("Say what the rep should complete.")]})
    return _work_log_decide(by, log, "return", comment)


def _work_log_decide(by, log: WorkLog, action: str, comment: str, now: dt.datetime | None = None) -> WorkLog:
    log = _work_log_locked(by, log.pk)
    log.require(action, by=by)
    before = log.status
    log.status = WORK_LOG_FLOW.next(log.status, action)
    log.reviewed_by, log.reviewed_at, log.review_comment = by, now or timezone.now(), _text(comment)[:2000]
    log.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    event = events.WORK_LOG_REVIEWED if action == "review" else events.WORK_LOG_RETURNED
    event.record(by=by, obj=log, before={"status": before}, after={"status": log.status}, note=log.review_comment)
    reviewer, day, text = by.display_name, log.day.isoformat(), log.review_comment
    if action == "review":
        title = lambda: _("{name} read your work log of {day}").format(name=reviewer, day=day)  # noqa: E731
    else:
        title = lambda: _("{name} sent your work log of {day} back").format(name=reviewer, day=day)  # noqa: E731
    notify([log.owner], kind=f"work_log.{'reviewed' if action == 'review' else 'returned'}", title=title,
           body=lambda: text, url=reverse("visits:work_log_detail", args=[log.pk]))
    return log


# --- reminders -----------------------------------------------------------------------------------------

def reminder_time() -> dt.time:
    value = getattr(settings, "VISIT_REMINDER_TIME", "07:30")
    return dt.time.fromisoformat(value) if isinstance(value, str) else value


def _due_today(today: dt.date) -> list[tuple]:
    """(user, key, kind, name, url) for everything due today: planned visits not yet logged, customers whose
    next follow-up is today, and the latest visit log of a lead whose next follow-up is today."""
    from salesflow.crm.choices import CustomerStatus
    from salesflow.crm.models import Customer

    log_url = reverse("visits:log_create")
    logged = set()
    for owner_id, customer_id, lead_id, planned_id in VisitLog.objects.filter(visited_on=today).values_list(
            "owner_id", "customer_id", "lead_id", "planned_visit_id"):
        logged.update({(owner_id, f"c{customer_id}"), (owner_id, f"l{lead_id}"), (owner_id, f"p{planned_id}")})
    due = []
    for item in (PlannedVisit.objects.filter(planned_on=today, plan__owner__is_active=True)
                 .select_related("plan__owner", "customer", "lead").order_by("pk")):
        owner = item.plan.owner
        target = f"c{item.customer_id}" if item.customer_id else f"l{item.lead_id}" if item.lead_id else \
            f"p{item.pk}"
        if {(owner.pk, target), (owner.pk, f"p{item.pk}")} & logged:
            continue
        due.append((owner, f"visit:{target}", "visit.planned_today", item.target_name,
                    f"{log_url}?planned={item.pk}"))
    for customer in (Customer.objects.filter(next_followup_on=today, status=CustomerStatus.ACTIVE,
                                             owner__is_active=True).select_related("owner").order_by("pk")):
        due.append((customer.owner, f"followup:c{customer.pk}", "visit.followup_due", customer.name,
                    f"{log_url}?customer={customer.pk}"))
    later = VisitLog.objects.filter(lead_id=OuterRef("lead_id"), visited_at__gt=OuterRef("visited_at"))
    for log in (VisitLog.objects.filter(next_followup_on=today, customer__isnull=True, owner__is_active=True)
                .exclude(Exists(later)).select_related("owner", "lead").order_by("pk")):
        due.append((log.owner, f"followup:l{log.lead_id}", "visit.followup_due", log.lead.name,
                    f"{log_url}?lead={log.lead_id}"))
    return due


def reminders_sweep(now: dt.datetime | None = None) -> dict:
    """Morning reminders in the bell: each planned visit and each follow-up due today is told once per day.

    Idempotent and safe with two workers: the reminder row (unique per user, day and item) is inserted in the
    same transaction as the notice; a second sweep's insert waits for the first to commit and then fails, so
    it skips the item instead of telling it twice."""
    now = now or timezone.now()
    local = timezone.localtime(now, timezone.get_default_timezone())
    if local.time() < reminder_time():
        return {"sent": 0}
    today = local.date()
    sent_already = set(VisitReminder.objects.filter(day=today).values_list("user_id", "key"))
    sent = 0
    seen = set()
    for user, key, kind, name, url in sorted(_due_today(today), key=lambda d: (d[0].pk, d[1])):
        if (user.pk, key) in sent_already or (user.pk, key) in seen:
            continue
        seen.add((user.pk, key))
        try:
            with transaction.atomic():
                VisitReminder.objects.create(user=user, day=today, key=key)
                if kind == "visit.planned_today":
                    notify([user], kind=kind, url=url,
                           title=lambda name=name: _("Planned visit today: {name}").format(name=name))
                else:
                    notify([user], kind=kind, url=url,
                           title=lambda name=name: _("Follow-up due today: {name}").format(name=name))
        except IntegrityError:
            continue  # another sweep told this one first
        sent += 1
    return {"sent": sent}
