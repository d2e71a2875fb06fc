"""Every change the public pool (公海客户) makes: claim, release, assignment from the pool, the automatic return,
and the pool policies. Customer rows are written through the customer file's services (``crm.services``); the
rules of when a customer returns are in ``rules``.

- In the pool the owner is empty and the unit is kept, so the customer waits in its team's (or region's) pool.
- Every claim, release, return and assignment is an audit event on the customer's timeline.

Lock order, as for leads: the receiving user's row, then the customer.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.audit.events import record_many, snapshot
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.parsers import parse_field, parse_flag, parse_int
from salesflow.crm import services as crm_services
from salesflow.crm.choices import CustomerStatus
from salesflow.crm.models import Customer
from salesflow.notifications.services import notice_rows, notices_insert
from salesflow.org.models import OrgUnit, User
from salesflow.org.roles import has_capability
from salesflow.org.scope import data_scope, is_above

from . import error_codes as codes
from . import events
from .models import PoolPolicy
from .policies import PolicyBook, all_policies, policy_for
from .rules import exemption, late_deal_customers, pool_clock
from .scope import in_pool_scope

REASON_MAX = 500


# --- caps ----------------------------------------------------------------------------------------------

def check_customer_cap(user: User, *, by=None) -> None:
    """The per-rep customer cap of the user's unit (active customers they own). Call with the user's row locked."""
    cap = policy_for(user.unit if user.unit_id else None).customer_claim_cap
    held = Customer.objects.filter(owner=user, status=CustomerStatus.ACTIVE).count()
    if held < cap:
        return
    if by is None or by.pk == user.pk:
        message = _("You already hold {held} customers; the cap is {cap}. Release some to the pool first.")
    else:
        message = _("{name} already holds {held} customers; the cap is {cap}.")
    raise Conflict(codes.CUSTOMER_CLAIM_CAP_REACHED,
                   message.format(held=held, cap=cap, name=user.display_name))


def customer_cap_on_leaving_pool(*, customer: Customer, owner: User, by) -> None:
    """Registered in ``crm.hooks.CUSTOMER_FROM_POOL``: whoever gets a pool customer (claimed, or assigned from
    the pool by anyone) must be under their unit's customer cap."""
    check_customer_cap(owner, by=by)


# --- claim, release, assign ----------------------------------------------------------------------------

@transaction.atomic
def customer_pool_claim(*, by, customer_id: int) -> Customer:
    """领取: take a customer from the pool, up to the unit's customer cap. The rep's own row is locked first,
    so two claims by one rep are counted one after the other; the customer's row lock lets one of two reps
    win it, and the other learns that somebody was faster."""
    if not has_capability(by, "customer.claim"):
        raise PermissionRefused()
    User.objects.select_for_update().filter(pk=by.pk).first()
    # Locked by id alone: a second claimer blocked on the lock re-reads the row and must still find it, to be
    # told "already claimed" rather than "not found".
    customer = Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).first()
    if customer is not None and customer.owner_id == by.pk:
        raise Conflict(codes.CUSTOMER_ALREADY_CLAIMED, _("This customer is already yours."))
    # Issue #15: "taken by somebody else" answers as "not visible" and "missing" do, so claiming ids one by one
    # cannot tell which customers of the unit exist and are owned; the racing loser reads the same answer (the
    # pool list no longer shows the customer either).
    if customer is None or customer.owner_id is not None or not in_pool_scope(by, customer.unit_id):
        raise NotFound(_("Customer not found."))
    if customer.status != CustomerStatus.ACTIVE:
        raise Conflict(codes.CUSTOMER_NOT_IN_POOL, _("This customer is not waiting in the pool."))
    # The cap is checked by the CUSTOMER_FROM_POOL hook (customer_cap_on_leaving_pool), as for an assignment.
    return crm_services.customer_from_pool(by=by, customer=customer, owner=by, claimed=True)


@transaction.atomic
def customer_pool_assign(*, by, customer_id: int, owner: User, note: str = "") -> Customer:
    """A unit head (or leadership) gives a pool customer to a user of their scope; the user's cap applies."""
    if not has_capability(by, "customer.reassign"):
        raise PermissionRefused()
    customer = Customer.objects.visible_to(by).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return crm_services.customer_reassign(by=by, customer=customer, owner=owner,
                                          note=(note or "").strip()[:REASON_MAX], from_pool_only=True)


@transaction.atomic
def customer_release(*, by, customer_id: int, reason: str) -> Customer:
    """退回公海: the owner (or someone above them) gives the customer back to its unit's pool, saying why."""
    if not has_capability(by, "customer.edit"):
        raise PermissionRefused()
    customer = Customer.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    if customer.owner_id is None:
        raise Conflict(codes.CUSTOMER_NOT_IN_POOL, _("This customer is already in the pool."))
    if not is_above(by, owner_id=customer.owner_id, unit_id=customer.unit_id):
        raise PermissionRefused(_("Only the owner and those above them may return this customer to the pool."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the customer goes back to the pool.")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [_("At most {n} characters.").format(n=REASON_MAX)]})
    return crm_services.customer_to_pool(by=by, customer=customer, note=reason)


# --- the sweep -----------------------------------------------------------------------------------------

def customers_pool_sweep(now: dt.datetime | None = None, batch: int = 500) -> dict:
    """Warn owners W days ahead (once) and return overdue customers to their unit's pool.

    Candidates are read in primary-key order, keyset-paginated, with the loosest thresholds of all enabled
    policies in SQL; each batch is then locked (SKIP LOCKED: a customer being claimed or edited right now is
    left for the next run), re-read and decided in Python with its own unit's policy. Writes are idempotent
    (a warned customer is not warned again, a pool customer is no candidate), so two workers may sweep at once.
    """
    now = now or timezone.now()
    book = PolicyBook()
    enabled = [p for p in all_policies() if p.customer_pool_enabled]
    counts = {"warned": 0, "returned": 0, "cleared": 0}
    start = Coalesce("owned_since", "created_at")
    base = (Customer.objects.filter(owner__isnull=False, status=CustomerStatus.ACTIVE, service_owner__isnull=True)
            .alias(followup_from=Greatest(Coalesce("last_contact_at", start), start),
                   deal_from=Greatest(Coalesce("last_deal_at", start), start)))
    reach = Q(pool_warned_at__isnull=False)  # a warning may have become void (contact, deal): clear it
    if enabled:
        followup = min(p.customer_followup_days - p.customer_warning_days for p in enabled)
        deal = min(p.customer_deal_days - p.customer_warning_days for p in enabled)
        reach |= Q(followup_from__lte=now - dt.timedelta(days=followup)) | Q(
            deal_from__lte=now - dt.timedelta(days=deal))
    candidates = base.filter(reach)
    last = 0
    while True:
        ids = list(candidates.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return counts
        last = ids[-1]
        with transaction.atomic():
            locked = list(Customer.objects.select_for_update(skip_locked=True, of=("self",))
                          .filter(pk__in=ids, owner__isnull=False).select_related("owner").order_by("pk"))
            if locked:
                _decide(locked, book, now, counts)
        if len(ids) < batch:
            return counts


def _decide(customers: list[Customer], book: PolicyBook, now: dt.datetime, counts: dict) -> None:
    late = late_deal_customers(c.pk for c in customers)
    warn, back, clear, notices, audit = [], [], [], [], []
    for customer in customers:
        policy = book.for_unit(customer.unit_id)
        clock = None
        if not exemption(customer, policy, has_late_deal=customer.pk in late):
            clock = pool_clock(customer, policy)
        if clock is None or clock.warn_from > now:
            if customer.pool_warned_at is not None:
                clear.append(customer.pk)
            continue
        owner = customer.owner
        if clock.due_at <= now:
            back.append(customer.pk)
            note = _("Returned to the pool: {rule}").format(rule=clock.describe())
            audit.append(events.CUSTOMER_RECLAIMED.row(by=None, **_on(customer), note=note,
                                                       before={"owner": owner.pk}, after={"owner": None}))
            notices += notice_rows([owner], kind="customer.reclaimed", url=reverse("pool:customer_pool"),
                                   title=lambda c=customer: _("Customer returned to the pool: {name}").format(
                                       name=c.name),
                                   body=lambda k=clock: _("It had {rule}, so it went back to the public pool.")
                                   .format(rule=k.describe()))
        elif customer.pool_warned_at is None:
            warn.append(customer.pk)
            due = timezone.localtime(clock.due_at).date()
            audit.append(events.CUSTOMER_POOL_WARNED.row(by=None, **_on(customer),
                                                         note=_("Returns to the pool on {date}: {rule}").format(
                                                             date=due.isoformat(), rule=clock.describe())))
            notices += notice_rows([owner], kind="customer.pool_warning",
                                   url=reverse("crm:customer_detail", args=[customer.pk]),
                                   title=lambda c=customer, d=due: _("{name} returns to the pool on {date}").format(
                                       name=c.name, date=d.isoformat()),
                                   body=lambda k=clock: _("It has {rule} by then. Follow it up (log a visit or "
                                                          "a call) to keep it.").format(rule=k.describe()))
    if back:
        crm_services.customers_to_pool(customer_ids=back, at=now)
    if warn:
        crm_services.customers_mark_pool_warned(customer_ids=warn, at=now)
    if clear:
        crm_services.customers_clear_pool_warning(customer_ids=clear)
    _store(notices, audit)
    counts["warned"] += len(warn)
    counts["returned"] += len(back)
    counts["cleared"] += len(clear)


def _on(customer: Customer) -> dict:
    # The sweep's events sit on the customer's timeline.
    return {"object_type": "crm.customer", "object_id": customer.pk, "object_repr": customer.name,
            "customer_id": customer.pk}


def _store(notices: list[dict], audit: list[dict]) -> None:
    notices_insert(notices)  # their e-mail and robot copies leave after commit
    record_many(audit)


# --- pool policies ---------------------------------------------------------------------------------------
# Who may change what (org.roles ``lead.configure`` / ``lead.configure_company``): the sales director and the
# administrator every policy, including the company default; a sales manager the policies of the units in their
# region (their data scope). Every change is validated (translated errors, nothing written) and audited.

POLICY_FIELDS = ["claim_cap", "contact_limit_hours", "qualify_threshold", "customer_pool_enabled",
                 "customer_followup_days", "customer_deal_days", "customer_warning_days", "customer_claim_cap",
                 "customer_exempt_key_accounts", "customer_exempt_late_deals"]
# Three assessments of at most 100 points each (the leads' scoring rules): the highest score a lead can reach.
QUALIFY_THRESHOLD_MAX = 300
POLICY_NUMBERS = {
    # field: (lowest, highest)
    "claim_cap": (0, 10_000),
    "contact_limit_hours": (1, 2_000),
    "qualify_threshold": (0, QUALIFY_THRESHOLD_MAX),
    "customer_followup_days": (1, 3_650),
    "customer_deal_days": (1, 3_650),
    "customer_warning_days": (0, 365),
    "customer_claim_cap": (0, 100_000),
}
POLICY_FLAGS = ["customer_pool_enabled", "customer_exempt_key_accounts", "customer_exempt_late_deals"]


def can_configure_unit(by, unit: OrgUnit | None) -> bool:
    """The company default (unit None) is the director's and the administrator's; a unit, also its manager's."""
    if not has_capability(by, "lead.configure"):
        return False
    if has_capability(by, "lead.configure_company"):
        return True
    return unit is not None and unit.pk in data_scope(by).unit_ids




def clean_policy(data: dict) -> dict:
    errors, cleaned = {}, {}
    for field, (low, high) in POLICY_NUMBERS.items():
        value = parse_field(errors, field, parse_int, data.get(field), low=low, high=high)
        if value is not None:
            cleaned[field] = value
    for field in POLICY_FLAGS:
        cleaned[field] = parse_flag(data.get(field))
    warning = cleaned.get("customer_warning_days")
    if warning is not None:
        for field in ("customer_followup_days", "customer_deal_days"):
            if field in cleaned and warning >= cleaned[field]:
                errors.setdefault("customer_warning_days", []).append(
                    _("The warning must come before the return: fewer days than {days}.").format(days=cleaned[field]))
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _snapshot(policy: PoolPolicy | None) -> dict:
    return snapshot(policy, POLICY_FIELDS) if policy is not None else {}


@transaction.atomic
def policy_save(*, by, unit: OrgUnit | None, data: dict) -> PoolPolicy:
    """Create or change the pool policy of a unit (its own rules from now on), or the company default."""
    if not has_capability(by, "lead.configure"):
        raise PermissionRefused()
    if not can_configure_unit(by, unit):
        if unit is None:
            raise PermissionRefused(_("Only the sales director or the administrator may change the company "
                                      "default."))
        raise NotFound(_("Unit not found."))
    cleaned = clean_policy(data)
    policy = PoolPolicy.objects.select_for_update().filter(unit=unit).first() if unit is not None else \
        PoolPolicy.objects.select_for_update().filter(unit__isnull=True).first()
    before = _snapshot(policy)
    created = policy is None
    if created:
        policy = PoolPolicy(unit=unit)
    for field, value in cleaned.items():
        setattr(policy, field, value)
    policy.save()
    after = _snapshot(policy)
    if created or after != before:
        events.POOL_POLICY_SAVED.record(by=by, obj=policy, before=before or None, after=after,
                                        object_repr=unit.name if unit is not None else str(_("Company default")))
    return policy


@transaction.atomic
def policy_remove(*, by, unit: OrgUnit) -> None:
    """Drop a unit's own policy: it inherits from the nearest unit above it again."""
    if not has_capability(by, "lead.configure"):
        raise PermissionRefused()
    if unit is None:
        raise AppError(codes.POLICY_DEFAULT_REQUIRED, _("The company default cannot be removed."))
    if not can_configure_unit(by, unit):
        raise NotFound(_("Unit not found."))
    policy = PoolPolicy.objects.select_for_update().filter(unit=unit).first()
    if policy is None:
        raise NotFound(_("This unit has no rules of its own."))
    before = _snapshot(policy)
    pk = policy.pk
    policy.delete()
    events.POOL_POLICY_REMOVED.record(by=by, obj=policy, object_id=pk, object_repr=unit.name,
                                      before=before)
