"""The crm services that write customer rows on other apps' behalf: reception's R15 hand-over, the visit log's
R17 update of the customer table, the pool's writers. No other app writes a customer row itself."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound
from salesflow.crm import services
from salesflow.crm.models import Customer
from salesflow.org.roles import Role

from ..conftest import fresh
from ..factories import UserFactory


def _locks_the_customer_row(queries) -> bool:
    """On PostgreSQL the customer row is read FOR UPDATE OF the customer table before it is written (SQLite has
    no row locks: Django leaves the clause out there, so only the order of the statements is checked)."""
    sql = [q["sql"] for q in queries]
    read = next(i for i, s in enumerate(sql) if s.startswith("SELECT") and 'FROM "crm_customer"' in s)
    write = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "crm_customer"'))
    if connection.features.has_select_for_update:
        return read < write and 'FOR UPDATE OF "crm_customer"' in sql[read]
    return read < write


@pytest.mark.django_db
def test_r15_hand_to_service_locks_changes_and_audits_the_customer(org):
    service = UserFactory(username="service_east", name="林客服", role=Role.SERVICE, unit=org.east)
    at = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        customer = services.customer_hand_to_service(by=fresh(org.supervisor), customer_id=org.cust_rep.pk,
                                                     service_owner=service, at=at, note="成交后转交")
    assert _locks_the_customer_row(queries.captured_queries)
    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.service_owner, customer.service_since, customer.owner) == (service, at, org.rep)
    event = AuditEvent.objects.get(action="customer.handed_to_service")
    assert (event.object_type, event.object_id, event.customer_id, event.actor_id, event.note) == (
        "crm.customer", str(customer.pk), customer.pk, org.supervisor.pk, "成交后转交")
    assert event.before == {"service_owner": None, "service_since": None}
    assert event.after == {"service_owner": service.pk, "service_since": at.isoformat()}
    # The service supervisor now sees the customer (R15), beside its owner.
    assert Customer.objects.visible_to(fresh(service)).filter(pk=customer.pk).exists()

    # Handing it to the same supervisor again (a second prospect of the customer) changes and records nothing.
    services.customer_hand_to_service(by=fresh(org.supervisor), customer_id=customer.pk, service_owner=service,
                                      at=at + dt.timedelta(hours=1))
    assert Customer.objects.get(pk=customer.pk).service_since == at
    assert AuditEvent.objects.filter(action="customer.handed_to_service").count() == 1

    with pytest.raises(NotFound):
        services.customer_hand_to_service(by=fresh(org.supervisor), customer_id=999999, service_owner=service,
                                          at=at)


@pytest.mark.django_db
def test_r17_record_contact_locks_the_row_and_never_moves_backwards(org):
    now = timezone.now()
    Customer.objects.filter(pk=org.cust_rep.pk).update(pool_warned_at=now - dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        change = services.customer_record_contact(customer_id=org.cust_rep.pk, at=now,
                                                  next_followup_on=(now + dt.timedelta(days=7)).date())
    assert _locks_the_customer_row(queries.captured_queries)
    assert change.before["last_contact_at"] is None and change.after["last_contact_at"] == now
    customer = Customer.objects.get(pk=org.cust_rep.pk)
    assert customer.last_contact_at == now
    # The visit log's behaviour: a pending pool warning is left to the pool's sweep unless the caller voids it.
    assert customer.pool_warned_at is not None
    older = services.customer_record_contact(customer_id=customer.pk, at=now - dt.timedelta(days=3))
    assert older.after == older.before
    services.customer_record_contact(customer_id=customer.pk, at=now, void_pool_warning=True)
    assert Customer.objects.get(pk=customer.pk).pool_warned_at is None


POOL_WRITERS = [
    ("customer_to_pool", lambda org: services.customer_to_pool(by=org.rep, customer=org.cust_rep, note="不再跟进")),
    ("customers_to_pool", lambda org: services.customers_to_pool(customer_ids=[org.cust_rep.pk],
                                                                 at=timezone.now())),
    ("customers_mark_pool_warned", lambda org: services.customers_mark_pool_warned(customer_ids=[org.cust_rep.pk],
                                                                                   at=timezone.now())),
    ("customers_clear_pool_warning", lambda org: services.customers_clear_pool_warning(
        customer_ids=[org.cust_rep.pk])),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("name", "call"), POOL_WRITERS, ids=[name for name, _ in POOL_WRITERS])
def test_the_pools_writers_refuse_to_run_outside_the_callers_transaction(org, name, call):
    """They neither lock nor (the bulk ones) audit: the pool's caller does, in its transaction."""
    before = Customer.objects.values("owner_id", "pool_warned_at", "released_at").get(pk=org.cust_rep.pk)
    with pytest.raises(RuntimeError, match=name):
        call(org)
    assert Customer.objects.values("owner_id", "pool_warned_at", "released_at").get(pk=org.cust_rep.pk) == before
    with transaction.atomic():
        Customer.objects.select_for_update(of=("self",)).get(pk=org.cust_rep.pk)
        call(org)
