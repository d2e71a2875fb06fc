"""Customer services: create/update/duplicates/permissions/state machine/contacts/phone reveal, with audit."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.statemachine import InvalidTransition
from salesflow.crm import services
from salesflow.crm.choices import CustomerStatus
from salesflow.crm.models import Contact, Customer

from ..conftest import fresh
from ..factories import CustomerFactory


def create(by, name="宁波海天精工有限公司", contacts=(), **data):
    return services.customer_create(by=fresh(by), data={"name": name, **data}, contacts=list(contacts))


def test_create_writes_customer_contacts_keys_region_and_audit(org):
    # A supervisor registers it for the rep with its terms (issue #15: a rep does not set tier or credit limit).
    c = services.customer_create(by=fresh(org.supervisor), owner=org.rep, data={
        "name": "宁波海天精工有限公司", "credit_limit": "500000", "tier": "A"},
        contacts=[{"name": "林总", "phone": "13600001234"}, {"name": "黄工", "phone": "021-65432109"}])
    c = Customer.objects.get(pk=c.pk)
    assert c.owner == org.rep and c.unit == org.east_team and c.region == org.east
    assert c.created_by == org.supervisor
    assert c.name_initials == "nbhtjgyxgs"
    assert c.credit_limit == Decimal("500000.00") and isinstance(c.credit_limit, Decimal)
    contacts = list(c.contacts.order_by("id"))
    assert [x.is_primary for x in contacts] == [True, False]
    assert contacts[1].phone == "021-65432109" and contacts[1].phone_digits == "2165432109"
    event = AuditEvent.objects.get(action="customer.created", customer_id=c.pk)
    assert event.actor_id == org.supervisor.pk and event.after["credit_limit"] == "500000.00" and event.after["contacts"] == 2


def test_create_with_several_primaries_keeps_one(org):
    c = create(org.rep, contacts=[{"name": "甲", "is_primary": True}, {"name": "乙", "is_primary": True}])
    assert c.contacts.filter(is_primary=True).count() == 1


def test_create_refuses_bad_fields_and_bad_contact_phone(org):
    with pytest.raises(ValidationFailed) as exc:
        create(org.rep, credit_limit="-1", contacts=[{"name": "林总", "phone": "12345"}])
    assert set(exc.value.fields) == {"credit_limit", "contacts.0.phone"}
    assert not Customer.objects.filter(name="宁波海天精工有限公司").exists()


def test_credit_code_taken_refused_by_service(org):
    with pytest.raises(ValidationFailed) as exc:
        create(org.rep_b, name="完全不同的名字", credit_code=org.cust_rep.credit_code)
    assert exc.value.code == "customer_credit_code_taken"
    # A rep learns the code is taken even though they cannot see the other rep's customer.
    with pytest.raises(ValidationFailed) as exc:
        create(org.rep2, name="又一个不同的名字", credit_code=org.cust_rep.credit_code)
    assert exc.value.code == "customer_credit_code_taken"


def test_credit_code_unique_at_database_level(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(name="绕过服务", owner=org.rep_b, credit_code=org.cust_rep.credit_code)
    # Blank codes are not unique (individuals have none).
    CustomerFactory(name="个人客户甲", owner=org.rep_b, credit_code="")
    CustomerFactory(name="个人客户乙", owner=org.rep_b, credit_code="")


def test_database_guard_turns_integrity_error_into_app_error(org, monkeypatch):
    # If the pre-check misses (a concurrent insert), the constraint answers with the same stable code.
    monkeypatch.setattr(services, "customer_find_duplicates", lambda **kw: [])
    real_filter = Customer.objects.filter

    class Blind:
        def exists(self):
            return False

    monkeypatch.setattr(Customer.objects, "filter",
                        lambda *a, **kw: Blind() if "credit_code" in kw else real_filter(*a, **kw))
    with pytest.raises(ValidationFailed) as exc:
        create(org.rep_b, name="竞态客户", credit_code=org.cust_rep.credit_code)
    assert exc.value.code == "customer_credit_code_taken"


def test_credit_limit_check_constraint_in_database(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=org.cust_rep.pk).update(credit_limit=Decimal("-1"))


@pytest.mark.parametrize("name, contacts", [
    ("上海星辰机械有限公司", []),                           # same name
    ("上海星辰机械（集团）股份有限公司", []),               # same name after legal-form words
    ("完全不同的公司", [{"name": "某人", "phone": "138-1234-5678"}]),  # same phone as cust_rep's contact
])
def test_duplicate_warning_unless_confirmed(org, name, contacts):
    with pytest.raises(Conflict) as exc:
        create(org.rep_b, name=name, contacts=contacts)
    assert exc.value.code == "customer_duplicate" and exc.value.status == 409
    # rep_b may not see rep's customer: told that it exists and whom to ask, not its name (issue #15).
    assert org.cust_rep.name not in exc.value.message and org.supervisor.display_name in exc.value.message
    count = Customer.objects.count()
    services.customer_create(by=fresh(org.rep_b), data={"name": name}, contacts=contacts, confirm_duplicates=True)
    assert Customer.objects.count() == count + 1


def test_update_audited_with_before_and_after(org):
    services.customer_update(by=fresh(org.supervisor), customer=org.cust_rep,
                             data={"tier": "A", "credit_limit": "88888.8"})
    c = Customer.objects.get(pk=org.cust_rep.pk)
    assert c.tier == "A" and c.credit_limit == Decimal("88888.80")
    event = AuditEvent.objects.get(action="customer.updated", customer_id=c.pk)
    assert event.before["tier"] == "C" and event.after["tier"] == "A"
    assert event.before["credit_limit"] == "100000.00" and event.after["credit_limit"] == "88888.80"


def test_update_without_change_writes_no_event(org):
    services.customer_update(by=fresh(org.rep), customer=org.cust_rep, data={"tier": "C"})
    assert not AuditEvent.objects.filter(action="customer.updated").exists()


def test_update_rename_rederives_search_keys(org):
    services.customer_update(by=fresh(org.rep), customer=org.cust_rep, data={"name": "张三科技有限公司"})
    assert Customer.objects.get(pk=org.cust_rep.pk).name_initials == "zskjyxgs"


def test_update_refuses_unknown_fields(org):
    with pytest.raises(ValidationFailed) as exc:
        services.customer_update(by=fresh(org.rep), customer=org.cust_rep, data={"owner": org.rep_b.pk})
    assert "owner" in exc.value.fields
    assert Customer.objects.get(pk=org.cust_rep.pk).owner_id == org.rep.pk


@pytest.mark.parametrize("other", ["rep_b", "rep2", "manager2", "rep3"])
def test_other_reps_customer_is_not_found(org, other):
    with pytest.raises(NotFound) as exc:
        services.customer_update(by=fresh(getattr(org, other)), customer=org.cust_rep, data={"tier": "A"})
    with pytest.raises(NotFound) as missing:
        services.customer_update(by=fresh(getattr(org, other)), customer=Customer(pk=999999), data={"tier": "A"})
    assert exc.value.as_dict() == missing.value.as_dict()
    assert Customer.objects.get(pk=org.cust_rep.pk).tier == "C"


@pytest.mark.parametrize("role", ["finance", "planner"])
def test_roles_without_edit_refused(org, role):
    with pytest.raises(PermissionRefused):
        services.customer_update(by=fresh(getattr(org, role)), customer=org.cust_rep, data={"tier": "A"})
    with pytest.raises(PermissionRefused):
        create(getattr(org, role))
    with pytest.raises(PermissionRefused):
        services.customer_archive(by=fresh(getattr(org, role)), customer=org.cust_rep)
    assert Customer.objects.get(pk=org.cust_rep.pk).tier == "C"


def test_supervisor_and_manager_can_edit_team_customer(org):
    services.customer_update(by=fresh(org.supervisor), customer=org.cust_rep, data={"notes": "主管备注"})
    services.customer_update(by=fresh(org.manager), customer=org.cust_rep3, data={"notes": "经理备注"})
    assert Customer.objects.get(pk=org.cust_rep.pk).notes == "主管备注"
    assert Customer.objects.get(pk=org.cust_rep3.pk).notes == "经理备注"
    with pytest.raises(NotFound):
        services.customer_update(by=fresh(org.supervisor), customer=org.cust_rep3, data={"notes": "越权"})


def test_rep_cannot_create_for_someone_else(org):
    with pytest.raises(ValidationFailed) as exc:
        services.customer_create(by=fresh(org.rep), data={"name": "替别人建"}, owner=org.rep_b)
    assert exc.value.code == "customer_owner_out_of_scope"


# --- reassign --------------------------------------------------------------------------------------------

def test_reassign_within_scope_moves_owner_and_unit(org):
    services.customer_reassign(by=fresh(org.manager), customer=org.cust_rep, owner=org.rep3, note="调整")
    c = Customer.objects.get(pk=org.cust_rep.pk)
    assert c.owner == org.rep3 and c.unit == org.east_team2
    event = AuditEvent.objects.get(action="customer.reassigned", customer_id=c.pk)
    assert event.before["owner"] == org.rep.pk and event.after["owner"] == org.rep3.pk and event.note == "调整"
    # The old owner no longer sees it; the new one does.
    assert not Customer.objects.visible_to(fresh(org.rep)).filter(pk=c.pk).exists()
    assert Customer.objects.visible_to(fresh(org.rep3)).filter(pk=c.pk).exists()


def test_reassign_out_of_scope_refused(org):
    with pytest.raises(ValidationFailed) as exc:
        services.customer_reassign(by=fresh(org.supervisor), customer=org.cust_rep, owner=org.rep2)
    assert exc.value.code == "customer_owner_out_of_scope"
    assert Customer.objects.get(pk=org.cust_rep.pk).owner_id == org.rep.pk


def test_reassign_to_inactive_refused(org):
    type(org.rep_b).objects.filter(pk=org.rep_b.pk).update(is_active=False)
    with pytest.raises(ValidationFailed):
        services.customer_reassign(by=fresh(org.supervisor), customer=org.cust_rep, owner=fresh(org.rep_b))


@pytest.mark.parametrize("role", ["rep", "finance", "planner"])
def test_reassign_capability(org, role):
    with pytest.raises(PermissionRefused):
        services.customer_reassign(by=fresh(getattr(org, role)), customer=org.cust_rep, owner=org.rep_b)


# --- state machine ---------------------------------------------------------------------------------------

def test_archive_restore_and_invalid_transition(org):
    services.customer_archive(by=fresh(org.rep), customer=org.cust_rep)
    assert Customer.objects.get(pk=org.cust_rep.pk).status == CustomerStatus.ARCHIVED
    with pytest.raises(InvalidTransition) as exc:
        services.customer_archive(by=fresh(org.rep), customer=org.cust_rep)
    assert exc.value.status == 409 and exc.value.code == "invalid_transition"
    services.customer_restore(by=fresh(org.rep), customer=org.cust_rep)
    assert Customer.objects.get(pk=org.cust_rep.pk).status == CustomerStatus.ACTIVE
    with pytest.raises(InvalidTransition):
        services.customer_restore(by=fresh(org.rep), customer=org.cust_rep)
    actions = list(AuditEvent.objects.filter(customer_id=org.cust_rep.pk).order_by("id").values_list("action", flat=True))
    assert actions == ["customer.archived", "customer.restored"]


def test_status_check_constraint(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=org.cust_rep.pk).update(status="deleted")


# --- contacts --------------------------------------------------------------------------------------------

def test_contacts_add_primary_unique_and_remove(org):
    c = org.cust_rep
    new = services.contact_add(by=fresh(org.rep), customer=c, data={"name": "新主联系人", "phone": "13700001111",
                                                                    "is_primary": True})
    assert list(c.contacts.filter(is_primary=True)) == [new]
    services.contact_update(by=fresh(org.rep), customer=c, contact_id=org.contact_rep.pk, data={"is_primary": True})
    assert list(c.contacts.filter(is_primary=True).values_list("pk", flat=True)) == [org.contact_rep.pk]
    services.contact_remove(by=fresh(org.rep), customer=c, contact_id=org.contact_rep.pk)
    assert list(c.contacts.values_list("pk", "is_primary")) == [(new.pk, True)]  # primary moves on
    actions = set(AuditEvent.objects.filter(customer_id=c.pk).values_list("action", flat=True))
    assert {"contact.added", "contact.updated", "contact.removed"} <= actions


def test_first_contact_becomes_primary(org):
    c = create(org.rep, name="无联系人公司")
    contact = services.contact_add(by=fresh(org.rep), customer=c, data={"name": "第一人"})
    assert contact.is_primary


def test_one_primary_enforced_by_database(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(customer=org.cust_rep, name="第二主联系人", is_primary=True)


def test_contact_bad_phone_refused_and_other_rep_not_found(org):
    with pytest.raises(ValidationFailed) as exc:
        services.contact_add(by=fresh(org.rep), customer=org.cust_rep, data={"name": "x", "phone": "999"})
    assert "phone" in exc.value.fields
    with pytest.raises(NotFound):
        services.contact_add(by=fresh(org.rep_b), customer=org.cust_rep, data={"name": "x"})
    with pytest.raises(NotFound):
        services.contact_remove(by=fresh(org.rep), customer=org.cust_rep, contact_id=999999)
    # a contact id of another customer is not reachable through this customer
    other = org.cust_rep_b.contacts.get()
    with pytest.raises(NotFound):
        services.contact_remove(by=fresh(org.supervisor), customer=org.cust_rep, contact_id=other.pk)
    assert Contact.objects.filter(pk=other.pk).exists()


# --- phone reveal ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["supervisor", "manager", "director", "gm"])
def test_reveal_phones_for_those_above_is_audited(org, role):
    by = fresh(getattr(org, role))
    contacts = services.customer_reveal_phones(by=by, customer=org.cust_rep)
    assert [c.phone for c in contacts] == ["13812345678"]
    event = AuditEvent.objects.get(action="customer.phones_revealed", customer_id=org.cust_rep.pk)
    assert event.actor_id == by.pk


def test_reveal_phones_refused_to_peers_and_finance(org):
    with pytest.raises(NotFound):
        services.customer_reveal_phones(by=fresh(org.rep_b), customer=org.cust_rep)
    with pytest.raises(NotFound):
        services.customer_reveal_phones(by=fresh(org.manager2), customer=org.cust_rep)
    with pytest.raises(PermissionRefused):
        services.customer_reveal_phones(by=fresh(org.finance), customer=org.cust_rep)
    assert not AuditEvent.objects.filter(action="customer.phones_revealed").exists()


# --- groups ----------------------------------------------------------------------------------------------

def test_customer_group_master_data(org):
    g = services.customer_group_create(by=fresh(org.director), name="重点行业")
    with pytest.raises(ValidationFailed):
        services.customer_group_create(by=fresh(org.director), name="重点行业")
    with pytest.raises(PermissionRefused):
        services.customer_group_create(by=fresh(org.manager), name="经理分组")
    c = services.customer_update(by=fresh(org.rep), customer=org.cust_rep, data={"group": "重点行业"})
    assert Customer.objects.get(pk=c.pk).group_id == g.pk


def test_moving_a_rep_to_another_team_moves_their_customers_into_that_scope(org):
    from salesflow.crm.models import Customer
    from salesflow.org import services as org_services

    org_services.user_update(by=fresh(org.admin), user=org.rep, unit=org.north_team)
    assert Customer.objects.get(pk=org.cust_rep.pk).unit_id == org.north_team.pk
    visible_to_east_manager = Customer.objects.visible_to(fresh(org.manager))
    assert not visible_to_east_manager.filter(pk=org.cust_rep.pk).exists()
    assert Customer.objects.visible_to(fresh(org.manager2)).filter(pk=org.cust_rep.pk).exists()
