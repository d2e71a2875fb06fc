"""The customers' public pool (公海客户): claim, release, assignment from the pool and the automatic return.

It reuses the leads' pool machinery: the pool policy of the customer's unit (``LeadPolicy``, nearest ancestor
decides, see ``services.policy_for``/``PolicyBook``) and the pool visibility (``models.pool_scope_q``: a rep
sees the pool of their own unit and of the units above it).

The rules
- An owned, active customer goes back to the pool of its unit when it had no follow-up for N days (counted from
  the later of its last contact and the day its owner got it) or no deal for M days (from the later of its last
  won opportunity and the day its owner got it). N, M and the warning lead time W are calendar days from the
  policy; W days before, the owner gets ONE warning (``pool_warned_at``). A contact, a deal or a new owner
  restarts the clocks and voids the warning.
- Never returned automatically: customers handed over to customer service after the deal (R15, a
  ``service_owner`` is set: the file is looked after there, and no rule says otherwise), archived customers,
  and, when the unit's policy says so (the default), key accounts (tier A, R25) and customers with an open
  opportunity at 报价与谈判 or later.
- In the pool the owner is empty and the unit is kept, so the customer waits in its team's (or region's) pool.
- Every claim, release, return and assignment is an audit event on the customer's timeline.

Lock order, as for leads: the receiving user's row, then the customer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.audit import events
from salesflow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.crm.choices import CustomerStatus, Tier
from salesflow.crm.models import Customer
from salesflow.org.models import User
from salesflow.org.roles import has_capability
from salesflow.org.scope import is_above

from . import error_codes as codes
from .models import LeadPolicy, in_pool_scope
from .services import DEFAULT_POLICY, PolicyBook, policy_for

REASON_MAX = 500
# Stages of seed 004 from 报价与谈判 on that keep a customer with its owner (when the policy says so).
LATE_STAGES = ("quote", "sign", "aftersales")


EXEMPTIONS = {
    "customer_service": gettext_lazy("it was handed over to customer service after the deal (R15)"),
    "archived": gettext_lazy("it is archived"),
    "key_account": gettext_lazy("it is a key account (tier A)"),
    "late_deal": gettext_lazy("it has an open opportunity at quote and negotiation or later"),
}


class Rule:
    FOLLOWUP = "followup"  # no follow-up for N days
    DEAL = "deal"  # no deal for M days


@dataclass(frozen=True)
class PoolClock:
    """When an owned customer returns to the pool, and why."""

    due_at: dt.datetime
    rule: str
    days: int
    warn_from: dt.datetime

    def describe(self) -> str:
        if self.rule == Rule.FOLLOWUP:
            return _("no follow-up for {days} days").format(days=self.days)
        return _("no deal for {days} days").format(days=self.days)


def pool_clock(customer: Customer, policy: LeadPolicy) -> PoolClock | None:
    """The earlier of the two deadlines, or None for a customer in the pool or a unit with the return switched
    off. Exemptions are separate (``exemption``)."""
    if customer.owner_id is None or not policy.customer_pool_enabled:
        return None
    start = customer.owned_since or customer.created_at
    followup_from = max(start, customer.last_contact_at or start)
    deal_from = max(start, customer.last_deal_at or start)
    followup_due = followup_from + dt.timedelta(days=policy.customer_followup_days)
    deal_due = deal_from + dt.timedelta(days=policy.customer_deal_days)
    if followup_due <= deal_due:
        due, rule, days = followup_due, Rule.FOLLOWUP, policy.customer_followup_days
    else:
        due, rule, days = deal_due, Rule.DEAL, policy.customer_deal_days
    return PoolClock(due_at=due, rule=rule, days=days,
                     warn_from=due - dt.timedelta(days=policy.customer_warning_days))


def exemption(customer: Customer, policy: LeadPolicy, *, has_late_deal: bool) -> str:
    """Why a customer never returns automatically ("" = it does)."""
    if customer.service_owner_id is not None:
        return "customer_service"  # R15
    if customer.status != CustomerStatus.ACTIVE:
        return "archived"
    if policy.customer_exempt_key_accounts and customer.tier == Tier.A:
        return "key_account"
    if policy.customer_exempt_late_deals and has_late_deal:
        return "late_deal"
    return ""


def _late_deal_customers(customer_ids) -> set[int]:
    from salesflow.deals.models import Opportunity

    return set(Opportunity.objects.filter(customer_id__in=list(customer_ids), stage__in=LATE_STAGES)
               .values_list("customer_id", flat=True))


@dataclass(frozen=True)
class PoolOutlook:
    """What the customer page shows: a pending return (after the warning) or why the customer is exempt."""

    clock: PoolClock | None
    warned: bool
    exempt: str

    @property
    def exempt_label(self) -> str:
        return str(EXEMPTIONS.get(self.exempt, ""))


def customer_pool_outlook(customer: Customer) -> PoolOutlook | None:
    if customer.owner_id is None:
        return None
    policy = policy_for(customer.unit)
    late = customer.pk in _late_deal_customers([customer.pk]) if policy.customer_exempt_late_deals else False
    exempt = exemption(customer, policy, has_late_deal=late)
    return PoolOutlook(clock=None if exempt else pool_clock(customer, policy),
                       warned=customer.pool_warned_at is not None, exempt=exempt)


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


# --- claim, release, assign ----------------------------------------------------------------------------

@transaction.atomic
def customer_pool_claim(*, by, customer_id: int) -> Customer:
    """领取: take a customer from the pool, up to the unit's customer cap. The rep's own row is locked first,
    so two claims by one rep are counted one after the other; the customer's row lock lets one of two reps
    win it, and the other learns that somebody was faster."""
    from salesflow.crm.services import _give

    if not has_capability(by, "customer.claim"):
        raise PermissionRefused()
    User.objects.select_for_update().filter(pk=by.pk).first()
    # Locked by id alone: a second claimer blocked on the lock re-reads the row and must still find it, to be
    # told "already claimed" rather than "not found".
    customer = Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).first()
    if customer is None or not (in_pool_scope(by, customer.unit_id) or customer.owner_id == by.pk):
        raise NotFound(_("Customer not found."))
    if customer.owner_id == by.pk:
        raise Conflict(codes.CUSTOMER_ALREADY_CLAIMED, _("This customer is already yours."))
    if customer.owner_id is not None:
        raise Conflict(codes.CUSTOMER_ALREADY_CLAIMED, _("Somebody has already claimed this customer."))
    if customer.status != CustomerStatus.ACTIVE:
        raise Conflict(codes.CUSTOMER_NOT_IN_POOL, _("This customer is not waiting in the pool."))
    check_customer_cap(by)
    before = {"owner": None, "unit": customer.unit_id}
    _give(customer, by)
    events.record(by=by, action="customer.claimed", obj=customer, customer_id=customer.pk, before=before,
                  after={"owner": by.pk, "unit": by.unit_id})
    return customer


@transaction.atomic
def customer_pool_assign(*, by, customer_id: int, owner: User, note: str = "") -> Customer:
    """A unit head (or leadership) gives a pool customer to a user of their scope; the user's cap applies."""
    from salesflow.crm.services import customer_reassign

    if not has_capability(by, "customer.reassign"):
        raise PermissionRefused()
    customer = Customer.objects.visible_to(by).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    return customer_reassign(by=by, customer=customer, owner=owner, note=(note or "").strip()[:REASON_MAX],
                             from_pool_only=True)


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
    before = {"owner": customer.owner_id, "unit": customer.unit_id}
    _to_pool(customer, timezone.now())
    customer.save(update_fields=["owner", "owned_since", "pool_warned_at", "released_at", "updated_at"])
    events.record(by=by, action="customer.released", obj=customer, customer_id=customer.pk, before=before,
                  after={"owner": None, "unit": customer.unit_id}, note=reason)
    return customer


def _to_pool(customer: Customer, now: dt.datetime) -> None:
    customer.owner = None
    customer.owned_since, customer.pool_warned_at, customer.released_at = None, None, now


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
    # Every policy a unit can end up with: the rows, and the built-in defaults where no company row exists.
    possible = [*book.policies.values(), *([] if None in book.policies else [DEFAULT_POLICY])]
    enabled = [p for p in possible if p.customer_pool_enabled]
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
    late = _late_deal_customers(c.pk for c in customers)
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
            audit.append(_event_row(customer, "customer.reclaimed", note=note,
                                    before={"owner": owner.pk}, after={"owner": None}))
            notices.append(_notice(owner, kind="customer.reclaimed", url=reverse("leads:customer_pool"),
                                   title=lambda c=customer: _("Customer returned to the pool: {name}").format(
                                       name=c.name),
                                   body=lambda k=clock: _("It had {rule}, so it went back to the public pool.")
                                   .format(rule=k.describe())))
        elif customer.pool_warned_at is None:
            warn.append(customer.pk)
            due = timezone.localtime(clock.due_at).date()
            audit.append(_event_row(customer, "customer.pool_warned",
                                    note=_("Returns to the pool on {date}: {rule}").format(
                                        date=due.isoformat(), rule=clock.describe())))
            notices.append(_notice(owner, kind="customer.pool_warning",
                                   url=reverse("crm:customer_detail", args=[customer.pk]),
                                   title=lambda c=customer, d=due: _("{name} returns to the pool on {date}").format(
                                       name=c.name, date=d.isoformat()),
                                   body=lambda k=clock: _("It has {rule} by then. Follow it up (log a visit or "
                                                          "a call) to keep it.").format(rule=k.describe())))
    if back:
        Customer.objects.filter(pk__in=back).update(owner=None, owned_since=None, pool_warned_at=None,
                                                    released_at=now, updated_at=timezone.now())
    if warn:
        Customer.objects.filter(pk__in=warn).update(pool_warned_at=now)
    if clear:
        Customer.objects.filter(pk__in=clear).update(pool_warned_at=None)
    _store(notices, audit)
    counts["warned"] += len(warn)
    counts["returned"] += len(back)
    counts["cleared"] += len(clear)


def _notice(user: User, *, kind: str, url: str, title, body) -> dict:
    # Composed in the recipient's language, like notifications.services.notify (the sweep has no request).
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        return {"user_id": user.pk, "kind": kind, "title": str(title())[:255], "body": str(body()), "url": url}


def _event_row(customer: Customer, action: str, *, note: str, before: dict | None = None,
               after: dict | None = None) -> dict:
    from salesflow.audit.context import current_ip

    return {"actor_id": None, "actor_name": "system", "ip": current_ip(), "action": action,
            "object_type": "crm.customer", "object_id": str(customer.pk), "object_repr": customer.name[:255],
            "customer_id": customer.pk, "note": note, "before": before, "after": after}


def _store(notices: list[dict], audit: list[dict]) -> None:
    from salesflow.audit.models import AuditEvent
    from salesflow.core.bulk import insert_dicts
    from salesflow.notifications.models import Notification
    from salesflow.notifications.services import send_after_commit

    ids = insert_dicts(Notification, notices)
    insert_dicts(AuditEvent, audit)
    send_after_commit(ids)
