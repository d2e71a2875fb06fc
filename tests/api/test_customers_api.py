"""Customer and org endpoints: bad input → 400 validation_error with fields (never 500), 409s, masking,
and pinned query counts on the lists (style.md #12)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesflow.audit.models import AuditEvent
from salesflow.crm.models import Customer

from ..factories import PASSWORD, ContactFactory, CustomerFactory, UserFactory, credit_code


@pytest.fixture
def as_rep(org, client_for):
    return client_for(org.rep)


def send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def assert_validation(resp, *fields):
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["code"] == "validation_error" and body["message"]
    for f in fields:
        assert any(key == f or key.endswith(f) for key in body["fields"]), (f, body["fields"])
    return body


@pytest.mark.parametrize("payload, field", [
    ({"name": "某公司", "credit_limit": "abc"}, "credit_limit"),
    ({"name": "某公司", "credit_limit": "-100"}, "credit_limit"),
    ({"name": "某公司", "tier": "S"}, "tier"),
    ({"name": "某公司", "industry": "space-mining"}, "industry"),
    ({"name": "某公司", "credit_code": "91310000000000000X"}, "credit_code"),
    ({"name": "某公司", "contacts": [{"name": "甲", "phone": "12345"}]}, "contacts.0.phone"),
    ({"name": "某公司", "contacts": [{"phone": "13812345678"}]}, "contacts.0.name"),
    ({"name": "某公司", "collected_on": "not-a-date"}, "collected_on"),
    ({"name": "   "}, "name"),
    ({}, "name"),
    ({"name": "某公司", "contacts": "nope"}, "contacts"),
    ({"name": "某公司", "shop_url": "ftp://x"}, "shop_url"),
])
def test_create_bad_input_is_400_with_fields(org, as_rep, payload, field):
    count = Customer.objects.count()
    assert_validation(send(as_rep, "post", "/api/v1/customers", payload), field)
    assert Customer.objects.count() == count


def test_create_and_read_back(org, client_for):
    # The supervisor registers it for the rep with its terms (issue #15: a rep does not set tier or credit limit).
    resp = send(client_for(org.supervisor), "post", "/api/v1/customers", {
        "name": "广州白云电器有限公司", "credit_code": credit_code(901), "tier": "B", "credit_limit": "12345.60",
        "owner_id": org.rep.pk, "contacts": [{"name": "何经理", "phone": "13600003333"}]})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["owner_id"] == org.rep.pk and body["tier"] == "B"
    assert body["credit_limit"] == "12345.60"  # serialised as a decimal string, not a float
    assert body["contacts"][0]["is_primary"]  # the phone reads masked to the supervisor: not their customer
    assert Customer.objects.get(pk=body["id"]).contacts.get().phone == "13600003333"
    assert body["region_id"] == org.east.pk
    assert Customer.objects.get(pk=body["id"]).credit_code == credit_code(901)


def test_create_with_owner_out_of_scope_is_400(org, as_rep):
    resp = send(as_rep, "post", "/api/v1/customers", {"name": "替别人建的客户", "owner_id": org.rep2.pk})
    assert resp.status_code == 400 and resp.json()["code"] == "customer_owner_out_of_scope"


def test_duplicate_is_409_then_confirm_creates(org, client_for):
    c = client_for(org.rep_b)
    resp = send(c, "post", "/api/v1/customers", {"name": "上海星辰机械有限公司"})
    assert resp.status_code == 409
    assert resp.json()["code"] == "customer_duplicate" and resp.json()["fields"]["name"]
    resp = send(c, "post", "/api/v1/customers", {"name": "上海星辰机械有限公司", "confirm_duplicates": True})
    assert resp.status_code == 201


def test_credit_code_taken_is_400_code(org, client_for):
    resp = send(client_for(org.rep2), "post", "/api/v1/customers",
                {"name": "别的名字", "credit_code": org.cust_rep.credit_code})
    assert resp.status_code == 400 and resp.json()["code"] == "customer_credit_code_taken"


@pytest.mark.parametrize("payload, field", [
    ({"credit_limit": "abc"}, "credit_limit"), ({"tier": "Q"}, "tier"), ({"name": ""}, "name"),
    ({"credit_limit": "1e400"}, "credit_limit"),
])
def test_patch_bad_input(org, as_rep, payload, field):
    assert_validation(send(as_rep, "patch", f"/api/v1/customers/{org.cust_rep.pk}", payload), field)
    assert Customer.objects.get(pk=org.cust_rep.pk).tier == "C"


def test_patch_bad_contact_phone(org, as_rep):
    url = f"/api/v1/customers/{org.cust_rep.pk}/contacts"
    assert_validation(send(as_rep, "post", url, {"name": "x", "phone": "000"}), "phone")
    assert_validation(send(as_rep, "patch", f"{url}/{org.contact_rep.pk}", {"name": "x", "phone": "abc"}), "phone")


def test_archive_twice_is_409(org, as_rep):
    url = f"/api/v1/customers/{org.cust_rep.pk}/archive"
    assert send(as_rep, "post", url).status_code == 200
    resp = send(as_rep, "post", url)
    assert resp.status_code == 409 and resp.json()["code"] == "invalid_transition"


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page=abc", "region=east", "owner=x"])
def test_bad_list_query_is_400(org, as_rep, query):
    assert_validation(as_rep.get(f"/api/v1/customers?{query}"))


def test_unknown_ids_are_404_not_500(org, client_for):
    admin = client_for(org.admin)
    assert send(admin, "post", f"/api/v1/customers/{org.cust_rep.pk}/reassign", {"owner_id": 999999}).status_code == 404
    assert send(admin, "post", "/api/v1/users", {"username": "u1", "password": PASSWORD, "role": "rep",
                                                  "unit_id": 999999}).status_code == 404
    assert send(admin, "patch", "/api/v1/org-units/999999", {"name": "x"}).status_code == 404
    assert admin.get("/api/v1/users/999999").status_code == 404


def test_org_bad_input(org, client_for):
    admin = client_for(org.admin)
    resp = send(admin, "post", "/api/v1/org-units", {"name": "x", "code": "X", "kind": "team", "parent_id": org.hq.pk})
    assert resp.status_code == 400 and resp.json()["code"] == "org_unit_bad_parent"
    resp = send(admin, "post", "/api/v1/org-units", {"name": "x", "code": "X", "kind": "galaxy"})
    assert resp.status_code == 400 and "kind" in resp.json()["fields"]  # unknown kind: refused, never a 500
    resp = send(admin, "post", "/api/v1/users", {"username": "rep", "password": PASSWORD, "role": "rep"})
    assert resp.status_code == 400 and resp.json()["code"] == "user_username_taken"
    resp = send(admin, "post", "/api/v1/users", {"username": "x", "password": "short", "role": "rep"})
    assert resp.status_code == 400 and "password" in resp.json()["fields"]
    resp = send(admin, "post", f"/api/v1/users/{org.admin.pk}/deactivate", {"reassign_to": org.gm.pk})
    assert resp.status_code == 400 and resp.json()["code"] == "user_self_deactivate"
    resp = send(admin, "patch", f"/api/v1/users/{org.rep.pk}", {"manager_id": org.rep.pk})
    assert resp.status_code == 400 and resp.json()["code"] == "user_bad_manager"
    resp = send(client_for(org.rep), "post", "/api/v1/me/language", {"language": "xx"})
    assert resp.status_code == 400 and resp.json()["code"] == "language_unknown"


def test_list_masks_phones_for_non_owner_and_reveal_unmasks(org, client_for):
    url = "/api/v1/customers"
    own = {c["id"]: c for c in client_for(org.rep).get(url).json()["items"]}
    assert own[org.cust_rep.pk]["primary_phone"] == "13812345678"
    sup_client = client_for(org.supervisor)
    sup = {c["id"]: c for c in sup_client.get(url).json()["items"]}
    assert sup[org.cust_rep.pk]["primary_phone"] == "138****5678"
    detail = sup_client.get(f"{url}/{org.cust_rep.pk}").json()
    assert detail["contacts"][0]["phone"] == "138****5678" and detail["can_reveal_phones"]
    revealed = send(sup_client, "post", f"{url}/{org.cust_rep.pk}/reveal-phones").json()
    assert revealed["contacts"][0]["phone"] == "13812345678"
    assert AuditEvent.objects.filter(action="customer.phones_revealed", actor=org.supervisor).count() == 1
    resp = send(client_for(org.finance), "post", f"{url}/{org.cust_rep.pk}/reveal-phones")
    assert resp.status_code == 403


def test_list_search_and_pagination(org, as_rep):
    for _i in range(3):
        CustomerFactory(owner=org.rep)
    body = as_rep.get("/api/v1/customers?page_size=2").json()
    assert body["count"] == 4 and len(body["items"]) == 2
    body = as_rep.get("/api/v1/customers?q=shxc").json()
    assert [c["name"] for c in body["items"]] == [org.cust_rep.name]


def test_audit_endpoint_filters(org, client_for):
    send(client_for(org.supervisor), "patch", f"/api/v1/customers/{org.cust_rep.pk}", {"tier": "A"})
    body = client_for(org.admin).get("/api/v1/audit-events?action=customer.updated").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["actor_name"] == "supervisor" and item["before"]["tier"] == "C" and item["after"]["tier"] == "A"
    assert client_for(org.admin).get("/api/v1/audit-events?since=garbage").status_code == 400


# --- query counts ----------------------------------------------------------------------------------------

def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries), resp.json()


def add_customers(org, n):
    owners = [org.rep, org.rep_b, org.rep2, org.rep3]
    for i in range(n):
        ContactFactory(customer=CustomerFactory(owner=owners[i % 4]))


@pytest.mark.parametrize("role", ["director", "manager", "rep"])
def test_customer_list_query_count_is_constant(org, client_for, role):
    client = client_for(getattr(org, role))
    add_customers(org, 5)
    small, body_small = count_queries(client, "/api/v1/customers")
    add_customers(org, 40)
    large, body_large = count_queries(client, "/api/v1/customers")
    assert len(body_large["items"]) > len(body_small["items"])
    assert large == small, f"N+1: {small} queries for {len(body_small['items'])} rows, {large} for more"
    assert small <= 10


def test_page_size_is_capped(org, as_rep):
    from salesflow.crm.services import _derive

    objs = []
    for i in range(205):
        c = Customer(name=f"批量客户{i}", owner=org.rep, unit=org.east_team)
        _derive(c)
        objs.append(c)
    Customer.objects.bulk_create(objs)
    body = as_rep.get("/api/v1/customers?page_size=1000").json()
    assert body["count"] == 206 and len(body["items"]) == 200


def test_user_list_query_count_is_constant(org, client_for):
    client = client_for(org.admin)
    for _ in range(5):
        UserFactory(unit=org.east_team, manager=org.supervisor)
    small, body_small = count_queries(client, "/api/v1/users")
    for _ in range(40):
        UserFactory(unit=org.north_team, manager=org.manager2)
    large, body_large = count_queries(client, "/api/v1/users")
    assert body_large["count"] > body_small["count"]
    assert large == small and small <= 8


def test_audit_list_query_count_is_constant(org, client_for):
    client = client_for(org.admin)
    small, _ = count_queries(client, "/api/v1/audit-events")
    for i in range(30):
        send(client_for(org.rep), "patch", f"/api/v1/customers/{org.cust_rep.pk}", {"notes": f"n{i}"})
    large, body = count_queries(client, "/api/v1/audit-events")
    assert body["count"] >= 30 and large == small
