"""Issue #15 (High): what belongs to a customer's relationship follows the customer when it changes hands.

Open opportunities, draft discount requests and the visits still to come follow (or are cancelled) by one rule,
in the reassignment's transaction, with their audit rows; closed documents keep their historical owner and the
new owner reads them. The previous owner can no longer read, move or win what followed."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from salesflow.audit.models import AuditEvent
from salesflow.crm import services as crm_services
from salesflow.deals import services
from salesflow.deals.discounts import services as discounts
from salesflow.deals.discounts.models import DiscountRequest, DiscountStatus
from salesflow.deals.models import Opportunity
from salesflow.pool import services as pool_services

from ..conftest import fresh

pytestmark = pytest.mark.django_db
BASE = "/api/v1/opportunities"


def send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def reassign(org, to, customer=None):
    r = send(_client_of(org.manager), "post", f"/api/v1/customers/{(customer or org.cust_rep).pk}/reassign",
             {"owner_id": to.pk, "note": "区域调整"})
    assert r.status_code == 200, r.content


def _client_of(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_the_old_rep_cannot_win_read_or_move_a_deal_after_the_customer_is_reassigned(org, client_for, opportunity):
    opp = opportunity()
    reassign(org, org.rep_b)
    old = client_for(org.rep)
    # Before the fix: 200, and the win reset the new owner's pool clock.
    assert send(old, "post", f"{BASE}/{opp.pk}/win").status_code == 404
    assert send(old, "post", f"{BASE}/{opp.pk}/move", {"stage": "needs"}).status_code == 404
    assert old.get(f"{BASE}/{opp.pk}").status_code == 404
    assert old.get(reverse("deals:opportunity_detail", args=[opp.pk])).status_code == 404
    assert old.post(reverse("deals:opportunity_action", args=[opp.pk]), {"action": "win"}).status_code == 404
    opp.refresh_from_db()
    assert opp.stage == "contact"
    assert opp.owner_id == org.rep_b.pk and opp.unit_id == org.rep_b.unit_id

    new = client_for(org.rep_b)
    assert new.get(f"{BASE}/{opp.pk}").status_code == 200
    assert new.get(reverse("deals:opportunity_detail", args=[opp.pk])).status_code == 200
    assert send(new, "post", f"{BASE}/{opp.pk}/move", {"stage": "needs"}).status_code == 200
    assert send(new, "post", f"{BASE}/{opp.pk}/win").status_code == 200


def test_reassigning_writes_one_audit_row_per_deal_moved(org, opportunity):
    first, second = opportunity(), opportunity(name="第二个商机")
    reassign(org, org.rep_b)
    rows = AuditEvent.objects.filter(action="opportunity.reassigned", customer_id=org.cust_rep.pk)
    assert sorted(int(r.object_id) for r in rows) == sorted([first.pk, second.pk])
    row = rows.first()
    assert row.before == {"owner": org.rep.pk} and row.after["owner"] == org.rep_b.pk
    assert row.actor_id == org.manager.pk and row.note == "区域调整"


def test_a_closed_deal_keeps_its_historical_owner_and_the_new_owner_reads_it(org, client_for, opportunity,
                                                                             lost_reason):
    won, lost, open_ = opportunity(name="已成交"), opportunity(name="已丢单"), opportunity(name="进行中")
    services.opportunity_win(by=fresh(org.rep), opportunity_id=won.pk)
    services.opportunity_lose(by=fresh(org.rep), opportunity_id=lost.pk, reason_id=lost_reason.pk)
    reassign(org, org.rep3)  # another team: only the customer makes the closed deals visible
    assert Opportunity.objects.get(pk=won.pk).owner_id == org.rep.pk
    assert Opportunity.objects.get(pk=lost.pk).owner_id == org.rep.pk
    assert Opportunity.objects.get(pk=open_.pk).owner_id == org.rep3.pk

    new = client_for(org.rep3)
    assert new.get(f"{BASE}/{won.pk}").status_code == 200
    assert new.get(reverse("deals:opportunity_detail", args=[lost.pk])).status_code == 200
    listed = {row["id"] for row in new.get(f"{BASE}?customer={org.cust_rep.pk}").json()["items"]}
    assert {won.pk, lost.pk, open_.pk} <= listed
    # Read only for the new owner: the predecessor's closed deal is not theirs to edit.
    assert send(new, "patch", f"{BASE}/{won.pk}", {"amount": "1"}).status_code == 403
    # The historical owner still reads their closed deals.
    old = client_for(org.rep)
    assert old.get(f"{BASE}/{won.pk}").status_code == 200
    # The funnel of the new owner counts only their own deals.
    from salesflow.deals.selectors import opportunities_in_scope

    assert not opportunities_in_scope(fresh(org.rep3), history=False).filter(pk=won.pk).exists()


def test_reopening_a_predecessors_lost_deal_brings_it_to_the_customers_owner(org, opportunity, lost_reason):
    lost = opportunity()
    services.opportunity_lose(by=fresh(org.rep), opportunity_id=lost.pk, reason_id=lost_reason.pk)
    reassign(org, org.rep3)
    from salesflow.core.errors import PermissionRefused

    with pytest.raises(PermissionRefused):  # the old rep may no longer act on the customer
        services.opportunity_reopen(by=fresh(org.rep), opportunity_id=lost.pk)
    services.opportunity_reopen(by=fresh(org.rep3), opportunity_id=lost.pk)
    lost.refresh_from_db()
    assert lost.stage == "contact" and lost.owner_id == org.rep3.pk and lost.unit_id == org.rep3.unit_id


def test_after_release_to_the_pool_the_old_rep_cannot_act_and_the_claimer_takes_over(org, client_for, opportunity):
    opp = opportunity()
    r = send(client_for(org.rep), "post", f"/api/v1/customers/{org.cust_rep.pk}/release", {"reason": "客户无需求"})
    assert r.status_code == 200, r.content
    opp.refresh_from_db()
    # A pool customer has no open deals: they are closed as lost, reason 退回公海, with an audit row each.
    assert opp.stage == "lost" and opp.lost_reason.name == services.POOL_LOST_REASON and opp.closed_at
    assert opp.owner_id == org.rep.pk  # its historical owner
    event = AuditEvent.objects.get(action="opportunity.lost", object_id=str(opp.pk))
    assert event.after["lost_reason"] == services.POOL_LOST_REASON and "客户无需求" in event.note
    assert opp.stage_changes.filter(to_stage="lost").count() == 1
    old = client_for(org.rep)
    assert send(old, "post", f"{BASE}/{opp.pk}/win").status_code in (403, 409)
    assert old.post(reverse("deals:opportunity_action", args=[opp.pk]), {"action": "reopen"}).status_code == 403
    assert Opportunity.objects.get(pk=opp.pk).stage == "lost"

    pool_services.customer_pool_claim(by=fresh(org.rep_b), customer_id=org.cust_rep.pk)
    new = client_for(org.rep_b)
    assert new.get(f"{BASE}/{opp.pk}").status_code == 200
    assert new.post(reverse("deals:opportunity_action", args=[opp.pk]), {"action": "reopen"}).status_code == 302
    opp.refresh_from_db()
    assert opp.owner_id == org.rep_b.pk and opp.stage == "contact"


def test_the_pool_sweep_closes_the_open_deals_of_the_customers_it_returns(org, opportunity):
    from salesflow.crm.models import Customer

    opp = opportunity()
    Customer.objects.filter(pk=org.cust_rep.pk).update(owned_since=timezone.now() - dt.timedelta(days=400))
    pool_services.customers_pool_sweep(now=timezone.now())
    assert Customer.objects.get(pk=org.cust_rep.pk).owner_id is None
    opp.refresh_from_db()
    assert opp.stage == "lost" and opp.owner_id == org.rep.pk
    assert AuditEvent.objects.filter(action="opportunity.lost", object_id=str(opp.pk), actor__isnull=True).exists()


def test_deactivation_moves_the_customers_deals_once(org, opportunity):
    from salesflow.org import services as org_services

    opp = opportunity()
    org_services.user_deactivate(by=fresh(org.admin), user=org.rep, reassign_to=org.rep_b)
    opp.refresh_from_db()
    assert opp.owner_id == org.rep_b.pk
    assert AuditEvent.objects.filter(action="opportunity.reassigned", object_id=str(opp.pk)).count() == 1


def test_reassigning_a_customer_with_many_deals_takes_a_bounded_number_of_queries(org, opportunity):
    def count(to):
        with CaptureQueriesContext(connection) as ctx:
            crm_services.customer_reassign(by=fresh(org.manager), customer=org.cust_rep, owner=fresh(to))
        return len(ctx.captured_queries)

    opportunity()
    few = count(org.rep_b)
    for i in range(25):
        opportunity(user=org.rep_b, name=f"商机{i}")
    many = count(org.rep)
    assert Opportunity.objects.filter(customer=org.cust_rep, owner=org.rep).count() == 26
    assert many == few


def test_draft_discount_requests_follow_pending_and_approved_ones_stay(r13, discount):
    draft, pending = discount(), discount(percent="5")
    discounts.discount_submit(by=fresh(r13.rep), discount_id=pending.pk)
    reassign(r13, r13.rep_b)
    draft.refresh_from_db()
    pending.refresh_from_db()
    assert draft.requester_id == r13.rep_b.pk and draft.unit_id == r13.rep_b.unit_id
    assert AuditEvent.objects.filter(action="discount.reassigned", object_id=str(draft.pk)).count() == 1
    assert pending.status == DiscountStatus.PENDING and pending.requester_id == r13.rep.pk
    # The new owner reads the pending request of their customer, and finishes and submits the draft.
    assert DiscountRequest.objects.visible_to(fresh(r13.rep_b)).filter(pk=pending.pk).exists()
    discounts.discount_submit(by=fresh(r13.rep_b), discount_id=draft.pk)


def test_a_draft_waits_frozen_while_its_customer_is_in_the_pool(r13, discount):
    from salesflow.core.errors import PermissionRefused

    draft = discount()
    pool_services.customer_release(by=fresh(r13.rep), customer_id=r13.cust_rep.pk, reason="客户搬迁")
    with pytest.raises(PermissionRefused):
        discounts.discount_submit(by=fresh(r13.rep), discount_id=draft.pk)
    pool_services.customer_pool_claim(by=fresh(r13.rep_b), customer_id=r13.cust_rep.pk)
    assert DiscountRequest.objects.get(pk=draft.pk).requester_id == r13.rep_b.pk


def test_the_old_owners_visits_still_to_come_are_cancelled(org):
    from salesflow.visits import services as visits
    from salesflow.visits.models import PlannedVisit

    today = timezone.localdate()
    plan = visits.plan_create(by=fresh(org.rep), period="month", day=today)
    later = visits.plan_item_add(by=fresh(org.rep), plan=plan, data={"customer_id": org.cust_rep.pk,
                                                                    "planned_on": plan.ends_on.isoformat()})
    other = visits.plan_item_add(by=fresh(org.rep), plan=plan, data={"target": "新客户", "planned_on":
                                                                    plan.ends_on.isoformat()})
    reassign(org, org.rep_b)
    assert not PlannedVisit.objects.filter(pk=later.pk).exists()
    assert PlannedVisit.objects.filter(pk=other.pk).exists()
    event = AuditEvent.objects.get(action="visit_plan.item_removed", object_id=str(plan.pk))
    assert event.customer_id == org.cust_rep.pk and event.before["customer"] == org.cust_rep.pk
