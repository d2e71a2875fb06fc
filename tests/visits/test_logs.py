"""Visit logs (拜访记录) with their check-in, and R17: each visit updates the customer information table."""

import datetime as dt
from decimal import Decimal

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound, PermissionRefused, ValidationFailed
from salesflow.crm.models import Customer
from salesflow.leads.models import Lead, LeadStatus
from salesflow.visits import selectors, services
from salesflow.visits.models import VisitLog

from ..conftest import fresh
from .conftest import NOW, WEDNESDAY, at


def test_log_with_location(org, log_visit):
    log = log_visit(customer=org.cust_rep, contact_name="陈经理", next_step="下周送样",
                    location={"latitude": "31.230416", "longitude": 121.473701, "accuracy": 35.4},
                    address="上海市浦东新区张江路 88 号")
    log.refresh_from_db()
    assert log.has_location
    assert (log.latitude, log.longitude, log.accuracy_m) == (Decimal("31.230416"), Decimal("121.473701"), 35)
    assert log.checked_in_at == NOW and log.visited_at == NOW and log.visited_on == WEDNESDAY
    assert log.kind == "return" and log.owner_id == org.rep.pk and log.unit_id == org.east_team.pk


def test_log_without_location_is_saved_as_no_location(org, log_visit):
    for location in (None, {}, {"latitude": None, "longitude": None, "accuracy": None}):
        log = log_visit(customer=org.cust_rep, location=location)
        assert not log.has_location and log.accuracy_m is None
    assert VisitLog.objects.filter(latitude__isnull=True).count() == 3


def test_a_broken_position_is_refused(org, log_visit):
    for location in ({"latitude": 91, "longitude": 121}, {"latitude": "abc", "longitude": 121},
                     {"latitude": 31.2, "longitude": None}):
        with pytest.raises(ValidationFailed) as exc:
            log_visit(customer=org.cust_rep, location=location)
        assert "location" in exc.value.fields
    assert not VisitLog.objects.exists()


def test_r17_a_visit_updates_the_customer_table_in_the_same_transaction(org, log_visit):
    """R17: after each visit the rep fills the customer information table (《目标客户基本信息情况统计表》):
    last contact and next follow-up are written with the log, and the visit is on the customer's timeline."""
    Customer.objects.filter(pk=org.cust_rep.pk).update(next_followup_on=dt.date(2026, 5, 13))
    log = log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9, 30), next_followup_on="2026-05-20",
                    outcome="客户确认二季度采购 20 台")
    customer = Customer.objects.get(pk=org.cust_rep.pk)
    assert customer.last_contact_at == log.visited_at
    assert customer.next_followup_on == dt.date(2026, 5, 20)
    event = AuditEvent.objects.get(action="visit.logged", customer_id=customer.pk)
    assert event.object_type == "crm.customer" and "客户确认二季度采购" in event.note
    assert event.before == {"last_contact_at": None, "next_followup_on": "2026-05-13"}
    assert event.after["next_followup_on"] == "2026-05-20"
    # The customer's timeline (what the coordinator wires into the customer page) shows it too.
    entries = selectors.timeline_for_customer(fresh(org.rep), customer.pk)
    assert [e["url"] for e in entries] == [f"/visits/logs/{log.pk}/"]
    assert entries[0]["kind"] == "visit" and "客户确认二季度采购" in entries[0]["summary"]


def test_r17_a_bad_visit_log_changes_nothing(org, log_visit, monkeypatch):
    before = Customer.objects.values("last_contact_at", "next_followup_on", "updated_at").get(pk=org.cust_rep.pk)
    events_before = AuditEvent.objects.count()
    # Invalid input: refused before anything is written.
    for bad in ({"outcome": ""}, {"next_followup_on": "2026-05-01"}, {"visited_at": at(dt.date(2026, 5, 20))},
                {"opportunity_id": 999999}):
        with pytest.raises(ValidationFailed):
            log_visit(customer=org.cust_rep, **bad)
    # A failure after the customer row was updated (the audit write breaks): the whole visit rolls back.
    from salesflow.audit import events

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(events.EventType, "record", broken)
    with pytest.raises(RuntimeError):
        log_visit(customer=org.cust_rep, next_followup_on="2026-05-20")
    monkeypatch.undo()
    assert Customer.objects.values("last_contact_at", "next_followup_on", "updated_at").get(
        pk=org.cust_rep.pk) == before
    assert not VisitLog.objects.exists() and AuditEvent.objects.count() == events_before


def test_r17_follow_up_rules(org, log_visit):
    cid = org.cust_rep.pk
    log_visit(customer=org.cust_rep, when=at(dt.date(2026, 5, 12)), next_followup_on="2026-05-13")
    assert Customer.objects.get(pk=cid).next_followup_on == dt.date(2026, 5, 13)
    # The follow-up that was due is this visit: without a new date it is cleared.
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9))
    c = Customer.objects.get(pk=cid)
    assert c.next_followup_on is None and c.last_contact_at == at(WEDNESDAY, 9)
    # A late entry of an older visit neither moves the last contact back nor overrides a newer plan.
    log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 9, 45), next_followup_on="2026-05-27")
    log_visit(customer=org.cust_rep, when=at(dt.date(2026, 5, 6)), next_followup_on="2026-05-08")
    c = Customer.objects.get(pk=cid)
    assert c.last_contact_at == at(WEDNESDAY, 9, 45) and c.next_followup_on == dt.date(2026, 5, 27)


def test_r17_the_customer_table_is_written_by_the_customer_files_service(org, log_visit, monkeypatch):
    """The visit log asks crm.services.customer_record_contact (which locks the customer row) in its transaction;
    a pending return-to-pool warning is left to the pool's sweep, which knows whether the visit voided it."""
    from salesflow.crm import services as crm_services

    calls = []
    real = crm_services.customer_record_contact
    monkeypatch.setattr(crm_services, "customer_record_contact", lambda **kw: calls.append(kw) or real(**kw))
    warned_at = at(dt.date(2026, 5, 11), 8)
    Customer.objects.filter(pk=org.cust_rep.pk).update(pool_warned_at=warned_at)
    log = log_visit(customer=org.cust_rep, when=at(WEDNESDAY, 10), next_followup_on="2026-05-15")
    assert calls == [{"customer_id": org.cust_rep.pk, "at": log.visited_at,
                      "next_followup_on": dt.date(2026, 5, 15)}]
    customer = Customer.objects.get(pk=org.cust_rep.pk)
    assert customer.last_contact_at == log.visited_at and customer.pool_warned_at == warned_at


def test_a_visit_to_a_lead_marks_it_contacted(org, log_visit):
    from salesflow.leads import services as leads

    lead = leads.lead_create(by=fresh(org.rep), owner=fresh(org.rep), data={"name": "拜访线索有限公司"},
                             confirm_duplicates=True)
    log = log_visit(lead_id=lead.pk, next_followup_on="2026-05-15")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED and lead.contacted_at == NOW
    assert log.kind == "new" and log.customer_id is None
    assert AuditEvent.objects.filter(action="lead.contacted", object_id=str(lead.pk)).exists()
    # A second visit does not move the first contact.
    log_visit(lead_id=lead.pk, when=at(WEDNESDAY, 9))
    assert Lead.objects.get(pk=lead.pk).contacted_at == NOW


def test_a_pool_lead_or_another_reps_lead_is_refused(org, log_visit):
    from salesflow.leads import services as leads

    pool = leads.lead_create(by=fresh(org.supervisor), data={"name": "公海线索有限公司"}, confirm_duplicates=True)
    other = leads.lead_create(by=fresh(org.rep_b), owner=fresh(org.rep_b), data={"name": "别人的线索有限公司"},
                              confirm_duplicates=True)
    for lead in (pool, other):
        with pytest.raises(ValidationFailed) as exc:
            log_visit(lead_id=lead.pk)
        assert "lead" in exc.value.fields


def test_opportunity_and_planned_visit_must_match(org, log_visit, make_plan):
    from salesflow.deals.services import opportunity_create

    opp = opportunity_create(by=fresh(org.rep), customer_id=org.cust_rep.pk, data={"name": "二季度设备采购"})
    log = log_visit(customer=org.cust_rep, opportunity_id=opp.pk)
    assert log.opportunity_id == opp.pk
    assert [e["url"] for e in selectors.timeline_for_opportunity(fresh(org.rep), opp.pk)] == [
        f"/visits/logs/{log.pk}/"]
    assert selectors.timeline_for_opportunity(fresh(org.rep_b), opp.pk) == []
    from ..factories import CustomerFactory

    other = CustomerFactory(owner=org.rep)
    with pytest.raises(ValidationFailed) as exc:
        log_visit(customer=other, opportunity_id=opp.pk)
    assert "opportunity" in exc.value.fields
    plan = make_plan(items=[{"customer_id": org.cust_rep.pk, "planned_on": WEDNESDAY}])
    item = plan.items.get()
    with pytest.raises(ValidationFailed) as exc:
        log_visit(customer=other, planned_visit_id=item.pk)
    assert "planned_visit" in exc.value.fields
    with pytest.raises(ValidationFailed):  # another rep cannot tick off this rep's planned visit
        log_visit(by=org.rep_b, customer=org.cust_rep_b, planned_visit_id=item.pk)
    assert log_visit(customer=org.cust_rep, planned_visit_id=item.pk).planned_visit_id == item.pk


def test_scope_of_logs(org, log_visit):
    mine = log_visit(customer=org.cust_rep)
    theirs = log_visit(by=org.rep_b, customer=org.cust_rep_b)
    north = log_visit(by=org.rep2, customer=org.cust_rep2)
    ids = lambda user: set(selectors.log_list(user=fresh(user)).values_list("pk", flat=True))  # noqa: E731
    assert ids(org.rep) == {mine.pk}
    assert ids(org.supervisor) == {mine.pk, theirs.pk}
    assert ids(org.manager2) == {north.pk}
    assert ids(org.gm) == {mine.pk, theirs.pk, north.pk}
    with pytest.raises(NotFound):
        selectors.log_get(user=fresh(org.rep), log_id=theirs.pk)
    # Another region's customer reads exactly like a missing one.
    with pytest.raises(ValidationFailed) as exc:
        log_visit(by=org.rep, customer=org.cust_rep2)
    with pytest.raises(ValidationFailed) as missing:
        log_visit(by=org.rep, customer_id=999999)
    assert exc.value.as_dict() == missing.value.as_dict()
    with pytest.raises(PermissionRefused):
        services.visit_log_create(by=fresh(org.finance), data={"customer_id": org.cust_rep.pk, "outcome": "x"})


def test_a_supervisors_visit_is_part_of_the_reps_customer_history(org, log_visit):
    log = log_visit(by=org.supervisor, customer=org.cust_rep, outcome="主管陪同拜访")
    # Not in the rep's own log list, but readable from the customer they own.
    assert not selectors.log_list(user=fresh(org.rep)).filter(pk=log.pk).exists()
    assert selectors.log_get(user=fresh(org.rep), log_id=log.pk).pk == log.pk
    assert selectors.timeline_for_customer(fresh(org.rep), org.cust_rep.pk)[0]["url"] == f"/visits/logs/{log.pk}/"
    with pytest.raises(NotFound):
        selectors.log_get(user=fresh(org.rep_b), log_id=log.pk)


def test_visits_are_on_the_opportunity_activity_timeline(org, log_visit, client_for):
    from salesflow.core import activity
    from salesflow.deals.services import opportunity_create

    opp = opportunity_create(by=fresh(org.rep), customer_id=org.cust_rep.pk, data={"name": "年度框架协议"})
    log = log_visit(customer=org.cust_rep, opportunity_id=opp.pk, outcome="谈妥框架协议条款")
    items = [a for a in activity.for_opportunity(fresh(org.rep), opp.pk) if a.kind == "visit"]
    assert [a.url for a in items] == [f"/visits/logs/{log.pk}/"] and items[0].actor == org.rep.display_name
    assert [a for a in activity.for_customer(fresh(org.rep), org.cust_rep.pk) if a.kind == "visit"]
    assert not [a for a in activity.for_opportunity(fresh(org.rep2), opp.pk) if a.kind == "visit"]
    page = client_for(org.rep).get(f"/deals/opportunities/{opp.pk}/").content.decode()
    assert f"/visits/logs/{log.pk}/" in page
