"""R15: every customer with a won deal gets a customer-service owner who can reach it (002 D2.3 "准客户资料留存到成交
后，转交客户服务主管"; the deal is E7 成交, the contract signed) — whether or not it came through a prospect. After-sales
(售后服务) follows the win as the customer's phase: it is no open stage of the pipeline."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesflow.audit.models import AuditEvent
from salesflow.core.statemachine import InvalidTransition
from salesflow.crm import selectors as crm_selectors
from salesflow.crm.models import Customer
from salesflow.deals import services
from salesflow.deals.pipeline import FUNNEL_RANK, OPEN_STAGES, PIPELINE_FLOW, Stage
from salesflow.notifications.models import Notification
from salesflow.org.roles import Role

from ..conftest import fresh
from ..factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(org):
    """The customer-service supervisor (客户服务主管) of the EAST region."""
    return UserFactory(username="service_east", name="林客服", role=Role.SERVICE, unit=org.east, manager=org.manager)


def _win(org, customer=None, user=None):
    user = user or org.rep
    opportunity = services.opportunity_create(by=fresh(user), customer_id=(customer or org.cust_rep).pk,
                                              data={"name": "数控机床采购", "amount": "500000"})
    services.opportunity_move(by=fresh(user), opportunity_id=opportunity.pk, to_stage="sign")
    return services.opportunity_win(by=fresh(user), opportunity_id=opportunity.pk)


# --- every won customer gets a service owner -------------------------------------------------------------

def test_r15_every_won_customer_gets_a_service_owner_not_only_prospects(org, service):
    customer = Customer.objects.get(pk=org.cust_rep.pk)
    assert customer.service_owner_id is None
    opportunity = services.opportunity_create(by=fresh(org.rep), customer_id=customer.pk, data={"name": "备件框架协议"})
    services.opportunity_move(by=fresh(org.rep), opportunity_id=opportunity.pk, to_stage="sign")
    customer.refresh_from_db()
    assert customer.service_owner_id is None  # signing is under way: no deal yet

    won = services.opportunity_win(by=fresh(org.rep), opportunity_id=opportunity.pk)

    customer.refresh_from_db()
    assert (customer.service_owner, customer.service_since) == (service, won.closed_at)
    event = AuditEvent.objects.get(action="customer.handed_to_service", customer_id=customer.pk)
    assert (event.actor_id, event.after["service_owner"]) == (org.rep.pk, service.pk)
    # A second won deal keeps the same service owner and records nothing new.
    _win(org)
    customer.refresh_from_db()
    assert customer.service_owner == service and customer.service_since == won.closed_at
    assert AuditEvent.objects.filter(action="customer.handed_to_service", customer_id=customer.pk).count() == 1


def test_r15_the_nearest_service_supervisor_above_the_customer_serves_it(org, service):
    nearer = UserFactory(username="service_sh", name="上海客服", role=Role.SERVICE, unit=org.east_office)
    north = UserFactory(username="service_north", name="华北客服", role=Role.SERVICE, unit=org.north)
    _win(org)
    _win(org, customer=org.cust_rep2, user=org.rep2)
    assert Customer.objects.get(pk=org.cust_rep.pk).service_owner == nearer
    assert Customer.objects.get(pk=org.cust_rep2.pk).service_owner == north


def test_r15_a_deactivated_service_owner_is_replaced_at_the_next_win(org, service):
    _win(org)
    service.is_active = False
    service.save(update_fields=["is_active"])
    hq = UserFactory(username="service_hq", name="总部客服", role=Role.SERVICE, unit=org.hq)
    _win(org)
    assert Customer.objects.get(pk=org.cust_rep.pk).service_owner == hq


def test_r15_with_nobody_to_serve_the_customer_the_administrators_are_told(org):
    _win(org)
    assert Customer.objects.get(pk=org.cust_rep.pk).service_owner_id is None
    note = Notification.objects.get(kind="customer.no_service_supervisor")
    assert note.user == org.admin and org.cust_rep.name in note.title


def test_r15_a_lost_deal_starts_no_service(org, service, lost_reason):
    opportunity = services.opportunity_create(by=fresh(org.rep), customer_id=org.cust_rep.pk, data={"name": "丢单"})
    services.opportunity_lose(by=fresh(org.rep), opportunity_id=opportunity.pk, reason_id=lost_reason.pk)
    assert Customer.objects.get(pk=org.cust_rep.pk).service_owner_id is None


# --- the service owner sees the customer and may reveal its phone numbers -------------------------------

@pytest.fixture
def served(org, service):
    """The rep's customer, won, served by the EAST service supervisor; plus a service supervisor of the same region
    who does not serve it, and one of another region."""
    _win(org)
    return {
        "customer": Customer.objects.get(pk=org.cust_rep.pk),
        "colleague": UserFactory(username="service_east2", name="华东客服二", role=Role.SERVICE, unit=org.east),
        "north": UserFactory(username="service_north", name="华北客服", role=Role.SERVICE, unit=org.north),
    }


def test_r15_service_owner_sees_the_customer_outside_their_units_scope(org, served):
    # Moved to serve from the north: the customer stays theirs to serve and to see (crm visible_to).
    north_owner = served["north"]
    Customer.objects.filter(pk=org.cust_rep.pk).update(service_owner=north_owner)
    assert crm_selectors.customer_get(user=fresh(north_owner), customer_id=org.cust_rep.pk).pk == org.cust_rep.pk
    # Another north service supervisor, who does not serve it, does not.
    other = UserFactory(username="service_north2", name="华北客服二", role=Role.SERVICE, unit=org.north)
    assert not Customer.objects.visible_to(fresh(other)).filter(pk=org.cust_rep.pk).exists()


def test_r15_service_owner_reveals_the_phone_numbers_on_the_page_and_the_api_audited(org, served, service,
                                                                                     client_for):
    customer = served["customer"]
    assert crm_selectors.can_reveal_phones(fresh(service), customer)
    page = client_for(service).post(reverse("crm:customer_reveal", args=[customer.pk]))
    assert page.status_code == 200 and "13812345678" in page.content.decode()
    api = client_for(service).post(f"/api/v1/customers/{customer.pk}/reveal-phones", "{}",
                                   content_type="application/json")
    assert api.status_code == 200, api.content
    assert [c["phone"] for c in api.json()["contacts"]] == ["13812345678"]
    reveals = AuditEvent.objects.filter(action="customer.phones_revealed", customer_id=customer.pk, actor=service)
    assert reveals.count() == 2


def test_r15_only_the_customers_own_service_owner_may_reveal(org, served, client_for):
    customer = served["customer"]
    # Same region, sees the customer through the unit scope, but does not serve it: refused.
    colleague = served["colleague"]
    assert not crm_selectors.can_reveal_phones(fresh(colleague), customer)
    assert client_for(colleague).post(reverse("crm:customer_reveal", args=[customer.pk])).status_code == 403
    assert client_for(colleague).post(f"/api/v1/customers/{customer.pk}/reveal-phones", "{}",
                                      content_type="application/json").status_code == 403
    # Another region's service supervisor and another rep: not found, like a missing customer.
    for user in (served["north"], org.rep_b, org.rep2):
        assert client_for(user).post(reverse("crm:customer_reveal", args=[customer.pk])).status_code == 404
        assert client_for(user).post(f"/api/v1/customers/{customer.pk}/reveal-phones", "{}",
                                     content_type="application/json").status_code == 404
    # A rep who is named service owner by mistake gains nothing: the role is what counts.
    Customer.objects.filter(pk=org.cust_rep_b.pk).update(service_owner=org.rep)
    assert client_for(org.rep).post(reverse("crm:customer_reveal", args=[org.cust_rep_b.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="customer.phones_revealed").exists()


# --- "my service customers" on the home page ------------------------------------------------------------

def test_r15_service_supervisors_home_lists_my_service_customers(org, served, service, client_for):
    page = client_for(service).get(reverse("home")).content.decode()
    assert 'data-testid="service-customers"' in page and org.cust_rep.name in page
    # Not theirs: the region's other customers (which the unit scope shows them) are not on the list.
    assert org.cust_rep_b.name not in page
    colleague_page = client_for(served["colleague"]).get(reverse("home")).content.decode()
    assert 'data-testid="service-customers"' in colleague_page and org.cust_rep.name not in colleague_page
    for user in (org.rep, org.manager, org.admin):
        assert 'data-testid="service-customers"' not in client_for(user).get(reverse("home")).content.decode()


def test_r15_my_service_customers_list_takes_a_fixed_number_of_queries(org, service, client_for):
    client = client_for(service)
    _win(org)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("home")).status_code == 200
    for i in range(25):  # more than the list shows: the count is asked for too
        customer = CustomerFactory(name=f"服务客户{i}号有限公司", owner=org.rep)
        ContactFactory(customer=customer, name=f"联系人{i}", phone="13700000000")
        _win(org, customer=customer)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("home")).content.decode()
    assert len(many) == len(one) + 1  # + the count once the list is full
    assert page.count("data-customer=") == 20 and "26" in page
    assert len(crm_selectors.service_customer_list(user=fresh(service))) == 26


# --- after-sales is the customer's phase, not a pipeline stage ---------------------------------------------

def test_r15_after_sales_is_no_open_stage_the_deal_is_won_at_signing():
    # 002 E7 成交: the deal is made when the contract is signed; 售后服务 follows the win.
    assert "aftersales" not in Stage.values
    assert OPEN_STAGES == [Stage.CONTACT, Stage.NEEDS, Stage.QUOTE, Stage.SIGN]
    assert PIPELINE_FLOW.next(Stage.SIGN, "win") == Stage.WON
    assert FUNNEL_RANK[Stage.WON] == FUNNEL_RANK[Stage.SIGN] + 1


def test_r15_no_move_into_an_after_sales_stage(org, client_for):
    opportunity = services.opportunity_create(by=fresh(org.rep), customer_id=org.cust_rep.pk, data={"name": "售后"})
    services.opportunity_move(by=fresh(org.rep), opportunity_id=opportunity.pk, to_stage="sign")
    with pytest.raises(InvalidTransition):
        services.opportunity_move(by=fresh(org.rep), opportunity_id=opportunity.pk, to_stage="aftersales")
    r = client_for(org.rep).post(f"/api/v1/opportunities/{opportunity.pk}/move",
                                 json.dumps({"stage": "aftersales"}), content_type="application/json")
    assert r.status_code in (400, 409)
    won = services.opportunity_win(by=fresh(org.rep), opportunity_id=opportunity.pk)
    assert (won.stage, won.probability, won.furthest_rank) == ("won", 100, FUNNEL_RANK[Stage.WON])


def test_r15_the_customer_page_names_its_service_owner(org, service, client_for):
    from django.urls import reverse

    _win(org)
    html = client_for(org.rep).get(reverse("crm:customer_detail", args=[org.cust_rep.pk])).content.decode()
    block = html[html.index('data-testid="service-owner"'):][:300]
    assert service.display_name in block
