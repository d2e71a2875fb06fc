"""The customer pool page, the customer page's pool card and /api/v1/customer-pool: scope, refusals, actions,
masked phones and pinned query counts."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from salesflow.crm import services as crm_services
from salesflow.crm.models import Customer
from salesflow.pool import services as pool
from salesflow.pool.models import PoolPolicy

from ..conftest import fresh


def send(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def in_pool(org):
    counter = iter(range(1, 10_000))

    def make(owner=None, phone="13912345678", **data):
        owner = fresh(owner or org.rep_b)
        data.setdefault("name", f"公海页面客户{next(counter)}号有限公司")
        customer = crm_services.customer_create(by=owner, data=data, confirm_duplicates=True,
                                                contacts=[{"name": "孟经理", "phone": phone}])
        return pool.customer_release(by=owner, customer_id=customer.pk, reason="客户暂无采购需求")

    return make


def test_pool_page_lists_masked_customers_with_a_claim_button(org, in_pool, client_for):
    customer = in_pool(name="公海里的客户有限公司")
    page = client_for(org.rep).get("/leads/customer-pool/").content.decode()
    assert "公海里的客户有限公司" in page and 'data-testid="claim-customer"' in page
    assert "139****5678" in page and "13912345678" not in page
    assert "客户暂无采购需求" in page  # why it is in the pool
    assert f'href="/customers/{customer.pk}/"' not in page  # a rep's pool row has no link to the file
    manager_page = client_for(org.manager).get("/leads/customer-pool/").content.decode()
    assert f'href="/customers/{customer.pk}/"' in manager_page and 'data-testid="assign-customer"' in manager_page
    assert "公海里的客户有限公司" not in client_for(org.rep2).get("/leads/customer-pool/").content.decode()
    assert "公海里的客户有限公司" not in client_for(org.rep3).get("/leads/customer-pool/").content.decode()


def test_pool_page_filters(org, in_pool, client_for):
    in_pool(name="江苏机床有限公司", province="江苏省", industry="manufacturing")
    in_pool(name="浙江物流有限公司", province="浙江省", industry="transport")
    c = client_for(org.manager)
    page = c.get("/leads/customer-pool/?province=江苏省").content.decode()
    assert "江苏机床有限公司" in page and "浙江物流有限公司" not in page
    page = c.get("/leads/customer-pool/?industry=transport&q=物流").content.decode()
    assert "浙江物流有限公司" in page and "江苏机床有限公司" not in page
    partial = c.get("/leads/customer-pool/?q=机床", HTTP_HX_REQUEST="true").content.decode()
    assert "江苏机床有限公司" in partial and "<html" not in partial


def test_claim_from_the_page(org, in_pool, client_for):
    customer = in_pool()
    resp = client_for(org.rep).post(f"/leads/customer-pool/{customer.pk}/claim/")
    assert resp.status_code == 302 and resp.url == f"/customers/{customer.pk}/"
    assert Customer.objects.get(pk=customer.pk).owner_id == org.rep.pk
    # The slower rep gets the answer an invisible customer gets (issue #15).
    resp = client_for(org.rep_b).post(f"/leads/customer-pool/{customer.pk}/claim/")
    assert resp.status_code == 404
    assert client_for(org.rep2).post(f"/leads/customer-pool/{customer.pk}/claim/").status_code == 404
    assert client_for(org.finance).post(f"/leads/customer-pool/{customer.pk}/claim/").status_code == 403
    assert client_for(None).post(f"/leads/customer-pool/{customer.pk}/claim/").status_code == 302


def test_claim_cap_message_on_the_page(org, in_pool, client_for):
    PoolPolicy.objects.create(unit=org.east_team, customer_claim_cap=1)
    customer = in_pool()
    resp = client_for(org.rep).post(f"/leads/customer-pool/{customer.pk}/claim/", follow=True)
    assert "the cap is 1" in resp.content.decode()
    assert Customer.objects.get(pk=customer.pk).owner_id is None


def test_assign_from_the_page(org, in_pool, client_for):
    customer = in_pool()
    resp = client_for(org.manager).post(f"/leads/customer-pool/{customer.pk}/assign/",
                                        {"owner": org.rep3.pk, "next": "detail"})
    assert resp.status_code == 302 and resp.url == f"/customers/{customer.pk}/"
    assert Customer.objects.get(pk=customer.pk).owner_id == org.rep3.pk
    other = in_pool()
    assert client_for(org.manager2).post(f"/leads/customer-pool/{other.pk}/assign/",
                                         {"owner": org.rep2.pk}).status_code == 404
    assert client_for(org.rep).post(f"/leads/customer-pool/{other.pk}/assign/",
                                    {"owner": org.rep.pk}).status_code == 403


def test_customer_page_shows_the_pending_return_and_the_release_form(org, client_for):
    customer = crm_services.customer_create(by=fresh(org.rep), data={"name": "即将回收的客户有限公司"},
                                            confirm_duplicates=True)
    Customer.objects.filter(pk=customer.pk).update(owned_since=timezone.now() - dt.timedelta(days=28))
    page = client_for(org.rep).get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="pool-warning"' not in page and 'data-testid="release-form"' in page
    pool.customers_pool_sweep()
    due = (timezone.localtime(Customer.objects.get(pk=customer.pk).owned_since) + dt.timedelta(days=30)).date()
    page = client_for(org.rep).get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="pool-warning"' in page and f"Returns to the public pool on {due:%Y-%m-%d}" in page
    assert "no follow-up for 30 days" in page
    assert 'data-testid="pool-warning"' in client_for(org.supervisor).get(f"/customers/{customer.pk}/").content.decode()


def test_release_from_the_customer_page(org, client_for):
    customer = crm_services.customer_create(by=fresh(org.rep), data={"name": "要退回的客户有限公司"},
                                            confirm_duplicates=True)
    c = client_for(org.rep)
    resp = c.post(f"/leads/customer-pool/release/{customer.pk}/", {"reason": ""}, follow=True)
    assert "Say why the customer goes back to the pool." in resp.content.decode()
    assert Customer.objects.get(pk=customer.pk).owner_id == org.rep.pk
    resp = c.post(f"/leads/customer-pool/release/{customer.pk}/", {"reason": "非目标客户"})
    assert resp.status_code == 302 and Customer.objects.get(pk=customer.pk).owner_id is None
    assert client_for(org.rep).get(f"/customers/{customer.pk}/").status_code == 404
    manager_view = client_for(org.manager).get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="customer-pool-card"' in manager_view and "非目标客户" in manager_view  # the timeline
    assert client_for(org.rep_b).post(f"/leads/customer-pool/release/{org.cust_rep.pk}/",
                                      {"reason": "x"}).status_code == 404


def test_pool_customers_show_in_a_managers_customer_list_and_export(org, in_pool, client_for):
    customer = in_pool(name="经理能看到的公海客户有限公司")
    c = client_for(org.manager)
    assert customer.name in c.get("/customers/").content.decode()
    assert c.get("/customers/export/").status_code == 200
    row = next(r for r in c.get("/api/v1/customers").json()["items"] if r["id"] == customer.pk)
    assert row["owner_id"] is None and row["owner_name"] is None


# ── API ──────────────────────────────────────────────────────────────────────────────────────────────────

def test_api_list_claim_assign_release(org, in_pool, client_for):
    customer = in_pool(name="接口公海客户有限公司")
    rep = client_for(org.rep)
    listed = rep.get("/api/v1/customer-pool").json()
    row = next(r for r in listed["items"] if r["id"] == customer.pk)
    assert row["primary_phone"] == "139****5678" and row["unit_name"] == "上海一组"
    assert row["pool_reason"] == "客户暂无采购需求"
    assert client_for(org.rep2).get("/api/v1/customer-pool").json()["count"] == 0
    claimed = send(rep, f"/api/v1/customer-pool/{customer.pk}/claim")
    assert claimed.status_code == 200 and claimed.json()["owner_id"] == org.rep.pk
    again = send(client_for(org.rep_b), f"/api/v1/customer-pool/{customer.pk}/claim")
    assert again.status_code == 404 and again.json()["code"] == "not_found"  # as if not visible (issue #15)
    no_reason = send(rep, f"/api/v1/customers/{customer.pk}/release", {"reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    released = send(rep, f"/api/v1/customers/{customer.pk}/release", {"reason": "联系不上"})
    assert released.status_code == 200 and released.json()["owner_id"] is None
    assigned = send(client_for(org.supervisor), f"/api/v1/customer-pool/{customer.pk}/assign",
                    {"owner_id": org.rep_b.pk, "note": "换人跟进"})
    assert assigned.status_code == 200 and assigned.json()["owner_id"] == org.rep_b.pk
    assert send(rep, f"/api/v1/customer-pool/{customer.pk}/claim").json()["code"] == "not_found"
    assert client_for(org.planner).get("/api/v1/customer-pool").status_code == 403
    assert client_for(None).get("/api/v1/customer-pool").status_code == 401


@pytest.mark.parametrize("url", ["/leads/customer-pool/", "/api/v1/customer-pool"])
@pytest.mark.parametrize("role", ["rep", "manager"])
def test_pool_query_count_does_not_grow_with_rows(org, in_pool, client_for, url, role,
                                                  django_assert_max_num_queries):
    c = client_for(getattr(org, role))
    for _i in range(3):
        in_pool()
    with django_assert_max_num_queries(16) as few:
        assert c.get(url).status_code == 200
    for i in range(20):
        in_pool(owner=org.rep if i % 2 else org.rep_b, phone=f"1391234{i:04d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).status_code == 200


def test_customer_page_query_count_with_the_pool_card(org, client_for, django_assert_max_num_queries):
    c = client_for(org.rep)
    with django_assert_max_num_queries(40):
        assert c.get(f"/customers/{org.cust_rep.pk}/").status_code == 200
