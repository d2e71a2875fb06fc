"""When an owned customer goes back to the public pool (公海客户), and what keeps it with its owner.

- An owned, active customer goes back to the pool of its unit when it had no follow-up for N days (counted from
  the later of its last contact and the day its owner got it) or no deal for M days (from the later of its last
  won opportunity and the day its owner got it). N, M and the warning lead time W are calendar days from the
  policy; W days before, the owner gets ONE warning (``pool_warned_at``). A contact, a deal or a new owner
  restarts the clocks and voids the warning.
- Never returned automatically: customers handed over to customer service after the deal (R15, a
  ``service_owner`` is set: the file is looked after there, and no rule says otherwise), archived customers,
  and, when the unit's policy says so (the default), key accounts (tier A, R25) and customers with an open
  opportunity at 报价与谈判 or later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.crm.choices import CustomerStatus, Tier
from salesflow.crm.models import Customer

from .models import PoolPolicy
from .policies import policy_for

# Stages of seed 004 from 报价与谈判 on that keep a customer with its owner (when the policy says so).
LATE_STAGES = ("quote", "sign")


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


def pool_clock(customer: Customer, policy: PoolPolicy) -> PoolClock | None:
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


def exemption(customer: Customer, policy: PoolPolicy, *, has_late_deal: bool) -> str:
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


def late_deal_customers(customer_ids) -> set[int]:
    """Those of the customers with an open opportunity at 报价与谈判 or later."""
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
    late = customer.pk in late_deal_customers([customer.pk]) if policy.customer_exempt_late_deals else False
    exempt = exemption(customer, policy, has_late_deal=late)
    return PoolOutlook(clock=None if exempt else pool_clock(customer, policy),
                       warned=customer.pool_warned_at is not None, exempt=exempt)
