"""The demo company is assembled from the apps' registered builders; the ground floor knows none of them."""

import pytest

from salesflow.demo import registry

pytestmark = pytest.mark.django_db


def test_every_business_app_contributes_its_builder_in_order():
    names = [step.name for step in registry.builders()]
    # The organisation first, customers before the documents that hang on them, the customer pool last.
    assert names.index("salesflow.org.demo.build_org") < names.index("salesflow.org.demo.build_users")
    assert names.index("salesflow.org.demo.build_users") < names.index("salesflow.crm.demo.build_customers")
    assert names.index("salesflow.crm.demo.build_customers") < names.index("salesflow.deals.discounts.demo.build_discounts")
    assert names[-1].endswith("build_customer_pool_demo")
    # Discovery twice registers nothing twice.
    assert len(registry.builders()) == len(names) == len(set(names))


def test_demo_reset_wipes_what_the_builders_made(settings):
    from salesflow.audit.models import AuditEvent
    from salesflow.crm.models import Customer
    from salesflow.deals.models import Opportunity
    from salesflow.demo import DemoRefused, build_demo, reset_business_data
    from salesflow.org.models import OrgUnit, User

    build_demo()
    assert Customer.objects.count() >= 300 and Opportunity.objects.exists()
    counts = reset_business_data()
    assert counts["customers"] >= 300 and counts["users"] > 20 and counts["audit events"] > 0
    assert not (Customer.objects.exists() or User.objects.exists() or OrgUnit.objects.exists()
                or AuditEvent.objects.exists() or Opportunity.objects.exists())
    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(DemoRefused):
        build_demo()
