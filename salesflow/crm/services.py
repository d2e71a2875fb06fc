"""Every change to a customer file: validate, check permission, lock, write, audit — in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from salesflow.audit.events import record_many, snapshot
from salesflow.core.chinese import name_key, pinyin_keys
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.org.heads import whom_to_ask
from salesflow.org.models import User
from salesflow.org.roles import has_capability
from salesflow.org.selectors import assignable_users, region_of

from . import error_codes as codes
from . import events
from .hooks import CUSTOMER_FROM_POOL, CUSTOMER_OWNER_CHANGED
from .models import CUSTOMER_FLOW, Contact, Customer, CustomerGroup
from .validation import SHEET_FIELDS, Lookups, clean_contact, clean_customer, clean_sheet

AUDITED_FIELDS = [
    "kind", "name", "credit_code", "status", "province", "city", "address", "region", "industry", "source", "group",
    "value_type", "tier", "credit_limit", "company_size", "shop_url", "collected_on", "notes", "owner", "unit",
]
CONTACT_FIELDS = ["name", "position", "phone", "email", "is_primary"]
NEAR_NAME_SCORE = 88


@dataclass(frozen=True)
class Duplicate:
    customer_id: int
    name: str
    owner_name: str
    reason: str  # "credit_code" | "phone" | "name"
    # Whom to ask, when the caller may not see the customer: then neither its name nor its owner is told (#15).
    ask: str = ""

    def describe(self) -> str:
        reasons = {"credit_code": _("same credit code"), "phone": _("same phone number"), "name": _("similar name")}
        if self.ask:
            return _("A customer outside your scope already exists ({reason}): ask {whom}.").format(
                reason=reasons[self.reason], whom=self.ask)
        return _("{name} (owner {owner}): {reason}").format(
            name=self.name, owner=self.owner_name, reason=reasons[self.reason])


def duplicates_for(viewer, duplicates: list[Duplicate]) -> list[Duplicate]:
    """The duplicates as ``viewer`` may read them: a customer outside their scope says only that it exists and
    whom to ask (the head of the unit keeping it), never its name or owner (issue #15)."""
    if viewer is None or not duplicates:
        return duplicates
    ids = [d.customer_id for d in duplicates]
    visible = set(Customer.objects.visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    hidden = dict(Customer.objects.filter(pk__in=set(ids) - visible).values_list("pk", "unit_id"))
    if not hidden:
        return duplicates
    whom = whom_to_ask(hidden.values())
    return [dataclasses.replace(d, name="", owner_name="", ask=whom[hidden[d.customer_id]])
            if d.customer_id in hidden else d for d in duplicates]


def _owner_name(customer: Customer) -> str:
    return customer.owner.display_name if customer.owner_id else _("public pool")


def customer_find_duplicates(*, name: str, credit_code: str = "", phone_digits: list[str] = (),
                             exclude_id: int | None = None, viewer=None) -> list[Duplicate]:
    """Company-wide duplicate check (a rep must learn a customer is taken even if they cannot see it); with a
    ``viewer``, as they may read it (``duplicates_for``)."""
    found: dict[int, Duplicate] = {}
    base = Customer.objects.select_related("owner")
    if exclude_id:
        base = base.exclude(pk=exclude_id)
    if credit_code:
        for c in base.filter(credit_code=credit_code)[:5]:
            found.setdefault(c.pk, Duplicate(c.pk, c.name, _owner_name(c), "credit_code"))
    digits = [d for d in phone_digits if d]
    if digits:
        for c in base.filter(contacts__phone_digits__in=digits).distinct()[:5]:
            found.setdefault(c.pk, Duplicate(c.pk, c.name, _owner_name(c), "phone"))
    key = name_key(name)
    if len(key) >= 2:
        # Candidates share the first two characters of the normalised name (an indexed range read).
        prefix = key[:2]
        for c in base.filter(name_key__gte=prefix, name_key__lt=prefix + "\uffff").only(
                "id", "name", "name_key", "owner__name", "owner__username")[:200]:
            if c.name_key == key or fuzz.ratio(c.name_key, key) >= NEAR_NAME_SCORE:
                found.setdefault(c.pk, Duplicate(c.pk, c.name, _owner_name(c), "name"))
    return duplicates_for(viewer, list(found.values()))


def _raise_duplicates(duplicates: list[Duplicate]) -> None:
    raise Conflict(
        codes.CUSTOMER_DUPLICATE,
        _("This customer may already exist: {list}. Check it, then confirm to save anyway.").format(
            list="; ".join(d.describe() for d in duplicates)),
        fields={"name": [d.describe() for d in duplicates]},
    )


def _check_owner(by, owner: User) -> None:
    if not assignable_users(user=by).filter(pk=owner.pk).exists():
        raise ValidationFailed({"owner": [_("You cannot assign customers to this user.")]},
                               code=codes.CUSTOMER_OWNER_OUT_OF_SCOPE)


def _derive(customer: Customer) -> None:
    customer.name_initials, customer.name_pinyin = pinyin_keys(customer.name)
    customer.name_key = name_key(customer.name)


def _locked(by, customer_id: int) -> Customer:
    customer = Customer.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer


def _require_edit(by) -> None:
    Customer.role_require("edit", by=by)


CREDIT_TERMS = ("tier", "credit_limit")


def _check_credit_terms(by, changed: dict) -> None:
    """Issue #15: tier and credit limit are set by a supervisor or above; a rep's change of them is refused, saying
    who sets them (``changed``: the fields whose new value differs from the current or default one)."""
    if changed and not has_capability(by, "customer.credit_terms"):
        message = _("Tier and credit limit are set by your supervisor or above: ask them to change it.")
        raise ValidationFailed({key: [message] for key in changed}, code=codes.CUSTOMER_CREDIT_TERMS_REFUSED)


def _save_or_conflict(obj, **kwargs) -> None:
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError:
        raise ValidationFailed({"credit_code": [_("Another customer already has this credit code.")]},
                               code=codes.CUSTOMER_CREDIT_CODE_TAKEN) from None


@transaction.atomic
def customer_create(*, by, data: dict, contacts: list[dict] = (), owner: User | None = None,
                    confirm_duplicates: bool = False) -> Customer:
    _require_edit(by)
    cleaned, errors = clean_customer(data, Lookups.load())
    contact_rows = []
    for i, raw in enumerate(contacts):
        c_clean, c_errors = clean_contact(raw)
        contact_rows.append(c_clean)
        for key, msgs in c_errors.items():
            errors[f"contacts.{i}.{key}"] = msgs
    if errors:
        raise ValidationFailed(errors)
    defaults = {"tier": Customer._meta.get_field("tier").default, "credit_limit": 0}
    _check_credit_terms(by, {k: cleaned[k] for k in CREDIT_TERMS if k in cleaned and cleaned[k] != defaults[k]})
    owner = owner or by
    _check_owner(by, owner)
    if cleaned["credit_code"] and Customer.objects.filter(credit_code=cleaned["credit_code"]).exists():
        raise ValidationFailed({"credit_code": [_("Another customer already has this credit code.")]},
                               code=codes.CUSTOMER_CREDIT_CODE_TAKEN)
    if not confirm_duplicates:
        duplicates = customer_find_duplicates(
            name=cleaned["name"], credit_code=cleaned["credit_code"],
            phone_digits=[c["phone_digits"] for c in contact_rows], viewer=by)
        if duplicates:
            _raise_duplicates(duplicates)
    # owned_since starts the public pool's clocks (no follow-up / no deal for N days, see salesflow.pool.rules).
    customer = Customer(**cleaned, owner=owner, unit=owner.unit, created_by=by, owned_since=timezone.now())
    if customer.region is None:
        customer.region = region_of(owner.unit)
    _derive(customer)
    _save_or_conflict(customer)
    if contact_rows and not any(c["is_primary"] for c in contact_rows):
        contact_rows[0]["is_primary"] = True
    seen_primary = False
    for row in contact_rows:
        row["is_primary"] = row["is_primary"] and not seen_primary
        seen_primary = seen_primary or row["is_primary"]
        Contact.objects.create(customer=customer, **row)
    events.CUSTOMER_CREATED.record(by=by, obj=customer, customer_id=customer.pk,
                                   after=snapshot(customer, AUDITED_FIELDS) | {"contacts": len(contact_rows)})
    return customer


@transaction.atomic
def customer_update(*, by, customer: Customer, data: dict, confirm_duplicates: bool = False) -> Customer:
    _require_edit(by)
    customer = _locked(by, customer.pk)
    cleaned, errors = clean_customer(data, Lookups.load(), partial=True)
    unknown = set(data) - set(cleaned) - set(errors)
    if unknown:
        errors.update({key: [_("This field cannot be changed here.")] for key in unknown})
    if errors:
        raise ValidationFailed(errors)
    _check_credit_terms(by, {k: cleaned[k] for k in CREDIT_TERMS
                             if k in cleaned and cleaned[k] != getattr(customer, k)})
    before = snapshot(customer, AUDITED_FIELDS)
    for key, value in cleaned.items():
        setattr(customer, key, value)
    if not confirm_duplicates and ("name" in cleaned or "credit_code" in cleaned):
        duplicates = customer_find_duplicates(name=customer.name, credit_code=customer.credit_code,
                                              exclude_id=customer.pk, viewer=by)
        if duplicates:
            _raise_duplicates(duplicates)
    _derive(customer)
    _save_or_conflict(customer)
    after = snapshot(customer, AUDITED_FIELDS)
    if after != before:
        events.CUSTOMER_UPDATED.record(by=by, obj=customer, customer_id=customer.pk,
                                       before=before, after=after)
    return customer


TRANSITION_EVENTS = {"archive": events.CUSTOMER_ARCHIVED, "restore": events.CUSTOMER_RESTORED}


def _transition(by, customer: Customer, action: str) -> Customer:
    Customer.role_require(action, by=by)
    customer = _locked(by, customer.pk)
    customer.require(action, by=by)
    before = customer.status
    customer.status = CUSTOMER_FLOW.next(customer.status, action)
    customer.save(update_fields=["status", "updated_at"])
    TRANSITION_EVENTS[action].record(by=by, obj=customer, customer_id=customer.pk, before={"status": before},
                                     after={"status": customer.status})
    return customer


@transaction.atomic
def customer_archive(*, by, customer: Customer) -> Customer:
    return _transition(by, customer, "archive")


@transaction.atomic
def customer_restore(*, by, customer: Customer) -> Customer:
    return _transition(by, customer, "restore")


@transaction.atomic
def customer_reassign(*, by, customer: Customer, owner: User, note: str = "",
                      from_pool_only: bool = False) -> Customer:
    """Give the customer to another user; a customer waiting in the public pool is assigned from it (the new
    owner's customer cap applies then, as for a claim). ``from_pool_only``: refuse if somebody owns it by now."""
    Customer.role_require("reassign", by=by)
    # Lock order of the pool (salesflow.pool.services): the receiving user's row, then the customer.
    User.objects.select_for_update().filter(pk=owner.pk).first()
    customer = _locked(by, customer.pk)
    if not owner.is_active:
        raise ValidationFailed({"owner": [_("The new owner must be an active user.")]})
    _check_owner(by, owner)
    from_pool = customer.owner_id is None
    if from_pool_only and not from_pool:
        raise Conflict(codes.CUSTOMER_ALREADY_CLAIMED, _("Somebody has already claimed this customer."))
    if from_pool:
        return customer_from_pool(by=by, customer=customer, owner=owner, note=note)
    before = {"owner": customer.owner_id, "unit": customer.unit_id}
    _give(customer, owner)
    events.CUSTOMER_REASSIGNED.record(by=by, obj=customer, customer_id=customer.pk, before=before,
                                      after={"owner": owner.pk, "unit": owner.unit_id}, note=note)
    owner_changed(changes={customer.pk: before["owner"]}, new_owner=owner, by=by, note=note)
    return customer


def owner_changed(*, changes: dict[int, int | None], new_owner: User | None, by, note: str = "",
                  at: dt.datetime | None = None) -> dict:
    """Issue #15: whatever belongs to the customers' relationship follows them, by one rule, in this transaction
    (``CUSTOMER_OWNER_CHANGED``: the apps above crm move their own records). Every writer of ``Customer.owner``
    calls it after writing and auditing the customer rows, which it still holds locked (customer first, then its
    documents: the lock order of every writer)."""
    changes = {pk: old for pk, old in changes.items() if old != (new_owner.pk if new_owner else None)}
    if not changes:
        return {}
    return CUSTOMER_OWNER_CHANGED.call(changes=changes, new_owner=new_owner, by=by, at=at or timezone.now(),
                                       note=note)


# --- the public pool (公海): the pool app decides who and when, these write the customer rows ----------------

def _require_transaction(service: str) -> None:
    """The pool's writers below lock nothing and (the bulk ones) audit nothing themselves: their caller holds
    the customer rows' locks and records the events, so running one outside the caller's transaction would
    write unlocked, unaudited rows."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"crm.services.{service} must be called inside the caller's transaction")


def customer_from_pool(*, by, customer: Customer, owner: User, note: str = "", claimed: bool = False) -> Customer:
    """A customer waiting in the public pool gets an owner: claimed by ``owner`` themself (``claimed``) or
    assigned. The caller holds the locks (the receiving user's row, then the customer) and has checked who may;
    the ``CUSTOMER_FROM_POOL`` handlers may still refuse (the pool's customer cap)."""
    CUSTOMER_FROM_POOL.call(customer=customer, owner=owner, by=by)
    before = {"owner": None, "unit": customer.unit_id}
    _give(customer, owner)
    (events.CUSTOMER_CLAIMED if claimed else events.CUSTOMER_POOL_ASSIGNED).record(
        by=by, obj=customer, customer_id=customer.pk, before=before,
        after={"owner": owner.pk, "unit": owner.unit_id}, note=note)
    owner_changed(changes={customer.pk: None}, new_owner=owner, by=by, note=note)
    return customer


def customer_to_pool(*, by, customer: Customer, note: str, at: dt.datetime | None = None) -> Customer:
    """退回公海: the owner leaves the customer, which waits in its unit's pool (the unit is kept). The caller (the pool
    app's ``customer_release``) holds the customer's row lock and has checked who may and why; this records the
    ``customer.released`` event."""
    _require_transaction("customer_to_pool")
    before = {"owner": customer.owner_id, "unit": customer.unit_id}
    customer.owner = None
    customer.owned_since, customer.pool_warned_at, customer.released_at = None, None, at or timezone.now()
    customer.save(update_fields=["owner", "owned_since", "pool_warned_at", "released_at", "updated_at"])
    events.CUSTOMER_RELEASED.record(by=by, obj=customer, customer_id=customer.pk, before=before,
                                    after={"owner": None, "unit": customer.unit_id}, note=note)
    owner_changed(changes={customer.pk: before["owner"]}, new_owner=None, by=by, note=note,
                  at=customer.released_at)
    return customer


def customers_to_pool(*, customer_ids: list[int], at: dt.datetime) -> int:
    """The pool's sweep returns overdue customers. The caller (``pool.services.customers_pool_sweep``) holds the
    rows' locks (SELECT … FOR UPDATE SKIP LOCKED per batch) and records one ``customer.reclaimed`` event each."""
    _require_transaction("customers_to_pool")
    previous = dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "owner_id"))
    count = Customer.objects.filter(pk__in=customer_ids).update(owner=None, owned_since=None, pool_warned_at=None,
                                                                released_at=at, updated_at=timezone.now())
    owner_changed(changes=previous, new_owner=None, by=None, note=_("Returned to the pool by the sweep"), at=at)
    return count


def customers_mark_pool_warned(*, customer_ids: list[int], at: dt.datetime) -> int:
    """The owners of these customers were warned that they return to the pool soon (once per ownership). The
    caller (``pool.services.customers_pool_sweep``) holds the rows' locks and records one ``customer.pool_warned``
    event each."""
    _require_transaction("customers_mark_pool_warned")
    return Customer.objects.filter(pk__in=customer_ids).update(pool_warned_at=at)


def customers_clear_pool_warning(*, customer_ids: list[int]) -> int:
    """A warning became void (a contact, a deal, an exemption): the clocks run again from scratch. The caller
    (``pool.services.customers_pool_sweep``) holds the rows' locks; no event is recorded (the warning's own event
    stays in the trail, and the contact or deal that voided it has its own)."""
    _require_transaction("customers_clear_pool_warning")
    return Customer.objects.filter(pk__in=customer_ids).update(pool_warned_at=None)


def _give(customer: Customer, owner: User, now: dt.datetime | None = None) -> None:
    """A new owner: the pool's clocks start again for them, and a pending warning is void."""
    customer.owner, customer.unit = owner, owner.unit
    customer.owned_since, customer.pool_warned_at, customer.released_at = now or timezone.now(), None, None
    customer.save(update_fields=["owner", "unit", "owned_since", "pool_warned_at", "released_at", "updated_at"])


@dataclass(frozen=True)
class ContactRecorded:
    """What ``customer_record_contact`` changed (the visit's audit event on the customer shows it)."""

    customer: Customer
    before: dict
    after: dict


@transaction.atomic
def customer_record_contact(*, customer_id: int, at: dt.datetime, next_followup_on: dt.date | None = None,
                            void_pool_warning: bool = False) -> ContactRecorded:
    """R17: after each visit (or another follow-up) the customer information table (《目标客户基本信息情况统计表》)
    is brought up to date — last contact and next follow-up — in the caller's transaction, the customer row locked.

    The last contact never moves backwards: a late entry of an older contact only fills an empty next follow-up.
    A newer contact sets the next follow-up it names, or clears one that fell due by the contact's day (the
    follow-up that was due is this contact). The pool's "no follow-up" clock restarts from ``last_contact_at``.

    ``void_pool_warning``: also void a pending return-to-pool warning. The visit log does not (its behaviour so
    far): the pool's sweep clears a warning a contact made void on its next run, and keeps one the contact does
    not void (the "no deal" clock, a backdated visit). No audit event here: the caller records its own on the
    customer (visits: ``visit.logged`` with ``before``/``after``)."""
    customer = Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    before = {"last_contact_at": customer.last_contact_at, "next_followup_on": customer.next_followup_on}
    on = timezone.localtime(at, timezone.get_default_timezone()).date()
    fields = ["last_contact_at", "next_followup_on", "updated_at"]
    if customer.last_contact_at is None or at >= customer.last_contact_at:
        customer.last_contact_at = at
        if next_followup_on is not None:
            customer.next_followup_on = next_followup_on
        elif customer.next_followup_on is not None and customer.next_followup_on <= on:
            customer.next_followup_on = None
        if void_pool_warning:
            customer.pool_warned_at = None
            fields.append("pool_warned_at")
    elif customer.next_followup_on is None and next_followup_on is not None:
        customer.next_followup_on = next_followup_on
    customer.save(update_fields=fields)
    after = {"last_contact_at": customer.last_contact_at, "next_followup_on": customer.next_followup_on}
    return ContactRecorded(customer=customer, before=before, after=after)


def customer_update_sheet(*, by, customer_id: int, data: dict, at: dt.datetime | None = None,
                          note: str = "") -> Customer:
    """R17 (002 流程1 step 4): after a visit the rep fills in the target-customer information sheet
    (《目标客户基本信息情况统计表》: needs, decision makers and contacts, size, purchasing timeline, competitors).

    Only the keys present in ``data`` change (an empty value clears that answer). Whoever may edit the customer
    and sees it may fill it in; the customer row is locked, the answers that changed are recorded as
    ``customer.sheet_updated`` on the customer (``note``: where it was filled in, e.g. the visit). Runs in the
    caller's transaction when there is one (the visit log's), else in its own."""
    with transaction.atomic():
        _require_edit(by)
        unknown = set(data) - set(SHEET_FIELDS)
        cleaned, errors = clean_sheet(data)
        errors.update({key: [_("This field cannot be changed here.")] for key in unknown})
        if errors:
            raise ValidationFailed(errors)
        customer = _locked(by, customer_id)
        before = {key: getattr(customer, key) for key in cleaned}
        changed = {key: value for key, value in cleaned.items() if before[key] != value}
        if not changed:
            return customer
        for key, value in changed.items():
            setattr(customer, key, value)
        customer.sheet_updated_at, customer.sheet_updated_by = at or timezone.now(), by
        customer.save(update_fields=[*changed, "sheet_updated_at", "sheet_updated_by", "updated_at"])
        events.CUSTOMER_SHEET_UPDATED.record(by=by, obj=customer, customer_id=customer.pk,
                                             before={key: before[key] for key in changed}, after=changed,
                                             note=note[:500])
        return customer


def customer_record_deal(*, customer_id: int, at: dt.datetime) -> None:
    """An opportunity of the customer was won: the pool's "no deal" clock restarts. Never moves backwards."""
    Customer.objects.filter(pk=customer_id).filter(Q(last_deal_at__isnull=True) | Q(last_deal_at__lt=at)) \
        .update(last_deal_at=at)


@transaction.atomic
def customer_hand_to_service(*, by, customer_id: int, service_owner: User, at: dt.datetime,
                             note: str = "") -> Customer:
    """R15: after the deal the customer's file passes to a customer-service supervisor (客户服务主管), who sees the
    customer from then on (``Customer.objects.visible_to``). The caller (``customer_start_service`` on every win,
    reception's prospect hand-over by hand) has checked the deal and who may, and chose the supervisor; this locks
    the customer row, writes and records ``customer.handed_to_service``. A customer already served by this
    supervisor is left as it is (every win, and every prospect filed for the customer, asks again)."""
    customer = Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    if customer.service_owner_id == service_owner.pk:
        return customer
    before = {"service_owner": customer.service_owner_id, "service_since": customer.service_since}
    customer.service_owner, customer.service_since = service_owner, at
    customer.save(update_fields=["service_owner", "service_since", "updated_at"])
    events.CUSTOMER_HANDED_TO_SERVICE.record(by=by, obj=customer, customer_id=customer.pk,
                                             before={k: _iso(v) for k, v in before.items()},
                                             after={"service_owner": service_owner.pk, "service_since": _iso(at)},
                                             note=note)
    return customer


def _iso(value):
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


@transaction.atomic
def customer_start_service(*, by, customer_id: int, at: dt.datetime) -> User | None:
    """R15, for every won deal (called by deals' win, inside its transaction): the customer's service phase starts,
    or goes on. A customer already served by an active customer-service supervisor keeps them; any other gets the
    supervisor of its unit or the nearest unit above (``customer_hand_to_service``: locked, written, audited). With
    nobody in the org tree to serve it, the administrators are told to add one. Returns the service owner."""
    from django.urls import reverse

    from salesflow.notifications.services import notify
    from salesflow.org.roles import Role
    from salesflow.org.selectors import users_holding

    from .selectors import service_supervisor_for

    customer = Customer.objects.select_related("unit").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    service = service_supervisor_for(customer)
    if service is not None:
        customer_hand_to_service(by=by, customer_id=customer.pk, service_owner=service, at=at)
        return service
    name = customer.name
    notify(users_holding(Role.ADMIN), kind="customer.no_service_supervisor",
           title=lambda: _("Deal won, but nobody serves {name}").format(name=name),
           body=lambda: _("No customer-service supervisor serves this customer's unit or any unit above it: add one "
                          "to the organisation so the customer is looked after (R15)."),
           url=reverse("crm:customer_detail", args=[customer.pk]))
    return None


def customers_transfer_all(*, from_user: User, to_user: User, by) -> int:
    """Ownership hook for user deactivation: every customer of ``from_user`` moves to ``to_user``."""
    ids = list(Customer.objects.select_for_update().filter(owner=from_user).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    Customer.objects.filter(pk__in=ids).update(owner=to_user, unit=to_user.unit, owned_since=timezone.now(),
                                               pool_warned_at=None)
    note = _("Previous owner deactivated")
    record_many(events.CUSTOMER_REASSIGNED.row(by=by, object_type="crm.customer", object_id=pk, customer_id=pk,
                                               before={"owner": from_user.pk}, after={"owner": to_user.pk},
                                               note=note)
                for pk in ids)
    owner_changed(changes=dict.fromkeys(ids, from_user.pk), new_owner=to_user, by=by, note=note)
    return len(ids)


def customers_follow_owner_unit(*, user: User, by) -> int:
    """Unit hook: when a rep moves to another team, their customers move into that team's data scope."""
    return Customer.objects.filter(owner=user).exclude(unit_id=user.unit_id).update(unit=user.unit_id)


# --- contacts -------------------------------------------------------------------------------------------

def _contact_errors(errors: dict) -> None:
    if errors:
        raise ValidationFailed(errors)


def _one_primary(customer: Customer, contact: Contact) -> None:
    if contact.is_primary:
        Contact.objects.filter(customer=customer, is_primary=True).exclude(pk=contact.pk).update(is_primary=False)


@transaction.atomic
def contact_add(*, by, customer: Customer, data: dict) -> Contact:
    _require_edit(by)
    customer = _locked(by, customer.pk)
    cleaned, errors = clean_contact(data)
    _contact_errors(errors)
    if not customer.contacts.exists():
        cleaned["is_primary"] = True
    if cleaned["is_primary"]:
        customer.contacts.filter(is_primary=True).update(is_primary=False)
    contact = Contact.objects.create(customer=customer, **cleaned)
    events.CONTACT_ADDED.record(by=by, obj=contact, customer_id=customer.pk,
                                after=snapshot(contact, CONTACT_FIELDS))
    return contact


def _locked_contact(by, customer: Customer, contact_id: int) -> tuple[Customer, Contact]:
    customer = _locked(by, customer.pk)
    contact = customer.contacts.select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(_("Contact not found."))
    return customer, contact


@transaction.atomic
def contact_update(*, by, customer: Customer, contact_id: int, data: dict) -> Contact:
    _require_edit(by)
    customer, contact = _locked_contact(by, customer, contact_id)
    merged = {k: getattr(contact, k) for k in CONTACT_FIELDS} | data
    cleaned, errors = clean_contact(merged)
    _contact_errors(errors)
    before = snapshot(contact, CONTACT_FIELDS)
    if cleaned["is_primary"]:
        customer.contacts.filter(is_primary=True).exclude(pk=contact.pk).update(is_primary=False)
    for key, value in cleaned.items():
        setattr(contact, key, value)
    contact.save()
    events.CONTACT_UPDATED.record(by=by, obj=contact, customer_id=customer.pk, before=before,
                                  after=snapshot(contact, CONTACT_FIELDS))
    return contact


@transaction.atomic
def contact_remove(*, by, customer: Customer, contact_id: int) -> None:
    _require_edit(by)
    customer, contact = _locked_contact(by, customer, contact_id)
    before = snapshot(contact, CONTACT_FIELDS)
    was_primary = contact.is_primary
    contact.delete()
    if was_primary:
        nxt = customer.contacts.order_by("id").first()
        if nxt:
            Contact.objects.filter(pk=nxt.pk).update(is_primary=True)
    events.CONTACT_REMOVED.record(by=by, object_type="crm.contact", object_id=contact_id,
                                  object_repr=before["name"], customer_id=customer.pk, before=before)


@transaction.atomic
def customer_reveal_phones(*, by, customer: Customer) -> list[Contact]:
    """Show the full numbers to the owner, someone above them or (R15) the customer's service supervisor; each reveal
    is in the audit trail."""
    customer = Customer.objects.visible_to(by).filter(pk=customer.pk).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    customer.require("reveal_phones", by=by)
    contacts = list(customer.contacts.all())
    events.CUSTOMER_PHONES_REVEALED.record(by=by, obj=customer, customer_id=customer.pk,
                                           note=", ".join(c.name for c in contacts))
    return contacts


@transaction.atomic
def customer_group_create(*, by, name: str, description: str = "") -> CustomerGroup:
    if not has_capability(by, "customer.master_data"):
        raise PermissionRefused()
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": [_("This field is required.")]})
    if CustomerGroup.objects.filter(name=name).exists():
        raise ValidationFailed({"name": [_("A group with this name already exists.")]})
    group = CustomerGroup.objects.create(name=name, description=description.strip())
    events.CUSTOMER_GROUP_CREATED.record(by=by, obj=group, after={"name": name})
    return group


__all__ = ["AppError"]
