"""Issue #15: a customer's tier and credit limit are set by supervisors and above (a rep proposes: their change is
refused with a message saying who sets it), and a credit-limit change is audited with before and after."""

from decimal import Decimal

import pytest

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import ValidationFailed
from salesflow.crm import services
from salesflow.crm.models import Customer

from ..conftest import fresh


def test_a_rep_cannot_raise_their_customers_credit_limit_or_tier(org):
    kept = Customer.objects.values_list("tier", "credit_limit").get(pk=org.cust_rep.pk)
    for data in ({"credit_limit": "5000000"}, {"tier": "A"}):
        with pytest.raises(ValidationFailed) as exc:
            services.customer_update(by=fresh(org.rep), customer=org.cust_rep, data=data)
        assert exc.value.code == "customer_credit_terms_refused"
        (field,) = data
        assert "supervisor or above" in str(exc.value.fields[field][0])
    assert Customer.objects.values_list("tier", "credit_limit").get(pk=org.cust_rep.pk) == kept


def test_a_rep_may_save_the_form_with_the_terms_unchanged(org):
    customer = Customer.objects.get(pk=org.cust_rep.pk)
    services.customer_update(by=fresh(org.rep), customer=customer, data={
        "tier": customer.tier, "credit_limit": str(customer.credit_limit), "notes": "拜访后补充"})
    assert Customer.objects.get(pk=customer.pk).notes == "拜访后补充"


def test_a_rep_creates_with_default_terms_only(org):
    with pytest.raises(ValidationFailed) as exc:
        services.customer_create(by=fresh(org.rep), data={"name": "宁波海港物流有限公司", "credit_limit": "900000"},
                                 confirm_duplicates=True)
    assert "credit_limit" in exc.value.fields
    customer = services.customer_create(by=fresh(org.rep), confirm_duplicates=True,
                                        data={"name": "宁波海港物流有限公司", "tier": "C", "credit_limit": "0"})
    assert customer.owner_id == org.rep.pk


def test_the_supervisor_sets_the_credit_limit_and_the_trail_keeps_before_and_after(org):
    before = Customer.objects.get(pk=org.cust_rep.pk).credit_limit
    services.customer_update(by=fresh(org.supervisor), customer=org.cust_rep,
                             data={"credit_limit": "300000", "tier": "A"})
    customer = Customer.objects.get(pk=org.cust_rep.pk)
    assert customer.credit_limit == Decimal("300000") and customer.tier == "A"
    event = AuditEvent.objects.filter(object_id=str(customer.pk), action="customer.updated").latest("id")
    assert event.actor_id == org.supervisor.pk
    assert Decimal(str(event.before["credit_limit"])) == before
    assert Decimal(str(event.after["credit_limit"])) == Decimal("300000")


def test_the_api_refuses_a_reps_credit_limit(org, client_for):
    response = client_for(org.rep).patch(f"/api/v1/customers/{org.cust_rep.pk}", {"credit_limit": "8000000"},
                                         content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "customer_credit_terms_refused"
    # Another region's manager does not even see the customer.
    other = client_for(org.manager2).patch(f"/api/v1/customers/{org.cust_rep.pk}", {"credit_limit": "1"},
                                           content_type="application/json")
    assert other.status_code == 404
    assert client_for(org.manager).patch(f"/api/v1/customers/{org.cust_rep.pk}", {"credit_limit": "120000"},
                                         content_type="application/json").status_code == 200
