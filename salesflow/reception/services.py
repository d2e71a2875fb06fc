"""Every change to a reception record or a prospect: check permission, lock, check, write, audit — in one
transaction; notifications are rows in the same transaction, their e-mails leave after commit.

Lock order, so two writers never wait on each other in a cycle: the opportunity (when a win starts it), then
prospects in id order, then reception records, then the customer row.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.audit.events import EventType, record_many, snapshot
from salesflow.core.chinese import name_key
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.parsers import (
    REQUIRED,
    parse_choice,
    parse_credit_code,
    parse_date,
    parse_datetime,
    parse_field,
    parse_phone,
    parse_province,
    text,
)
from salesflow.crm.choices import Industry, SourceChannel
from salesflow.notifications.services import notify
from salesflow.org.heads import whom_to_ask
from salesflow.org.models import User
from salesflow.org.roles import Role, has_capability
from salesflow.org.selectors import assignable_users

from . import error_codes as codes
from . import events
from .models import (
    OPEN_PROSPECT_STATUSES,
    PROSPECT_FLOW,
    Channel,
    Intent,
    OfficeMarketingLead,
    Prospect,
    ProspectStatus,
    ReceptionRecord,
)
from .selectors import marketing_leads_for, nearest_supervisors

RECORD_FIELDS = ["received_at", "channel", "visitor_names", "visitor_count", "company", "phone", "questions",
                 "explained", "intent", "next_step", "next_step_on", "customer", "opportunity", "prospect", "owner",
                 "unit"]
PROSPECT_FIELDS = ["name", "contact_name", "phone", "credit_code", "province", "city", "industry", "source", "needs",
                   "intent", "status", "consultant", "unit", "customer"]
RECORD_TEXT_LIMITS = {"visitor_names": 200, "company": 200, "questions": 4000, "explained": 4000, "next_step": 500}
PROSPECT_TEXT_LIMITS = {"name": 200, "contact_name": 64, "city": 32, "needs": 4000}
# A reception is recorded after it happened; a little clock skew between devices is tolerated.
FUTURE_TOLERANCE = dt.timedelta(hours=1)


# --- helpers -------------------------------------------------------------------------------------------

def _require(by, *capabilities: str) -> None:
    if not any(has_capability(by, c) for c in capabilities):
        raise PermissionRefused()


def _choice(value, choices, key: str, errors: dict, default: str = "") -> str:
    return parse_field(errors, key, parse_choice, value, fallback=default, choices=choices, blank=default)


def _limits(cleaned: dict, limits: dict, errors: dict) -> None:
    for key, limit in limits.items():
        if key in cleaned and len(cleaned[key]) > limit:
            errors[key] = [_("At most {n} characters.").format(n=limit)]


# --- reception records (接待记录, E2/E3) ----------------------------------------------------------------

def clean_reception(data: dict, *, partial: bool = False) -> tuple[dict, dict]:
    """(cleaned values, errors by field) of a reception record; with ``partial`` only the keys present."""
    cleaned, errors = {}, {}

    def present(key: str) -> bool:
        return not partial or key in data

    if present("received_at"):
        received = parse_field(errors, "received_at", parse_datetime, data.get("received_at"), blank=REQUIRED)
        if received is not None and received > timezone.now() + FUTURE_TOLERANCE:
            errors["received_at"] = [_("A reception is recorded after it happened; this time is in the future.")]
        cleaned["received_at"] = received
    if present("channel"):
        cleaned["channel"] = _choice(data.get("channel"), Channel, "channel", errors, Channel.WALK_IN)
    if present("intent"):
        cleaned["intent"] = _choice(data.get("intent"), Intent, "intent", errors, Intent.UNDECIDED)
    for key in RECORD_TEXT_LIMITS:
        if present(key):
            cleaned[key] = text(data.get(key))
    _limits(cleaned, RECORD_TEXT_LIMITS, errors)
    if present("visitor_names") and not cleaned["visitor_names"]:
        errors["visitor_names"] = [_("Who came? Enter at least one name.")]
    if present("visitor_count"):
        raw = data.get("visitor_count")
        try:
            count = int(raw) if raw not in (None, "") else 1
            if not 1 <= count <= 999:
                raise ValueError
        except (TypeError, ValueError):
            errors["visitor_count"] = [_("Enter a whole number from 1 to 999.")]
            count = 1
        cleaned["visitor_count"] = count
    if present("phone"):
        cleaned["phone"], cleaned["phone_digits"] = parse_field(errors, "phone", parse_phone, data.get("phone"),
                                                                fallback=("", ""))
    if present("next_step_on"):
        cleaned["next_step_on"] = parse_field(errors, "next_step_on", parse_date, data.get("next_step_on"))
    return cleaned, errors


def _links(by, data: dict, errors: dict, *, current: ReceptionRecord | None = None) -> dict:
    """The customer, opportunity and prospect a record belongs to, each one the actor can see. An opportunity
    brings its customer, a filed prospect its customer file; links that contradict each other are refused."""
    from salesflow.crm.models import Customer
    from salesflow.deals.models import Opportunity

    def wanted(key: str):
        if key in data:
            raw = data.get(key)
            try:
                return int(raw) if raw not in (None, "", 0, "0") else None
            except (TypeError, ValueError):
                errors[key] = [_("Choose from the list.")]
                return None
        return getattr(current, key) if current is not None else None

    customer_id, opportunity_id, prospect_id = wanted("customer_id"), wanted("opportunity_id"), wanted("prospect_id")
    links = {"customer": None, "opportunity": None, "prospect": None}
    if customer_id:
        links["customer"] = Customer.objects.visible_to(by).filter(pk=customer_id).first()
        if links["customer"] is None:
            errors["customer_id"] = [_("Choose one of your customers.")]
    if opportunity_id:
        links["opportunity"] = Opportunity.objects.visible_to(by).filter(pk=opportunity_id).first()
        if links["opportunity"] is None:
            errors["opportunity_id"] = [_("Choose one of your opportunities.")]
    if prospect_id:
        links["prospect"] = (Prospect.objects.visible_to(by).select_for_update(of=("self",))
                             .filter(pk=prospect_id).first())
        if links["prospect"] is None:
            errors["prospect_id"] = [_("Choose one of your prospects.")]
    opp, prospect = links["opportunity"], links["prospect"]
    implied = {c for c in (opp.customer_id if opp else None, prospect.customer_id if prospect else None) if c}
    if links["customer"] is not None:
        implied.add(links["customer"].pk)
    if len(implied) > 1:
        errors.setdefault("customer_id", []).append(
            _("The customer, the opportunity and the prospect belong to different customers."))
    elif implied and links["customer"] is None and not errors.get("customer_id"):
        links["customer"] = Customer.objects.filter(pk=implied.pop()).first()
    return links


def _check_owner(by, owner: User) -> None:
    if owner.pk == by.pk:
        return
    if not owner.is_active or not has_capability(owner, "reception.edit") \
            or not assignable_users(user=by).filter(pk=owner.pk).exists():
        raise ValidationFailed({"owner_id": [_("You cannot record receptions for this user.")]})


@transaction.atomic
def reception_create(*, by, data: dict, owner: User | None = None) -> ReceptionRecord:
    """E2/E3: the consultant records a visit or call (a supervisor may record one for a consultant of theirs)."""
    _require(by, "reception.edit")
    cleaned, errors = clean_reception(data)
    links = _links(by, data, errors)
    if errors:
        raise ValidationFailed(errors)
    owner = owner or by
    _check_owner(by, owner)
    record = ReceptionRecord.objects.create(**cleaned, **links, owner=owner, unit_id=owner.unit_id, created_by=by)
    events.RECEPTION_CREATED.record(by=by, obj=record, customer_id=record.customer_id,
                                    after=snapshot(record, RECORD_FIELDS))
    if record.prospect is not None:
        _prospect_follow_intent(by, record.prospect, record.intent)
    return record


def _locked_record(by, record_id: int) -> ReceptionRecord:
    record = ReceptionRecord.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=record_id).first()
    if record is None:
        raise NotFound(_("Reception record not found."))
    return record


@transaction.atomic
def reception_update(*, by, record_id: int, data: dict) -> ReceptionRecord:
    """Correct or complete a record: its consultant, or those above them."""
    ReceptionRecord.role_require("edit", by=by)
    errors: dict = {}
    # Lock order: the prospect (taken by _links) comes before the record.
    links = _links(by, data, errors, current=ReceptionRecord.objects.visible_to(by).filter(pk=record_id).first())
    record = _locked_record(by, record_id)
    record.require("edit", by=by)
    cleaned, field_errors = clean_reception(data, partial=True)
    errors.update(field_errors)
    unknown = set(data) - set(cleaned) - {"customer_id", "opportunity_id", "prospect_id"} - set(errors)
    if unknown:
        errors.update({key: [_("This field cannot be changed here.")] for key in sorted(unknown)})
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(record, RECORD_FIELDS)
    for key, value in {**cleaned, **links}.items():
        setattr(record, key, value)
    record.save()
    after = snapshot(record, RECORD_FIELDS)
    if after != before:
        changed = [k for k in after if after[k] != before[k]]
        events.RECEPTION_UPDATED.record(by=by, obj=record, customer_id=record.customer_id,
                                        before={k: before[k] for k in changed},
                                        after={k: after[k] for k in changed})
    if record.prospect is not None and ("intent" in cleaned or "prospect_id" in data):
        _prospect_follow_intent(by, record.prospect, record.intent)
    return record


def _prospect_follow_intent(by, prospect: Prospect, intent: str) -> None:
    """E4: until the customer file is made, the latest reception decides whether the prospect intends to buy.
    The caller holds the prospect's row lock (taken in _links)."""
    if prospect.status != ProspectStatus.REGISTERED or prospect.intent == intent:
        return
    before = prospect.intent
    prospect.intent = intent
    prospect.save(update_fields=["intent", "updated_at"])
    events.PROSPECT_INTENT_SET.record(by=by, obj=prospect, customer_id=prospect.customer_id,
                                      before={"intent": before}, after={"intent": intent})


# --- prospects (准客户, D2) ----------------------------------------------------------------------------

def clean_prospect(data: dict) -> tuple[dict, dict]:
    cleaned, errors = {}, {}
    for key in PROSPECT_TEXT_LIMITS:
        cleaned[key] = text(data.get(key))
    _limits(cleaned, PROSPECT_TEXT_LIMITS, errors)
    if not cleaned["name"]:
        errors["name"] = [_("This field is required.")]
    cleaned["phone"], cleaned["phone_digits"] = parse_field(errors, "phone", parse_phone, data.get("phone"),
                                                            fallback=("", ""))
    cleaned["credit_code"] = parse_field(errors, "credit_code", parse_credit_code, data.get("credit_code"),
                                         fallback="")
    cleaned["province"] = parse_field(errors, "province", parse_province, data.get("province"),
                                      fallback=text(data.get("province")))
    cleaned["industry"] = _choice(data.get("industry"), Industry, "industry", errors)
    cleaned["source"] = _choice(data.get("source"), SourceChannel, "source", errors)
    cleaned["intent"] = _choice(data.get("intent"), Intent, "intent", errors, "")
    return cleaned, errors


def prospect_find_duplicates(*, name: str, phone_digits: str = "", credit_code: str = "",
                             exclude_id: int | None = None) -> list[Prospect]:
    """Open prospects company-wide with the same name, phone or credit code (a supervisor must learn that another
    office already keeps this prospect even if they cannot open it)."""
    from django.db.models import Q

    q = Q(name_key=name_key(name)) if name_key(name) else Q(pk__in=[])
    if phone_digits:
        q |= Q(phone_digits=phone_digits)
    if credit_code:
        q |= Q(credit_code=credit_code)
    qs = Prospect.objects.filter(q, status__in=OPEN_PROSPECT_STATUSES).select_related("consultant")
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("pk")[:5])


def _check_consultant(by, consultant: User | None) -> User:
    if consultant is None:
        raise ValidationFailed({"consultant_id": [_("Choose the consultant in charge.")]})
    if not consultant.is_active or not has_capability(consultant, "reception.edit") \
            or not assignable_users(user=by).filter(pk=consultant.pk).exists():
        raise ValidationFailed({"consultant_id": [_("Choose a consultant of your own unit.")]},
                               code=codes.PROSPECT_CONSULTANT_OUT_OF_SCOPE)
    return consultant


@transaction.atomic
def prospect_register(*, by, data: dict, consultant: User | None, reception_ids: list[int] = (),
                      confirm_duplicates: bool = False) -> Prospect:
    """D2: the supervisor registers a prospect — by hand or from the reception records a consultant handed in
    (E2 "将准客户资料整理送交销售主管") — with the consultant in charge; marketing is asked to confirm it."""
    _require(by, "prospect.register")
    cleaned, errors = clean_prospect(data)
    records = list(ReceptionRecord.objects.visible_to(by).select_for_update(of=("self",))
                   .filter(pk__in=list(reception_ids)).order_by("pk")) if reception_ids else []
    if len(records) != len(set(reception_ids)):
        errors["reception_ids"] = [_("Choose reception records of your own unit.")]
    if errors:
        raise ValidationFailed(errors)
    consultant = _check_consultant(by, consultant)
    taken = [r for r in records if r.prospect_id]
    if taken:
        raise Conflict(codes.PROSPECT_ALREADY_REGISTERED,
                       _("This reception record already belongs to a prospect."),
                       fields={"reception_ids": [str(r) for r in taken]})
    if not confirm_duplicates:
        duplicates = prospect_find_duplicates(name=cleaned["name"], phone_digits=cleaned["phone_digits"],
                                              credit_code=cleaned["credit_code"])
        if duplicates:
            # Issue #15: a prospect outside the caller's scope is told as existing, with whom to ask, never by name.
            visible = set(Prospect.objects.visible_to(by).filter(pk__in=[p.pk for p in duplicates])
                          .values_list("pk", flat=True))
            whom = whom_to_ask(p.unit_id for p in duplicates if p.pk not in visible)
            described = [_("{name} (consultant {consultant})").format(name=p.name,
                                                                      consultant=p.consultant.display_name)
                         if p.pk in visible else
                         _("A prospect outside your scope is already registered: ask {whom}.").format(
                             whom=whom[p.unit_id])
                         for p in duplicates]
            raise Conflict("prospect_duplicate", _("This prospect may already be registered: {list}. Check it, then "
                                                   "confirm to save anyway.").format(list="; ".join(described)),
                           fields={"name": described})
    if not cleaned["intent"]:
        # E4: the latest reception decides, else undecided.
        latest = max(records, key=lambda r: (r.received_at, r.pk), default=None)
        cleaned["intent"] = latest.intent if latest else Intent.UNDECIDED
    now = timezone.now()
    customer = next((r.customer for r in records if r.customer_id), None)
    prospect = Prospect.objects.create(**cleaned, name_key=name_key(cleaned["name"]), consultant=consultant,
                                       unit_id=consultant.unit_id, registered_by=by, registered_at=now,
                                       status=ProspectStatus.REGISTERED)
    if records:
        ReceptionRecord.objects.filter(pk__in=[r.pk for r in records]).update(prospect=prospect)
    events.PROSPECT_REGISTERED.record(by=by, obj=prospect, customer_id=customer.pk if customer else None,
                                      after=snapshot(prospect, PROSPECT_FIELDS)
                                      | {"reception_records": [r.pk for r in records]})
    name, url = prospect.name, reverse("reception:prospect_detail", args=[prospect.pk])
    # D2.4: the office's 营销主管 (by default the sales supervisor) is asked — not the marketing VP; a supervisor
    # who registers a prospect of their own lane is not told about it.
    confirmers = [u for u in marketing_leads_for(unit_id=prospect.unit_id) if u.pk != by.pk]
    notify(confirmers, kind="prospect.to_confirm",
           title=lambda: _("Prospect to confirm: {name}").format(name=name),
           body=lambda: _("{supervisor} registered a new prospect; please confirm it.").format(
               supervisor=by.display_name), url=url)
    return prospect


def _locked(by, prospect_id: int) -> Prospect:
    prospect = Prospect.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=prospect_id).first()
    if prospect is None:
        raise NotFound(_("Prospect not found."))
    return prospect


def _step(by, prospect: Prospect, action: str, event: EventType, *, fields: dict, note: str = "",
          customer_id: int | None = None) -> Prospect:
    before = {"status": prospect.status}
    prospect.status = PROSPECT_FLOW.next(prospect.status, action)
    for key, value in fields.items():
        setattr(prospect, key, value)
    prospect.save(update_fields=["status", *fields, "updated_at"])
    after = {"status": prospect.status}
    # The people and documents involved, as ids (the history shows their names); the times are the event's own.
    after.update({k: getattr(v, "pk", v) for k, v in fields.items() if not k.endswith("_at")})
    event.record(by=by, obj=prospect, customer_id=customer_id or prospect.customer_id, before=before,
                 after=after, note=note)
    return prospect


@transaction.atomic
def prospect_confirm(*, by, prospect_id: int, note: str = "") -> Prospect:
    """D2.4 "营销主管的准客户的确认": whoever holds the 营销主管 function in the prospect's office — by default the
    sales supervisor (selectors.marketing_leads_for) — confirms the prospect once, while it is worked. It sits
    beside the flow: E4 and D5 neither wait for it nor undo it."""
    Prospect.role_require("confirm", by=by)
    prospect = _locked(by, prospect_id)
    prospect.require("confirm", by=by)
    prospect.confirmed_by, prospect.confirmed_at = by, timezone.now()
    prospect.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    events.PROSPECT_CONFIRMED.record(by=by, obj=prospect, customer_id=prospect.customer_id,
                                     before={"confirmed_by": None}, after={"confirmed_by": by.pk},
                                     note=text(note)[:500])
    return prospect


def _supervisors_to_register(prospect: Prospect) -> list[User]:
    """Who registers the consultant's file (D5): the supervisor who registered the prospect while they still may,
    else the sales supervisor(s) nearest above the prospect in its office."""
    registrar = prospect.registered_by
    if registrar is not None and registrar.is_active and has_capability(registrar, "prospect.register") \
            and Prospect.objects.visible_to(registrar).filter(pk=prospect.pk).exists():
        return [registrar]
    return nearest_supervisors(unit_id=prospect.unit_id)


@transaction.atomic
def prospect_submit_file(*, by, prospect_id: int, customer_id: int | None = None, note: str = "",
                         confirm_duplicates: bool = False) -> Prospect:
    """E4 "对有购买意向的客户建立客户档案。及时送交销售主管进行登记": the consultant in charge builds the customer file
    of a prospect with purchase intent — made from what the prospect file already holds (nobody retypes it), or
    one of their own customers — and sends it to the supervisor, who registers it (D5)."""
    from salesflow.crm.models import Customer
    from salesflow.crm.services import customer_create

    Prospect.role_require("submit_file", by=by)
    note = text(note)
    if len(note) > 500:
        raise ValidationFailed({"note": [_("At most {n} characters.").format(n=500)]})
    prospect = _locked(by, prospect_id)
    prospect.require("submit_file", by=by)
    if prospect.intent != Intent.YES:
        raise AppError(codes.PROSPECT_NO_INTENT,
                       _("Only a prospect with purchase intent gets a customer file (E4); record the reception "
                         "that shows it first."), status=409)
    if customer_id:
        customer = Customer.objects.visible_to(by).filter(pk=customer_id, owner_id=by.pk).first()
        if customer is None:
            raise ValidationFailed({"customer_id": [_("Choose one of your customers.")]})
    else:
        contacts = [{"name": prospect.contact_name or prospect.name, "phone": prospect.phone, "is_primary": True}] \
            if (prospect.contact_name or prospect.phone) else []
        customer = customer_create(
            by=by, owner=by, confirm_duplicates=confirm_duplicates, contacts=contacts,
            data={"name": prospect.name, "credit_code": prospect.credit_code, "province": prospect.province,
                  "city": prospect.city, "industry": prospect.industry, "source": prospect.source,
                  "collected_on": timezone.localdate(prospect.registered_at), "notes": prospect.needs})
    prospect = _step(by, prospect, "submit_file", events.PROSPECT_FILE_SUBMITTED, customer_id=customer.pk, note=note,
                     fields={"customer": customer, "customer_submitted_by": by,
                             "customer_submitted_at": timezone.now(), "customer_submitted_note": note})
    # The prospect's receptions belong to the customer's history from now on.
    ReceptionRecord.objects.filter(prospect=prospect, customer__isnull=True).update(customer=customer)
    supervisors = [u for u in _supervisors_to_register(prospect) if u.pk != by.pk]
    name = prospect.name
    notify(supervisors, kind="prospect.file_submitted",
           title=lambda: _("Customer file to register: {name}").format(name=name),
           body=lambda: _("{consultant} built the customer file of a prospect with purchase intent and sent it to you "
                          "for registration (E4 → D5).").format(consultant=by.display_name),
           url=reverse("reception:prospect_detail", args=[prospect.pk]))
    return prospect


@transaction.atomic
def prospect_register_file(*, by, prospect_id: int, note: str = "") -> Prospect:
    """D5 "销售主管将准客户资料和销售顾问送交的客户资料进行登记": the supervisor registers the customer file the
    consultant sent together with the prospect file, and thereby tells the consultant to prepare the negotiation
    (E6, "将客户情况及时通知销售顾问,组织准备与客户洽谈"). The 营销主管's confirmation is not waited for."""
    Prospect.role_require("register_file", by=by)
    prospect = _locked(by, prospect_id)
    prospect.require("register_file", by=by)  # only a file the consultant sent (E4)
    prospect = _step(by, prospect, "register_file", events.PROSPECT_CUSTOMER_FILED, note=text(note)[:500],
                     fields={"customer_filed_by": by, "customer_filed_at": timezone.now()})
    consultant = prospect.consultant
    if consultant.pk != by.pk:
        name = prospect.name
        notify([consultant], kind="prospect.customer_filed",
               title=lambda: _("Customer registered: prepare the negotiation with {name}").format(name=name),
               body=lambda: _("{supervisor} registered the customer file. Prepare the negotiation (E6) and answer "
                              "the customer's questions.").format(supervisor=by.display_name),
               url=reverse("crm:customer_detail", args=[prospect.customer_id]))
    return prospect


@transaction.atomic
def prospect_drop(*, by, prospect_id: int, reason: str) -> Prospect:
    """Give the prospect up, saying why (the supervisor)."""
    Prospect.role_require("drop", by=by)
    reason = text(reason)
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the prospect is dropped.")]})
    if len(reason) > 500:
        raise ValidationFailed({"reason": [_("At most {n} characters.").format(n=500)]})
    prospect = _locked(by, prospect_id)
    prospect.require("drop", by=by)
    return _step(by, prospect, "drop", events.PROSPECT_DROPPED, note=reason,
                 fields={"dropped_by": by, "dropped_at": timezone.now(), "drop_reason": reason})


# --- R15: after the deal the prospect file passes to the customer-service supervisor ------------------

def service_supervisor_for(customer) -> User | None:
    """Who serves the customer after the deal: the customer file's own rule (crm), which every won deal applies
    (``crm.services.customer_start_service``); the prospect hand-over follows it."""
    from salesflow.crm.selectors import service_supervisor_for as customer_service_supervisor

    return customer_service_supervisor(customer)


def _hand_over(by, prospect: Prospect, service_owner: User, *, now, note: str = "") -> Prospect:
    from salesflow.crm.services import customer_hand_to_service

    _step(by, prospect, "hand_over", events.PROSPECT_HANDED_OVER, note=note,
          fields={"service_owner": service_owner, "handed_over_by": by, "handed_over_at": now})
    # The customer file's own service locks the customer row (last in this module's lock order) and audits it.
    customer_hand_to_service(by=by, customer_id=prospect.customer_id, service_owner=service_owner, at=now,
                             note=note)
    name = prospect.name
    notify([service_owner], kind="prospect.handed_over",
           title=lambda: _("Customer file handed to customer service: {name}").format(name=name),
           body=lambda: _("The deal is done; the prospect file passes to you for after-sales service (R15)."),
           url=reverse("crm:customer_detail", args=[prospect.customer_id]))
    return prospect


def prospects_on_opportunity_won(*, opportunity, by) -> int:
    """Registered on deals.hooks.OPPORTUNITY_WON, inside the win transaction, after the win has started the
    customer's service phase (every won customer gets its service owner there): the customer's filed prospects
    record the deal and pass to that same supervisor (R15). With no service supervisor above the customer, the
    registering supervisor is asked to pick one (manual hand-over)."""
    from salesflow.crm.models import Customer

    prospects = list(Prospect.objects.select_for_update(of=("self",)).filter(
        customer_id=opportunity.customer_id, status=ProspectStatus.CUSTOMER_FILED).order_by("pk"))
    if not prospects:
        return 0
    now = opportunity.closed_at or timezone.now()  # the win's own time, as on the customer's service phase
    customer = Customer.objects.select_related("unit").get(pk=opportunity.customer_id)
    service = service_supervisor_for(customer)
    for prospect in prospects:
        _step(by, prospect, "deal_done", events.PROSPECT_DEAL_DONE,
              fields={"won_opportunity": opportunity, "deal_done_at": now})
        if service is not None:
            _hand_over(by, prospect, service, now=now)
        else:
            name = prospect.name
            notify([u for u in (prospect.registered_by,) if u is not None and u.is_active],
                   kind="prospect.pick_service",
                   title=lambda name=name: _("Deal done: choose a customer-service supervisor for {name}").format(
                       name=name),
                   body=lambda: _("No customer-service supervisor serves this customer's unit; choose one to hand "
                                  "the prospect file to."),
                   url=reverse("reception:prospect_detail", args=[prospect.pk]))
    return len(prospects)


@transaction.atomic
def prospect_hand_over(*, by, prospect_id: int, service_owner: User | None = None, note: str = "") -> Prospect:
    """The supervisor hands the file over by hand — after the deal only — to the service supervisor found for the
    customer, or to the one they pick."""
    from salesflow.crm.models import Customer

    Prospect.role_require("hand_over", by=by)
    prospect = _locked(by, prospect_id)
    prospect.require("hand_over", by=by)  # refused before the deal (R15)
    if service_owner is None:
        service_owner = service_supervisor_for(Customer.objects.select_related("unit").get(pk=prospect.customer_id))
        if service_owner is None:
            raise ValidationFailed({"service_owner_id": [_("No customer-service supervisor serves this customer's "
                                                           "unit; choose one.")]},
                                   code=codes.PROSPECT_NO_SERVICE_SUPERVISOR)
    elif not service_owner.is_active or not service_owner.holds(Role.SERVICE):
        raise ValidationFailed({"service_owner_id": [_("Choose an active customer-service supervisor.")]})
    return _hand_over(by, prospect, service_owner, now=timezone.now(), note=text(note)[:500])


# --- hooks for the organisation (registered in apps.py) ---------------------------------------------------

def reception_transfer_all(*, from_user, to_user, by) -> int:
    """Deactivation: the leaving consultant's open prospects go to their successor (the reception records keep
    who received the visitors; the prospect's page still lists them)."""
    ids = list(Prospect.objects.select_for_update().filter(consultant=from_user, status__in=OPEN_PROSPECT_STATUSES)
               .order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    Prospect.objects.filter(pk__in=ids).update(consultant=to_user, unit=to_user.unit)
    record_many(events.PROSPECT_REASSIGNED.row(by=by, object_type="reception.prospect", object_id=pk,
                                               before={"consultant": from_user.pk},
                                               after={"consultant": to_user.pk})
                for pk in ids)
    return len(ids)


def reception_follow_owner_unit(*, user, by) -> int:
    """A consultant moved to another team: their reception records and open prospects move into its scope."""
    moved = ReceptionRecord.objects.filter(owner=user).exclude(unit_id=user.unit_id).update(unit=user.unit_id)
    return moved + (Prospect.objects.filter(consultant=user, status__in=OPEN_PROSPECT_STATUSES)
                    .exclude(unit_id=user.unit_id).update(unit=user.unit_id))


# --- the 营销主管 of an office (D2.4) -----------------------------------------------------------------------

@transaction.atomic
def office_marketing_lead_set(*, by, office_id: int, user: User | None) -> OfficeMarketingLead:
    """Name who holds the 营销主管 function in a sales office (D2.4 "营销主管的准客户的确认"), or clear the name
    (``user=None``) so that it falls back to the sales supervisor. The region's manager, the director or the
    administrator names them; the person named must be a supervisor or manager whose data scope covers the whole
    office — otherwise they could not open the prospects they are to confirm."""
    from salesflow.org.models import OrgUnit, UnitKind
    from salesflow.org.scope import data_scope

    _require(by, "prospect.name_marketing_lead")
    scope = data_scope(by)
    office = OrgUnit.objects.filter(pk=office_id, kind=UnitKind.OFFICE).first()
    if office is None or not (scope.sees_all or office.pk in scope.unit_ids):
        raise NotFound(_("Sales office not found."))
    if user is not None:
        covers = data_scope(user)
        if not user.is_active or not has_capability(user, "prospect.confirm") \
                or not (covers.sees_all or office.pk in covers.unit_ids):
            raise ValidationFailed({"user_id": [_("Choose an active sales supervisor or manager of this office or "
                                                  "above it.")]})
    row = OfficeMarketingLead.objects.select_for_update(of=("self",)).filter(office=office).first()
    before = row.user_id if row is not None else None
    if row is None:
        row = OfficeMarketingLead.objects.create(office=office, user=user, named_by=by)
    elif before != (user.pk if user else None):
        row.user, row.named_by = user, by
        row.save(update_fields=["user", "named_by", "updated_at"])
    else:
        return row
    events.MARKETING_LEAD_NAMED.record(by=by, obj=row, before={"office": office.pk, "user": before},
                                       after={"office": office.pk, "user": user.pk if user else None})
    return row
