"""Reception records and prospects through the services: each transition, refusals, validation, D5 notice."""

import datetime as dt

import pytest
from django.utils import timezone

from salesflow.audit.labels import ACTION_LABELS
from salesflow.audit.models import AuditEvent
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.statemachine import InvalidTransition
from salesflow.crm.models import Customer
from salesflow.notifications.models import Notification
from salesflow.reception import selectors, services
from salesflow.reception.models import Intent, Prospect, ProspectStatus, ReceptionRecord

from ..conftest import fresh
from ..factories import credit_code

pytestmark = pytest.mark.django_db


# --- reception records -------------------------------------------------------------------------------------

def test_rep_records_a_reception_with_links_and_audit(org, make_record):
    record = make_record(channel="phone", visitor_names="王经理、李工", visitor_count="2", phone="138 1234 5678",
                         explained="介绍了公司资质和 X5 系列", next_step="寄送报价", next_step_on="2030-01-05",
                         customer_id=org.cust_rep.pk)
    record.refresh_from_db()
    assert (record.owner, record.unit, record.channel, record.visitor_count) == (org.rep, org.east_team, "phone", 2)
    assert record.phone_digits == "13812345678" and record.next_step_on == dt.date(2030, 1, 5)
    assert record.customer == org.cust_rep and record.intent == Intent.YES
    event = AuditEvent.objects.get(action="reception.created", object_id=str(record.pk))
    assert event.customer_id == org.cust_rep.pk and event.after["visitor_names"] == "王经理、李工"


def test_an_opportunity_brings_its_customer_and_contradicting_links_are_refused(org, make_record):
    from salesflow.deals.services import opportunity_create

    opp = opportunity_create(by=org.rep, customer_id=org.cust_rep.pk, data={"name": "生产线改造"})
    record = make_record(opportunity_id=opp.pk)
    assert record.customer_id == org.cust_rep.pk
    other = Customer.objects.create(name="另一家客户有限公司", owner=org.rep, unit=org.east_team)
    with pytest.raises(ValidationFailed) as exc:
        make_record(opportunity_id=opp.pk, customer_id=other.pk)
    assert "customer_id" in exc.value.fields
    # Someone else's customer is not a choice.
    with pytest.raises(ValidationFailed) as exc:
        make_record(customer_id=org.cust_rep2.pk)
    assert "customer_id" in exc.value.fields


@pytest.mark.parametrize("data, field", [
    ({"visitor_names": ""}, "visitor_names"),
    ({"visitor_count": "0"}, "visitor_count"),
    ({"phone": "12345"}, "phone"),
    ({"intent": "maybe"}, "intent"),
    ({"channel": "pigeon"}, "channel"),
    ({"received_at": "明天"}, "received_at"),
    ({"next_step_on": "2026-02-30"}, "next_step_on"),
])
def test_bad_reception_input_writes_nothing(org, make_record, data, field):
    with pytest.raises(ValidationFailed) as exc:
        make_record(**data)
    assert field in exc.value.fields
    assert not ReceptionRecord.objects.exists() and not AuditEvent.objects.filter(action__startswith="reception").exists()


def test_a_reception_in_the_future_is_refused(org, make_record):
    with pytest.raises(ValidationFailed) as exc:
        make_record(received_at=timezone.now() + dt.timedelta(days=2))
    assert "received_at" in exc.value.fields


def test_roles_without_sales_work_cannot_record(org, make_record):
    with pytest.raises(PermissionRefused):
        make_record(by=org.finance)
    with pytest.raises(PermissionRefused):
        make_record(by=org.planner)


def test_supervisor_records_for_a_rep_of_theirs_but_not_for_another_region(org, make_record):
    record = make_record(by=org.supervisor, owner=org.rep_b)
    assert (record.owner, record.created_by, record.unit) == (org.rep_b, org.supervisor, org.east_team)
    with pytest.raises(ValidationFailed):
        make_record(by=org.supervisor, owner=org.rep2)
    with pytest.raises(ValidationFailed):
        make_record(by=org.rep, owner=org.rep_b)


def test_update_by_owner_and_above_only(org, make_record):
    record = make_record()
    services.reception_update(by=fresh(org.rep), record_id=record.pk, data={"intent": "no", "next_step": "不再跟进"})
    record.refresh_from_db()
    assert record.intent == "no"
    event = AuditEvent.objects.get(action="reception.updated", object_id=str(record.pk))
    assert event.before == {"intent": "yes", "next_step": ""} and event.after["intent"] == "no"
    services.reception_update(by=fresh(org.supervisor), record_id=record.pk, data={"explained": "主管补充"})
    with pytest.raises(NotFound):
        services.reception_update(by=fresh(org.rep_b), record_id=record.pk, data={"intent": "yes"})
    with pytest.raises(NotFound):
        services.reception_update(by=fresh(org.manager2), record_id=record.pk, data={"intent": "yes"})
    with pytest.raises(ValidationFailed) as exc:
        services.reception_update(by=fresh(org.rep), record_id=record.pk, data={"owner": org.rep_b.pk})
    assert "owner" in exc.value.fields


# --- prospects: each transition ----------------------------------------------------------------------------

def test_supervisor_registers_from_reception_records_and_the_marketing_supervisor_is_asked(org, people, make_record):
    first = make_record(intent="undecided", received_at=timezone.now() - dt.timedelta(days=3))
    second = make_record(intent="yes", received_at=timezone.now() - dt.timedelta(days=1))
    prospect = services.prospect_register(by=fresh(org.manager), consultant=org.rep,
                                          reception_ids=[first.pk, second.pk],
                                          data={"name": "苏州新锐自动化有限公司", "phone": "13900002222"})
    assert prospect.status == ProspectStatus.REGISTERED and prospect.intent == Intent.YES  # the latest reception
    assert (prospect.consultant, prospect.unit, prospect.registered_by) == (org.rep, org.east_team, org.manager)
    assert set(prospect.reception_records.values_list("pk", flat=True)) == {first.pk, second.pk}
    # D2.4: the office's 营销主管 — here the team's sales supervisor — is asked, not the marketing VP.
    assert Notification.objects.filter(user=org.supervisor, kind="prospect.to_confirm").exists()
    assert not Notification.objects.filter(user=people.marketing, kind="prospect.to_confirm").exists()
    assert AuditEvent.objects.filter(action="prospect.registered", object_id=str(prospect.pk)).exists()
    with pytest.raises(Conflict):
        services.prospect_register(by=fresh(org.supervisor), consultant=org.rep, reception_ids=[first.pk],
                                   data={"name": "再登记一次有限公司"})


def test_full_flow_register_submit_register_file(org, people, make_prospect):
    prospect = make_prospect(name="杭州启明电气有限公司", contact_name="赵总", phone="13711112222",
                             credit_code=credit_code(77), province="浙江", city="杭州市", industry="manufacturing",
                             source="exhibition", needs="两条装配线")
    prospect = services.prospect_confirm(by=fresh(org.supervisor), prospect_id=prospect.pk, note="符合目标行业")
    assert prospect.status == ProspectStatus.REGISTERED and prospect.confirmed_by == org.supervisor
    prospect = services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk, note="客户有明确采购计划")
    assert prospect.status == ProspectStatus.FILE_SUBMITTED and prospect.customer_submitted_by == org.rep
    prospect = services.prospect_register_file(by=fresh(org.supervisor), prospect_id=prospect.pk)
    assert prospect.status == ProspectStatus.CUSTOMER_FILED and prospect.customer_filed_by == org.supervisor
    customer = prospect.customer
    # Nothing retyped: the customer file carries what the prospect file held, owned by the consultant.
    assert (customer.name, customer.credit_code, customer.province, customer.city, customer.industry,
            customer.source, customer.owner) == ("杭州启明电气有限公司", credit_code(77), "浙江省", "杭州市",
                                                  "manufacturing", "exhibition", org.rep)
    contact = customer.contacts.get()
    assert (contact.name, contact.phone_digits, contact.is_primary) == ("赵总", "13711112222", True)
    actions = list(AuditEvent.objects.filter(object_type="reception.prospect", object_id=str(prospect.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["prospect.registered", "prospect.confirmed", "prospect.file_submitted",
                       "prospect.customer_filed"]


def test_d5_notifies_the_consultant_to_prepare_the_negotiation(org, filed):
    prospect = filed(name="南京远大物流有限公司")
    note = Notification.objects.get(user=org.rep, kind="prospect.customer_filed")
    assert "南京远大物流有限公司" in note.title and note.url == f"/customers/{prospect.customer_id}/"


def test_the_receptions_of_the_prospect_join_the_customer_file(org, people, make_record, make_prospect):
    record = make_record()
    prospect = make_prospect(reception_ids=[record.pk])
    prospect = services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk, confirm_duplicates=True)
    record.refresh_from_db()
    assert record.customer_id == prospect.customer_id
    assert [e["url"] for e in selectors.timeline_for_customer(fresh(org.rep), prospect.customer_id)] == [
        f"/reception/{record.pk}/"]


def test_customer_file_warns_of_duplicates_and_can_attach_instead(org, people, make_prospect):
    prospect = make_prospect(name=org.cust_rep.name)
    before = Customer.objects.count()
    with pytest.raises(Conflict) as exc:
        services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk)
    assert exc.value.code == "customer_duplicate"
    assert Customer.objects.count() == before and Prospect.objects.get(pk=prospect.pk).status == "registered"
    # Only one of the consultant's own customer files may be attached.
    with pytest.raises(ValidationFailed):
        services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk, customer_id=org.cust_rep_b.pk)
    prospect = services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk, customer_id=org.cust_rep.pk)
    assert prospect.customer == org.cust_rep and Customer.objects.count() == before


def test_no_customer_file_without_purchase_intent_until_a_reception_shows_it(org, people, make_prospect,
                                                                             make_record):
    prospect = make_prospect(intent="undecided")
    with pytest.raises(AppError) as exc:
        services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk)
    assert exc.value.code == "prospect_no_purchase_intent"
    make_record(prospect_id=prospect.pk, intent="yes")
    assert Prospect.objects.get(pk=prospect.pk).intent == "yes"
    assert AuditEvent.objects.filter(action="prospect.intent_set", object_id=str(prospect.pk)).exists()
    services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk, confirm_duplicates=True)


def test_transitions_out_of_order_are_refused(org, people, make_prospect):
    prospect = make_prospect()
    with pytest.raises(InvalidTransition):
        services.prospect_register_file(by=fresh(org.supervisor), prospect_id=prospect.pk)
    with pytest.raises(InvalidTransition):
        services.prospect_hand_over(by=fresh(org.supervisor), prospect_id=prospect.pk, service_owner=people.service)
    services.prospect_confirm(by=fresh(org.supervisor), prospect_id=prospect.pk)
    with pytest.raises(InvalidTransition):
        services.prospect_confirm(by=fresh(org.supervisor), prospect_id=prospect.pk)


def test_drop_needs_a_reason_and_is_final(org, people, make_prospect):
    prospect = make_prospect()
    with pytest.raises(ValidationFailed):
        services.prospect_drop(by=fresh(org.supervisor), prospect_id=prospect.pk, reason="  ")
    assert Prospect.objects.get(pk=prospect.pk).status == "registered"
    prospect = services.prospect_drop(by=fresh(org.supervisor), prospect_id=prospect.pk, reason="不在目标市场")
    assert (prospect.status, prospect.drop_reason, prospect.dropped_by) == ("dropped", "不在目标市场", org.supervisor)
    with pytest.raises(InvalidTransition):
        services.prospect_confirm(by=fresh(org.supervisor), prospect_id=prospect.pk)


def test_wrong_roles_are_refused_and_nothing_changes(org, people, make_prospect):
    prospect = make_prospect()
    with pytest.raises(PermissionRefused):
        make_prospect(by=org.rep)
    with pytest.raises(PermissionRefused):
        services.prospect_confirm(by=fresh(people.marketing), prospect_id=prospect.pk)
    with pytest.raises(PermissionRefused):
        services.prospect_confirm(by=fresh(org.gm), prospect_id=prospect.pk)
    with pytest.raises(PermissionRefused):
        services.prospect_drop(by=fresh(org.rep), prospect_id=prospect.pk, reason="不想要")
    with pytest.raises(PermissionRefused):
        services.prospect_drop(by=fresh(people.marketing), prospect_id=prospect.pk, reason="不想要")
    # E4 is the consultant's: not the supervisor's, not another rep's (who cannot even find it).
    with pytest.raises(PermissionRefused):
        services.prospect_submit_file(by=fresh(org.supervisor), prospect_id=prospect.pk)
    with pytest.raises(NotFound):
        services.prospect_submit_file(by=fresh(org.rep_b), prospect_id=prospect.pk)
    services.prospect_submit_file(by=fresh(org.rep), prospect_id=prospect.pk, confirm_duplicates=True)
    with pytest.raises(PermissionRefused):
        services.prospect_register_file(by=fresh(org.rep), prospect_id=prospect.pk)
    with pytest.raises(PermissionRefused):
        services.prospect_register_file(by=fresh(people.marketing), prospect_id=prospect.pk)
    # Another region's manager cannot even find it.
    with pytest.raises(NotFound):
        services.prospect_register_file(by=fresh(org.manager2), prospect_id=prospect.pk)
    assert Prospect.objects.get(pk=prospect.pk).status == "file_submitted"


def test_register_validates_and_writes_nothing_on_bad_input(org):
    for data, consultant, field in [({"name": ""}, org.rep, "name"),
                                    ({"name": "好公司", "phone": "999"}, org.rep, "phone"),
                                    ({"name": "好公司", "credit_code": "91310000000000000X"}, org.rep, "credit_code"),
                                    ({"name": "好公司", "intent": "maybe"}, org.rep, "intent"),
                                    ({"name": "好公司"}, None, "consultant_id"),
                                    ({"name": "好公司"}, org.rep2, "consultant_id")]:
        with pytest.raises(ValidationFailed) as exc:
            services.prospect_register(by=fresh(org.supervisor), data=data, consultant=consultant)
        assert field in exc.value.fields, data
    assert not Prospect.objects.exists() and not Notification.objects.exists()


def test_register_warns_of_an_open_prospect_with_the_same_phone(org, make_prospect):
    make_prospect(name="宁波海天模具有限公司", phone="13600001111")
    with pytest.raises(Conflict) as exc:
        services.prospect_register(by=fresh(org.supervisor), consultant=org.rep_b,
                                   data={"name": "海天模具", "phone": "136-0000-1111"})
    assert exc.value.code == "prospect_duplicate"
    assert Prospect.objects.count() == 1


def test_every_recorded_action_has_a_label(org, people, filed, make_record):
    prospect = filed()
    make_record(prospect_id=prospect.pk)
    for action in AuditEvent.objects.values_list("action", flat=True).distinct():
        assert action in ACTION_LABELS, action
