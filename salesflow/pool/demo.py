"""Demo for the public pool (公海客户) and its policies, built through the services.

- Pool policies: own policies for 华东大区 (leads) and 北京一组 (customers come back after 20 days without
  follow-up), a pool of its own for 华南 (the territory rules are the leads' demo).
- Customers already in the pool: released by their owners with a reason, or returned by the sweep (no follow-up,
  no deal), one claimed back and one assigned from the pool by the manager, so timelines show every step.
- Warnings pending: some customers of ``rep`` and ``rep2`` return in 2 days (the bell and the customer page say so).

Idempotent: it does nothing once a customer has been in the pool.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from salesflow.audit.models import AuditEvent
from salesflow.crm.models import Customer
from salesflow.demo.registry import builder

from .models import PoolPolicy
from .policies import policy_for
from .rules import exemption, late_deal_customers
from .services import (
    POLICY_FIELDS,
    customer_pool_assign,
    customer_pool_claim,
    customer_release,
    customers_pool_sweep,
    policy_save,
)

RELEASES = [
    # (owner, reason)
    ("rep", "客户暂无采购需求，明年再联系"),
    ("rep", "多次联系不上，电话停机"),
    ("zhoujie", "非目标客户，采购量太小"),
    ("rep2", "客户已与竞争对手签约"),
    ("gaoyang", "与其他客户重复，已合并跟进"),
    ("zhuhao", "客户转型，不再采购设备"),
]
# (owner, how many) of customers the sweep returns: no follow-up for N days, and no deal for M days.
RECLAIM_FOLLOWUP = [("rep", 2), ("zhoujie", 1), ("rep2", 2), ("liuyang", 1), ("chenxin", 1)]
RECLAIM_DEAL = [("rep", 1), ("rep2", 1)]
# (owner, how many) of customers warned: they return in 2 days.
WARN = [("rep", 3), ("rep2", 2), ("zhoujie", 1)]
WARN_DEAL = [("rep", 1)]


def _free(customers: list[Customer], taken: set[int], *, untouched: bool) -> list[Customer]:
    """Owned, active customers that nothing exempts and that no other step of the demo uses; ``untouched``: also
    that no visit or deal of the demo touched (their clocks are set here, which must not contradict a visit)."""
    late = late_deal_customers(c.pk for c in customers)
    out = []
    for c in customers:
        if c.pk in taken or c.owner_id is None or c.status != "active":
            continue
        if untouched and (c.last_contact_at or c.last_deal_at):
            continue
        if exemption(c, policy_for(c.unit), has_late_deal=c.pk in late):
            continue
        out.append(c)
    return out


@builder(order=1000)
def build_customer_pool_demo(ctx) -> None:
    if AuditEvent.objects.filter(action__in=["customer.released", "customer.reclaimed",
                                             "customer.pool_warned"]).exists():
        return
    users, units = ctx.users, ctx.units
    director = users.get("director") or ctx.admin
    _policies(ctx, director)

    _deal_dates_from_won_opportunities()
    by_owner: dict[str, list[Customer]] = {}
    for c in Customer.objects.filter(owner__isnull=False).select_related("owner", "unit").order_by("id"):
        by_owner.setdefault(c.owner.username, []).append(c)
    taken: set[int] = set()

    def pick(username: str, n: int, *, untouched: bool = True) -> list[Customer]:
        chosen = _free(by_owner.get(username, []), taken, untouched=untouched)[-n:] if n else []
        taken.update(c.pk for c in chosen)
        return chosen

    now = timezone.now()
    day = dt.timedelta(days=1)

    def set_clocks(customers, *, owned, contact=None, deal=None):
        # Demo history, back-dated: no service writes the past, so the clocks are set on the rows directly.
        Customer.objects.filter(pk__in=[c.pk for c in customers]).update(
            owned_since=now - owned * day, last_contact_at=now - contact * day if contact is not None else None,
            last_deal_at=now - deal * day if deal is not None else None, pool_warned_at=None)

    # Returned by the sweep: no follow-up beyond the unit's limit, or no deal beyond it (though contacted lately).
    for username, n in RECLAIM_FOLLOWUP:
        chosen = pick(username, n)
        if chosen:
            limit = policy_for(chosen[0].unit).customer_followup_days
            set_clocks(chosen, owned=limit + 60, contact=limit + 4)
    for username, n in RECLAIM_DEAL:
        chosen = pick(username, n)
        if chosen:
            limit = policy_for(chosen[0].unit).customer_deal_days
            set_clocks(chosen, owned=limit + 6, contact=5)
    # Warnings pending: due in 2 days.
    for username, n in WARN:
        chosen = pick(username, n)
        if chosen:
            limit = policy_for(chosen[0].unit).customer_followup_days
            set_clocks(chosen, owned=limit + 40, contact=limit - 2)
    for username, n in WARN_DEAL:
        chosen = pick(username, n)
        if chosen:
            limit = policy_for(chosen[0].unit).customer_deal_days
            set_clocks(chosen, owned=limit - 2, contact=3)
    # Released by their owners, with a reason (the pool page shows it).
    for username, reason in RELEASES:
        for customer in pick(username, 1, untouched=False):
            customer_release(by=customer.owner, customer_id=customer.pk, reason=reason)
            ctx.count("customers released to the pool")
    result = customers_pool_sweep()
    ctx.count("customers returned to the pool", result["returned"])
    ctx.count("return-to-pool warnings", result["warned"])
    # Claimed back, and one handed out by the manager: the pool works both ways.
    east_pool = list(Customer.objects.filter(owner__isnull=True, unit=units["EAST-SH-1"]).order_by("pk"))
    if len(east_pool) >= 3 and "zhoujie" in users:
        customer_pool_claim(by=users["zhoujie"], customer_id=east_pool[-1].pk)
        customer_pool_assign(by=users["manager"], customer_id=east_pool[0].pk, owner=users["xuqian"],
                             note="二组跟进过同类客户，转二组")


def _deal_dates_from_won_opportunities() -> None:
    """The opportunities demo back-dates its deals after winning them: the customers' last deal follows."""
    from django.db.models import Max

    from salesflow.deals.models import Opportunity

    won = Opportunity.objects.filter(stage="won").values("customer_id").annotate(at=Max("closed_at"))
    for row in won:
        Customer.objects.filter(pk=row["customer_id"]).update(last_deal_at=row["at"])


def _policies(ctx, director) -> None:
    units, users = ctx.units, ctx.users
    if not PoolPolicy.objects.filter(unit__isnull=False).exists():
        policy_save(by=users.get("manager") or director, unit=units["EAST"], data={
            **_policy_values(policy_for(units["EAST"])), "claim_cap": 60, "contact_limit_hours": 16})
        policy_save(by=users.get("manager2") or director, unit=units["NORTH-BJ-1"], data={
            **_policy_values(policy_for(units["NORTH-BJ-1"])), "customer_followup_days": 20,
            "customer_warning_days": 3, "customer_claim_cap": 80})
        policy_save(by=director, unit=units["SOUTH"], data={
            **_policy_values(policy_for(units["SOUTH"])), "customer_followup_days": 45, "customer_deal_days": 120,
            "customer_warning_days": 5, "customer_exempt_late_deals": False})


def _policy_values(policy) -> dict:
    return {field: getattr(policy, field) for field in POLICY_FIELDS}
