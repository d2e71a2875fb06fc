"""The customers' public pool (公海客户) through the real services: the sweep's two rules, warnings, exemptions,
per-team policies, claim caps and who may see, claim, release and assign."""

import datetime as dt

import pytest
from django.utils import timezone

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.crm import selectors as crm_selectors
from salesflow.crm import services as crm_services
from salesflow.crm.models import Customer
from salesflow.deals import services as deal_services
from salesflow.notifications.models import Notification
from salesflow.pool import selectors
from salesflow.pool import services as pool
from salesflow.pool.models import PoolPolicy
from salesflow.pool.rules import customer_pool_outlook

from ..conftest import fresh

DAY = dt.timedelta(days=1)


@pytest.fixture
def make_customer(org):
    """make_customer(owner, days_owned=0, contact_days=None, deal_days=None, **data) → an owned customer whose
    clocks are set back: owned ``days_owned`` days ago, last contact / last deal so many days ago."""
    counter = iter(range(1, 10_000))

    def make(owner=None, *, days_owned=0, contact_days=None, deal_days=None, **data):
        owner = fresh(owner or org.rep)
        data.setdefault("name", f"公海测试客户{next(counter)}号有限公司")
        # The rep registers it; its tier is set beside the clocks (issue #15: a rep does not set the tier).
        terms = {key: data.pop(key) for key in ("tier", "credit_limit") if key in data}
        customer = crm_services.customer_create(by=owner, data=data, confirm_duplicates=True)
        now = timezone.now()
        Customer.objects.filter(pk=customer.pk).update(
            **terms,
            owned_since=now - days_owned * DAY,
            last_contact_at=now - contact_days * DAY if contact_days is not None else None,
            last_deal_at=now - deal_days * DAY if deal_days is not None else None)
        return Customer.objects.get(pk=customer.pk)

    return make


@pytest.fixture
def pool_customer(org, make_customer):
    """pool_customer(owner=rep_b, **data) → a customer its owner released into their unit's pool."""

    def make(owner=None, **data):
        owner = owner or org.rep_b
        customer = make_customer(owner, **data)
        return pool.customer_release(by=fresh(owner), customer_id=customer.pk, reason="客户暂无采购需求")

    return make


def sweep(days_ahead: float = 0):
    return pool.customers_pool_sweep(now=timezone.now() + days_ahead * DAY)


def notices(user, kind):
    return Notification.objects.filter(user=user, kind=kind)


# ── the sweep: warn once, then return — on both rules ───────────────────────────────────────────────

def test_no_followup_for_n_days_warns_once_then_returns_to_the_pool(org, make_customer):
    customer = make_customer(days_owned=28)  # due on day 30, warned from day 27
    fresh_one = make_customer(days_owned=5)
    assert sweep()["warned"] == 1
    customer.refresh_from_db()
    assert customer.pool_warned_at is not None and customer.owner_id == org.rep.pk
    warning = notices(org.rep, "customer.pool_warning").get()
    assert customer.name in warning.title and f"/customers/{customer.pk}/" == warning.url
    assert AuditEvent.objects.filter(customer_id=customer.pk, action="customer.pool_warned").count() == 1

    assert sweep(days_ahead=1) == {"warned": 0, "returned": 0, "cleared": 0}  # one warning, not one a run
    assert notices(org.rep, "customer.pool_warning").count() == 1

    result = sweep(days_ahead=2.1)
    assert result["returned"] == 1
    customer.refresh_from_db()
    assert customer.owner_id is None and customer.released_at is not None
    assert customer.unit_id == org.east_team.pk  # the team's pool
    assert customer.pool_warned_at is None and customer.owned_since is None
    event = AuditEvent.objects.get(customer_id=customer.pk, action="customer.reclaimed")
    assert "no follow-up for 30 days" in event.note and event.before == {"owner": org.rep.pk}
    assert notices(org.rep, "customer.reclaimed").filter(title__contains=customer.name).exists()
    assert Customer.objects.get(pk=fresh_one.pk).owner_id == org.rep.pk
    # The customer's timeline reads: owner 张销售 → ∅.
    timeline = crm_selectors.customer_timeline(user=fresh(org.manager), customer=customer)
    reclaimed = next(e for e in timeline if e.action == "customer.reclaimed")
    assert reclaimed.action_label == "Customer returned to the pool automatically"
    assert ("owner", org.rep.display_name, None) in reclaimed.readable


def test_no_deal_for_m_days_warns_then_returns_even_when_contacted(org, make_customer):
    customer = make_customer(days_owned=88, contact_days=1)  # followed up yesterday, but no deal for 88 days
    assert sweep()["warned"] == 1
    assert "no deal for 90 days" in notices(org.rep, "customer.pool_warning").get().body
    assert sweep(days_ahead=2.1)["returned"] == 1
    assert Customer.objects.get(pk=customer.pk).owner_id is None
    assert "no deal for 90 days" in AuditEvent.objects.get(customer_id=customer.pk, action="customer.reclaimed").note


def test_a_won_deal_restarts_the_no_deal_clock(org, make_customer):
    customer = make_customer(days_owned=100, contact_days=1, deal_days=20)
    assert sweep() == {"warned": 0, "returned": 0, "cleared": 0}
    opportunity = deal_services.opportunity_create(by=fresh(org.rep), customer_id=customer.pk, data={"name": "年度采购"})
    Customer.objects.filter(pk=customer.pk).update(last_deal_at=None)
    deal_services.opportunity_win(by=fresh(org.rep), opportunity_id=opportunity.pk)
    customer.refresh_from_db()
    assert customer.last_deal_at is not None and timezone.now() - customer.last_deal_at < dt.timedelta(minutes=1)


def test_r17_a_logged_contact_voids_the_pending_warning(org, make_customer):
    customer = make_customer(days_owned=29)
    sweep()
    assert Customer.objects.get(pk=customer.pk).pool_warned_at is not None
    crm_services.customer_record_contact(customer_id=customer.pk, at=timezone.now(), void_pool_warning=True)
    customer.refresh_from_db()
    assert customer.pool_warned_at is None and customer.last_contact_at is not None
    assert sweep(days_ahead=2) == {"warned": 0, "returned": 0, "cleared": 0}
    assert Customer.objects.get(pk=customer.pk).owner_id == org.rep.pk


def test_the_sweep_clears_a_warning_made_void_by_a_contact_written_elsewhere(org, make_customer):
    customer = make_customer(days_owned=29)
    sweep()
    # A visit log (another app) writes last_contact_at directly.
    Customer.objects.filter(pk=customer.pk).update(last_contact_at=timezone.now())
    assert sweep()["cleared"] == 1
    assert Customer.objects.get(pk=customer.pk).pool_warned_at is None


# ── exemptions ───────────────────────────────────────────────────────────────────────────────────────

def test_r15_customers_handed_to_customer_service_never_return(org, make_customer):
    customer = make_customer(days_owned=200)
    Customer.objects.filter(pk=customer.pk).update(service_owner=org.supervisor, service_since=timezone.now())
    assert sweep(days_ahead=10) == {"warned": 0, "returned": 0, "cleared": 0}
    assert Customer.objects.get(pk=customer.pk).owner_id == org.rep.pk


def test_r25_key_accounts_are_exempt_unless_the_policy_says_otherwise(org, make_customer):
    key = make_customer(days_owned=40, tier="A")
    plain = make_customer(days_owned=40, tier="B")
    assert sweep()["returned"] == 1
    assert Customer.objects.get(pk=key.pk).owner_id == org.rep.pk
    assert Customer.objects.get(pk=plain.pk).owner_id is None
    assert customer_pool_outlook(Customer.objects.get(pk=key.pk)).exempt == "key_account"
    PoolPolicy.objects.filter(unit__isnull=True).update(customer_exempt_key_accounts=False)
    assert sweep()["returned"] == 1
    assert Customer.objects.get(pk=key.pk).owner_id is None


def test_an_open_deal_at_quote_or_later_keeps_the_customer(org, make_customer):
    late = make_customer(days_owned=40)
    early = make_customer(days_owned=40)
    for customer, stage in ((late, "quote"), (early, "needs")):
        opp = deal_services.opportunity_create(by=fresh(org.rep), customer_id=customer.pk, data={"name": "设备采购"})
        deal_services.opportunity_move(by=fresh(org.rep), opportunity_id=opp.pk, to_stage=stage)
    assert sweep()["returned"] == 1
    assert Customer.objects.get(pk=late.pk).owner_id == org.rep.pk
    assert Customer.objects.get(pk=early.pk).owner_id is None
    PoolPolicy.objects.filter(unit__isnull=True).update(customer_exempt_late_deals=False)
    assert sweep()["returned"] == 1


def test_archived_customers_stay_where_they_are(org, make_customer):
    customer = make_customer(days_owned=100)
    crm_services.customer_archive(by=fresh(org.rep), customer=customer)
    assert sweep()["returned"] == 0


# ── per-team policy: the nearest unit with one decides ──────────────────────────────────────────────────

def test_per_team_policy_nearest_ancestor_applies(org, make_customer):
    PoolPolicy.objects.create(unit=org.east, customer_followup_days=10, customer_warning_days=2)
    in_team = make_customer(org.rep, days_owned=12)  # 上海一组 → inherits 华东大区: 10 days
    in_team2 = make_customer(org.rep3, days_owned=12)  # 上海二组, own rule below: 60 days
    PoolPolicy.objects.create(unit=org.east_team2, customer_followup_days=60)
    north = make_customer(org.rep2, days_owned=12)  # 华北: company default 30 days
    assert sweep()["returned"] == 1
    assert Customer.objects.get(pk=in_team.pk).owner_id is None
    assert Customer.objects.get(pk=in_team2.pk).owner_id == org.rep3.pk
    assert Customer.objects.get(pk=north.pk).owner_id == org.rep2.pk


def test_a_unit_can_switch_the_automatic_return_off(org, make_customer):
    PoolPolicy.objects.create(unit=org.east_team, customer_pool_enabled=False)
    mine = make_customer(org.rep, days_owned=100)
    north = make_customer(org.rep2, days_owned=100)
    assert sweep()["returned"] == 1
    assert Customer.objects.get(pk=mine.pk).owner_id == org.rep.pk
    assert Customer.objects.get(pk=north.pk).owner_id is None


def test_the_database_refuses_a_warning_after_the_return(org):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PoolPolicy.objects.create(unit=org.east_team, customer_followup_days=3, customer_warning_days=3)


# ── claim ──────────────────────────────────────────────────────────────────────────────────────────────

def test_a_rep_claims_a_pool_customer_of_their_team(org, pool_customer):
    customer = pool_customer()
    claimed = pool.customer_pool_claim(by=fresh(org.rep), customer_id=customer.pk)
    assert (claimed.owner_id, claimed.unit_id, claimed.released_at) == (org.rep.pk, org.east_team.pk, None)
    assert claimed.owned_since is not None
    event = AuditEvent.objects.get(customer_id=customer.pk, action="customer.claimed")
    assert event.actor_id == org.rep.pk and event.after["owner"] == org.rep.pk
    actions = list(AuditEvent.objects.filter(customer_id=customer.pk).order_by("id").values_list("action", flat=True))
    assert actions == ["customer.created", "customer.released", "customer.claimed"]
    with pytest.raises(NotFound) as exc:  # taken answers as not visible (issue #15)
        pool.customer_pool_claim(by=fresh(org.rep_b), customer_id=customer.pk)
    assert exc.value.code == "not_found"
    assert str(exc.value.message) == "Customer not found."


def test_claim_cap_counts_the_customers_a_rep_owns(org, pool_customer, make_customer):
    PoolPolicy.objects.create(unit=org.east_team, customer_claim_cap=2)  # rep owns cust_rep already
    first, second = pool_customer(), pool_customer()
    pool.customer_pool_claim(by=fresh(org.rep), customer_id=first.pk)
    with pytest.raises(Conflict) as exc:
        pool.customer_pool_claim(by=fresh(org.rep), customer_id=second.pk)
    assert exc.value.code == "customer_claim_cap_reached"
    assert str(exc.value.message) == "You already hold 2 customers; the cap is 2. Release some to the pool first."
    assert Customer.objects.get(pk=second.pk).owner_id is None
    crm_services.customer_archive(by=fresh(org.rep), customer=first)  # archived ones do not count
    pool.customer_pool_claim(by=fresh(org.rep), customer_id=second.pk)


def test_other_region_and_other_team_reps_cannot_see_or_claim_a_team_pool_customer(org, pool_customer):
    customer = pool_customer()  # waits in 上海一组's pool
    for rep in (org.rep2, org.rep3):
        assert customer.pk not in [c.pk for c in selectors.customer_pool_list(user=fresh(rep))]
        with pytest.raises(NotFound):
            pool.customer_pool_claim(by=fresh(rep), customer_id=customer.pk)
    assert customer.pk in [c.pk for c in selectors.customer_pool_list(user=fresh(org.rep))]
    assert customer.pk in [c.pk for c in selectors.customer_pool_list(user=fresh(org.manager))]
    assert customer.pk not in [c.pk for c in selectors.customer_pool_list(user=fresh(org.manager2))]
    with pytest.raises(NotFound):
        crm_selectors.customer_get(user=fresh(org.rep), customer_id=customer.pk)  # the detail is not a rep's


def test_a_region_pool_customer_is_open_to_every_team_of_the_region(org, pool_customer):
    customer = pool_customer(owner=org.manager)  # the manager sits on 华东大区: its pool is the region's
    assert customer.unit_id == org.east.pk
    for rep in (org.rep, org.rep3):
        assert customer.pk in [c.pk for c in selectors.customer_pool_list(user=fresh(rep))]
    assert customer.pk not in [c.pk for c in selectors.customer_pool_list(user=fresh(org.rep2))]
    assert pool.customer_pool_claim(by=fresh(org.rep3), customer_id=customer.pk).unit_id == org.east_team2.pk


def test_claim_refusals_for_roles_that_do_not_sell(org, pool_customer):
    customer = pool_customer()
    for user in (org.finance, org.planner, org.director):
        with pytest.raises(PermissionRefused):
            pool.customer_pool_claim(by=fresh(user), customer_id=customer.pk)


# ── release ────────────────────────────────────────────────────────────────────────────────────────────

def test_the_owner_releases_with_a_reason(org, make_customer):
    customer = make_customer()
    with pytest.raises(ValidationFailed) as exc:
        pool.customer_release(by=fresh(org.rep), customer_id=customer.pk, reason="  ")
    assert exc.value.fields == {"reason": ["Say why the customer goes back to the pool."]}
    assert Customer.objects.get(pk=customer.pk).owner_id == org.rep.pk
    released = pool.customer_release(by=fresh(org.rep), customer_id=customer.pk, reason="多次联系不上")
    assert released.owner_id is None and released.unit_id == org.east_team.pk and released.released_at
    event = AuditEvent.objects.get(customer_id=customer.pk, action="customer.released")
    assert event.note == "多次联系不上" and event.before["owner"] == org.rep.pk
    with pytest.raises(NotFound):  # no longer the rep's
        pool.customer_release(by=fresh(org.rep), customer_id=customer.pk, reason="x")


def test_only_the_owner_and_those_above_release(org, make_customer):
    customer = make_customer()
    with pytest.raises(NotFound):
        pool.customer_release(by=fresh(org.rep_b), customer_id=customer.pk, reason="x")
    with pytest.raises(NotFound):
        pool.customer_release(by=fresh(org.manager2), customer_id=customer.pk, reason="x")
    with pytest.raises(PermissionRefused):
        pool.customer_release(by=fresh(org.finance), customer_id=customer.pk, reason="x")
    pool.customer_release(by=fresh(org.supervisor), customer_id=customer.pk, reason="调整客户分配")


# ── assignment from the pool ─────────────────────────────────────────────────────────────────────────────

def test_a_manager_assigns_a_pool_customer_and_the_reps_cap_applies(org, pool_customer):
    customer = pool_customer()
    assigned = pool.customer_pool_assign(by=fresh(org.manager), customer_id=customer.pk, owner=org.rep3,
                                         note="二组行业对口")
    assert (assigned.owner_id, assigned.unit_id) == (org.rep3.pk, org.east_team2.pk)
    event = AuditEvent.objects.get(customer_id=customer.pk, action="customer.pool_assigned")
    assert event.note == "二组行业对口" and event.before["owner"] is None
    with pytest.raises(Conflict):  # not in the pool any more
        pool.customer_pool_assign(by=fresh(org.manager), customer_id=customer.pk, owner=org.rep)
    PoolPolicy.objects.create(unit=org.east_team, customer_claim_cap=1)
    other = pool_customer()
    with pytest.raises(Conflict) as exc:
        pool.customer_pool_assign(by=fresh(org.manager), customer_id=other.pk, owner=org.rep)
    assert exc.value.code == "customer_claim_cap_reached" and "张销售 already holds 1 customers" in str(exc.value.message)


def test_assignment_refusals(org, pool_customer):
    customer = pool_customer()
    with pytest.raises(NotFound):
        pool.customer_pool_assign(by=fresh(org.manager2), customer_id=customer.pk, owner=org.rep2)
    with pytest.raises(PermissionRefused):
        pool.customer_pool_assign(by=fresh(org.rep), customer_id=customer.pk, owner=org.rep)
    with pytest.raises(ValidationFailed):  # a user outside the manager's scope
        pool.customer_pool_assign(by=fresh(org.manager), customer_id=customer.pk, owner=org.rep2)
    assert Customer.objects.get(pk=customer.pk).owner_id is None


def test_reassigning_from_the_customer_page_is_the_same_assignment(org, pool_customer):
    customer = pool_customer()
    crm_services.customer_reassign(by=fresh(org.supervisor), customer=customer, owner=org.rep)
    assert AuditEvent.objects.filter(customer_id=customer.pk, action="customer.pool_assigned").exists()


# ── ownership keeps the clocks true ───────────────────────────────────────────────────────────────────────

def test_owned_since_starts_with_every_new_owner(org, make_customer):
    customer = make_customer(days_owned=20)
    crm_services.customer_reassign(by=fresh(org.supervisor), customer=customer, owner=org.rep_b)
    customer.refresh_from_db()
    assert timezone.now() - customer.owned_since < dt.timedelta(minutes=1)


def test_a_pool_customer_gets_no_opportunity_until_someone_owns_it(org, pool_customer):
    customer = pool_customer()
    with pytest.raises(ValidationFailed) as exc:
        deal_services.opportunity_create(by=fresh(org.manager), customer_id=customer.pk, data={"name": "x"})
    assert "public pool" in exc.value.fields["customer"][0]


def test_the_outlook_shows_the_return_date_after_the_warning(org, make_customer):
    customer = make_customer(days_owned=28)
    outlook = customer_pool_outlook(customer)
    assert not outlook.warned and outlook.clock.rule == "followup"
    sweep()
    outlook = customer_pool_outlook(Customer.objects.get(pk=customer.pk))
    assert outlook.warned and abs((outlook.clock.due_at - (customer.owned_since + 30 * DAY)).total_seconds()) < 1
