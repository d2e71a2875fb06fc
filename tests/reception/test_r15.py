"""R15: prospect files pass to the customer-service supervisor after the deal (002 D2.3 "准客户资料留存到成交后，
转交客户服务主管")."""

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import ValidationFailed
from salesflow.core.statemachine import InvalidTransition
from salesflow.crm import selectors as crm_selectors
from salesflow.crm.models import Customer
from salesflow.deals import services as deals
from salesflow.notifications.models import Notification
from salesflow.org.roles import Role
from salesflow.reception import services
from salesflow.reception.models import Prospect, ProspectStatus

from ..conftest import fresh
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def _opportunity(org, prospect):
    return deals.opportunity_create(by=fresh(org.rep), customer_id=prospect.customer_id,
                                    data={"name": "首批设备采购", "amount": "380000"})


def test_r15_the_file_passes_to_customer_service_when_the_deal_is_won(org, people, filed):
    prospect = filed(name="无锡华光精工有限公司")
    opp = _opportunity(org, prospect)
    # Before the deal: nothing has passed.
    deals.opportunity_move(by=fresh(org.rep), opportunity_id=opp.pk, to_stage="quote")
    prospect.refresh_from_db()
    customer = Customer.objects.get(pk=prospect.customer_id)
    assert prospect.status == ProspectStatus.CUSTOMER_FILED and prospect.handed_over_at is None
    assert customer.service_owner_id is None
    assert not Notification.objects.filter(user=people.service).exists()

    deals.opportunity_win(by=fresh(org.rep), opportunity_id=opp.pk)

    prospect.refresh_from_db()
    customer.refresh_from_db()
    assert prospect.status == ProspectStatus.HANDED_OVER
    assert prospect.won_opportunity_id == opp.pk and prospect.deal_done_at is not None
    # The record says when and by whom, and to whom.
    assert (prospect.service_owner, prospect.handed_over_by) == (people.service, org.rep)
    assert prospect.handed_over_at is not None
    assert (customer.service_owner, customer.service_since) == (people.service, prospect.handed_over_at)
    note = Notification.objects.get(user=people.service, kind="prospect.handed_over")
    assert "无锡华光精工有限公司" in note.title
    events = AuditEvent.objects.filter(object_type="reception.prospect", object_id=str(prospect.pk))
    handed = events.get(action="prospect.handed_over")
    assert handed.customer_id == customer.pk and handed.after["service_owner"] == people.service.pk
    assert events.filter(action="prospect.deal_done").exists()
    # The customer file records the change of who serves it on its own trail (crm.services.customer_hand_to_service).
    on_customer = AuditEvent.objects.get(action="customer.handed_to_service")
    assert (on_customer.object_type, on_customer.object_id, on_customer.customer_id, on_customer.actor_id) == (
        "crm.customer", str(customer.pk), customer.pk, org.rep.pk)
    assert on_customer.before["service_owner"] is None
    assert on_customer.after == {"service_owner": people.service.pk,
                                 "service_since": customer.service_since.isoformat()}


def test_r15_no_hand_over_before_the_deal(org, people, filed):
    prospect = filed()
    opp = _opportunity(org, prospect)
    with pytest.raises(InvalidTransition):
        services.prospect_hand_over(by=fresh(org.supervisor), prospect_id=prospect.pk, service_owner=people.service)
    from salesflow.deals.models import LostReason

    reason = LostReason.objects.create(name="预算取消")
    deals.opportunity_lose(by=fresh(org.rep), opportunity_id=opp.pk, reason_id=reason.pk)
    prospect.refresh_from_db()
    assert prospect.status == ProspectStatus.CUSTOMER_FILED and prospect.service_owner_id is None
    assert Customer.objects.get(pk=prospect.customer_id).service_owner_id is None
    assert not AuditEvent.objects.filter(action="prospect.handed_over").exists()


def test_r15_a_won_deal_on_another_customer_hands_nothing_over(org, people, filed):
    prospect = filed()
    other = deals.opportunity_create(by=fresh(org.rep), customer_id=org.cust_rep.pk, data={"name": "别的客户的商机"})
    deals.opportunity_win(by=fresh(org.rep), opportunity_id=other.pk)
    assert Prospect.objects.get(pk=prospect.pk).status == ProspectStatus.CUSTOMER_FILED


def test_r15_nearest_service_supervisor_wins(org, people, filed):
    nearer = UserFactory(username="service_sh", name="上海客服", role=Role.SERVICE, unit=org.east_office)
    prospect = filed()
    deals.opportunity_win(by=fresh(org.rep), opportunity_id=_opportunity(org, prospect).pk)
    assert Prospect.objects.get(pk=prospect.pk).service_owner == nearer


def test_r15_without_a_service_supervisor_the_supervisor_is_asked_and_hands_over_by_hand(org, people, filed):
    people.service.is_active = False
    people.service.save(update_fields=["is_active"])
    prospect = filed()
    deals.opportunity_win(by=fresh(org.rep), opportunity_id=_opportunity(org, prospect).pk)
    prospect.refresh_from_db()
    assert prospect.status == ProspectStatus.DEAL_DONE and prospect.service_owner_id is None
    assert Notification.objects.filter(user=org.supervisor, kind="prospect.pick_service").exists()
    with pytest.raises(ValidationFailed) as exc:
        services.prospect_hand_over(by=fresh(org.supervisor), prospect_id=prospect.pk)
    assert exc.value.code == "prospect_no_service_supervisor"
    with pytest.raises(ValidationFailed):  # not a customer-service supervisor
        services.prospect_hand_over(by=fresh(org.supervisor), prospect_id=prospect.pk, service_owner=org.rep_b)
    hq_service = UserFactory(username="service_hq", name="总部客服", role=Role.SERVICE, unit=org.hq)
    prospect = services.prospect_hand_over(by=fresh(org.supervisor), prospect_id=prospect.pk,
                                           service_owner=hq_service, note="华东客服主管休假")
    assert (prospect.status, prospect.service_owner, prospect.handed_over_by) == (
        "handed_over", hq_service, org.supervisor)
    assert Customer.objects.get(pk=prospect.customer_id).service_owner == hq_service
    assert AuditEvent.objects.get(action="prospect.handed_over").note == "华东客服主管休假"
    on_customer = AuditEvent.objects.get(action="customer.handed_to_service", customer_id=prospect.customer_id)
    assert (on_customer.actor_id, on_customer.after["service_owner"], on_customer.note) == (
        org.supervisor.pk, hq_service.pk, "华东客服主管休假")


def test_r15_service_supervisor_sees_the_handed_over_customer_outside_their_unit(org, people, filed):
    """crm CustomerQuerySet.visible_to: the service owner sees the customer even beyond their unit's scope."""
    north_service = UserFactory(username="service_north", name="华北客服", role=Role.SERVICE, unit=org.north)
    prospect = filed()
    customer_id = prospect.customer_id
    assert not Customer.objects.visible_to(fresh(north_service)).filter(pk=customer_id).exists()
    people.service.is_active = False
    people.service.save(update_fields=["is_active"])
    deals.opportunity_win(by=fresh(org.rep), opportunity_id=_opportunity(org, prospect).pk)
    services.prospect_hand_over(by=fresh(org.supervisor), prospect_id=prospect.pk, service_owner=north_service)
    viewer = fresh(north_service)
    assert crm_selectors.customer_get(user=viewer, customer_id=customer_id).pk == customer_id
    assert Customer.objects.visible_to(viewer).filter(pk=customer_id).exists()
    # Their own region's customers stay visible; another rep's data elsewhere does not leak.
    assert Customer.objects.visible_to(viewer).filter(pk=org.cust_rep2.pk).exists()
    assert not Customer.objects.visible_to(viewer).filter(pk=org.cust_rep_b.pk).exists()
    # The service owner's OR applies to the service role only: a rep never sees it through service_owner.
    Customer.objects.filter(pk=org.cust_rep_b.pk).update(service_owner=org.rep)
    assert not Customer.objects.visible_to(fresh(org.rep)).filter(pk=org.cust_rep_b.pk).exists()
    assert Prospect.objects.visible_to(viewer).filter(pk=prospect.pk).exists()


def test_r15_existing_service_owner_of_the_customer_is_kept(org, people, filed):
    other = UserFactory(username="service_other", name="老客服", role=Role.SERVICE, unit=org.hq)
    prospect = filed()
    Customer.objects.filter(pk=prospect.customer_id).update(service_owner=other)
    deals.opportunity_win(by=fresh(org.rep), opportunity_id=_opportunity(org, prospect).pk)
    assert Prospect.objects.get(pk=prospect.pk).service_owner == other
    # The customer's service owner did not change: nothing to record on the customer.
    assert not AuditEvent.objects.filter(action="customer.handed_to_service").exists()
