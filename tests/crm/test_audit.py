"""The audit trail is append-only and records who, what, when and from where."""

import pytest

from salesflow.audit import events
from salesflow.audit.models import AuditEvent, ImmutableError
from salesflow.audit.selectors import audit_event_list
from salesflow.core.errors import PermissionRefused
from salesflow.crm import services

from ..conftest import fresh

TEST_ACTION = events.declare("test.action", "Test action")


@pytest.fixture
def event(org):
    return TEST_ACTION.record(by=org.admin, obj=org.cust_rep, after={"x": 1})


def test_event_cannot_be_saved_twice(event):
    event.note = "篡改"
    with pytest.raises(ImmutableError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_event_cannot_be_deleted(event):
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_event_cannot_be_updated_in_bulk(event):
    with pytest.raises(ImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(note="篡改")
    with pytest.raises(ImmutableError):
        AuditEvent.objects.update(actor_name="nobody")
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "admin"


def test_event_fields(event, org):
    assert event.object_type == "crm.customer" and event.object_id == str(org.cust_rep.pk)
    assert event.actor_id == org.admin.pk and event.at is not None
    assert event.ip == ""  # no request


def test_changes_property(org):
    services.customer_update(by=fresh(org.supervisor), customer=org.cust_rep, data={"tier": "B", "city": "上海"})
    event = AuditEvent.objects.get(action="customer.updated")
    assert set(event.raw_changes()) == {("tier", "C", "B"), ("city", "", "上海")}


def test_readable_changes_show_labels_and_names_not_codes(org):
    from django.utils import translation

    from salesflow.audit.selectors import readable_changes

    services.customer_update(by=fresh(org.supervisor), customer=org.cust_rep,
                             data={"tier": "B", "region": str(org.north.pk)})
    event = AuditEvent.objects.get(action="customer.updated")
    with translation.override("zh-hans"):
        (readable,) = readable_changes([event])
        rows = {label: (old, new) for label, old, new in readable.readable}
    assert rows["客户等级"][1].startswith("B") and rows["客户等级"][1] != "B"
    assert rows["大区"] == (org.east.name, org.north.name)


def test_audit_list_only_for_admin(org, event):
    assert list(audit_event_list(user=fresh(org.admin))) == [event]
    for role in ("gm", "director", "manager", "rep"):
        with pytest.raises(PermissionRefused):
            audit_event_list(user=fresh(getattr(org, role)))


def test_events_carry_ip_of_http_request(org, client):
    client.force_login(org.rep)
    resp = client.patch(f"/api/v1/customers/{org.cust_rep.pk}", {"city": "苏州"}, content_type="application/json",
                        REMOTE_ADDR="10.20.30.40")
    assert resp.status_code == 200, resp.content
    event = AuditEvent.objects.get(action="customer.updated", customer_id=org.cust_rep.pk)
    assert event.ip == "10.20.30.40" and event.actor_id == org.rep.pk


def test_forwarded_for_ignored_unless_proxy_trusted(org, client, settings):
    client.force_login(org.rep)
    client.patch(f"/api/v1/customers/{org.cust_rep.pk}", {"city": "苏州"}, content_type="application/json",
                 REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AuditEvent.objects.get(action="customer.updated").ip == "10.0.0.1"
    settings.TRUST_PROXY = True
    client.patch(f"/api/v1/customers/{org.cust_rep.pk}", {"city": "无锡"}, content_type="application/json",
                 REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1")
    assert AuditEvent.objects.filter(action="customer.updated").order_by("-id").first().ip == "1.2.3.4"


def test_changes_of_a_creation_with_contacts(org):
    # customer.created carries a "contacts" count: a reverse relation, which has no verbose_name.
    services.customer_create(by=fresh(org.rep), data={"name": "审计标签测试有限公司"},
                             contacts=[{"name": "甲", "phone": "13700009999"}])
    event = AuditEvent.objects.get(action="customer.created")
    from salesflow.audit.selectors import readable_changes

    (event,) = readable_changes([event])
    labels = {label: after for label, _before, after in event.readable}
    assert labels["contacts"] == 1 and labels["name"] == "审计标签测试有限公司"
