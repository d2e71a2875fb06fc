"""The demo's customer pool: customers already in the pool for the demo reps, warnings pending, rules and
policies to show on the lead-rule pages; a second run changes nothing."""

import pytest
from django.test import Client

from salesflow.audit.models import AuditEvent
from salesflow.crm.models import Customer
from salesflow.leads.models import LeadAssignmentRule
from salesflow.notifications.models import Notification
from salesflow.org.models import User
from salesflow.pool import selectors
from salesflow.pool.models import PoolPolicy

pytestmark = pytest.mark.django_db


def test_pool_demo_is_visible_to_the_demo_reps_and_idempotent():
    from salesflow.demo import build_demo

    build_demo()
    rep, rep2 = User.objects.get(username="rep"), User.objects.get(username="rep2")
    assert selectors.customer_pool_list(user=rep).count() >= 3
    assert selectors.customer_pool_list(user=rep2).count() >= 3
    for user in (rep, rep2):
        assert Customer.objects.filter(owner=user, pool_warned_at__isnull=False).count() >= 2
        assert Notification.objects.filter(user=user, kind="customer.pool_warning").exists()
    assert {"customer.released", "customer.reclaimed", "customer.claimed", "customer.pool_assigned"} <= set(
        AuditEvent.objects.filter(action__startswith="customer.").values_list("action", flat=True))
    assert LeadAssignmentRule.objects.count() >= 4 and PoolPolicy.objects.filter(unit__isnull=False).count() >= 2
    client = Client()
    client.force_login(rep)
    page = client.get("/leads/customer-pool/").content.decode()
    assert 'data-testid="pool-customer-row"' in page
    warned = Customer.objects.filter(owner=rep, pool_warned_at__isnull=False).first()
    assert 'data-testid="pool-warning"' in client.get(f"/customers/{warned.pk}/").content.decode()
    pool_size, events = Customer.objects.filter(owner__isnull=True).count(), AuditEvent.objects.count()
    build_demo()
    assert Customer.objects.filter(owner__isnull=True).count() == pool_size
    assert AuditEvent.objects.count() == events
