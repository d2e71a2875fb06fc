"""A request that names a user or a unit that does not exist (or an inactive user where only an active one will
do) answers 404 with the body any missing record gets. The API reads these through ``org.selectors.user_named`` /
``unit_named`` (the conventions test bans ``get_object_or_404`` in views and API modules); this pins that the
answer did not change with the move."""

import json

import pytest
from django.urls import reverse

from salesflow.crm import services as crm_services
from salesflow.pool import services as pool

from ..conftest import fresh
from ..factories import PASSWORD, UserFactory

MISSING = 999999
NOT_FOUND = {"code": "not_found", "message": "Not found.", "fields": {}}


def send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def assert_not_found(resp):
    assert resp.status_code == 404, resp.content
    assert resp.json() == NOT_FOUND


@pytest.fixture
def gone(org):
    return UserFactory(username="gone", role="rep", unit=org.rep.unit, is_active=False)


def test_customers(org, client_for, gone):
    admin = client_for(org.admin)
    for owner_id in (MISSING, gone.pk):
        assert_not_found(send(admin, "post", "/api/v1/customers", {"name": "某某贸易有限公司", "owner_id": owner_id}))
    assert_not_found(send(admin, "post", f"/api/v1/customers/{org.cust_rep.pk}/reassign", {"owner_id": MISSING}))


def test_customer_pool_assign(org, client_for, gone):
    owner = fresh(org.rep_b)
    customer = crm_services.customer_create(by=owner, data={"name": "公海指派测试有限公司"}, contacts=[],
                                            confirm_duplicates=True)
    pool.customer_release(by=owner, customer_id=customer.pk, reason="客户暂无采购需求")
    manager = client_for(org.manager)
    for owner_id in (MISSING, gone.pk):
        assert_not_found(send(manager, "post", f"/api/v1/customer-pool/{customer.pk}/assign", {"owner_id": owner_id}))


def test_leads(org, client_for, gone):
    manager = client_for(org.manager)
    for owner_id in (MISSING, gone.pk):
        assert_not_found(send(manager, "post", "/api/v1/leads", {"name": "线索测试有限公司", "owner_id": owner_id}))
    resp = send(manager, "post", "/api/v1/leads", {"name": "线索指派测试有限公司", "phone": "13911112222"})
    assert resp.status_code == 201, resp.content
    lead_id = resp.json()["id"]
    assert_not_found(send(manager, "post", f"/api/v1/leads/{lead_id}/assign", {"owner_id": MISSING}))
    assert_not_found(send(manager, "post", f"/api/v1/leads/{lead_id}/assign", {"mode": "round_robin",
                                                                                "team_id": MISSING}))


def test_org(org, client_for, gone):
    admin = client_for(org.admin)
    assert_not_found(send(admin, "post", "/api/v1/org-units", {"name": "x", "code": "X", "kind": "team",
                                                                "parent_id": MISSING}))
    assert_not_found(send(admin, "patch", f"/api/v1/org-units/{MISSING}", {"name": "x"}))
    assert_not_found(send(admin, "patch", f"/api/v1/org-units/{org.rep.unit_id}", {"parent_id": MISSING}))
    assert_not_found(send(admin, "post", "/api/v1/users", {"username": "u1", "password": PASSWORD, "role": "rep",
                                                            "manager_id": MISSING}))
    assert_not_found(send(admin, "patch", f"/api/v1/users/{org.rep.pk}", {"manager_id": MISSING}))
    assert_not_found(send(admin, "post", f"/api/v1/users/{org.rep.pk}/deactivate", {"reassign_to": MISSING}))
    assert admin.get(reverse("org:unit_edit", args=[MISSING])).status_code == 404
