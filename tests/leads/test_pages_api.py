"""Lead pages and /api/v1/leads: scope, refusals, actions, and pinned query counts."""

import json

import pytest

from salesflow.leads.models import Lead, LeadStatus

from ..conftest import fresh


def send(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_pages_render_for_the_owner(org, make_lead, client_for):
    lead = make_lead(name="页面测试有限公司")
    c = client_for(org.rep)
    for url in ["/leads/", "/leads/pool/", "/leads/new/", f"/leads/{lead.pk}/"]:
        resp = c.get(url)
        assert resp.status_code == 200, url
    assert "页面测试有限公司" in c.get("/leads/").content.decode()
    assert 'data-testid="screen-form"' in c.get(f"/leads/{lead.pk}/").content.decode()


def test_page_flow_create_screen_convert(org, client_for):
    c = client_for(org.rep)
    resp = c.post("/leads/new/", {"name": "杭州页面流程有限公司", "contact_name": "黄工", "phone": "13588889999",
                                  "channel": "online", "estimated_amount": "120000"})
    lead = Lead.objects.get(name="杭州页面流程有限公司")
    assert resp.status_code == 302 and lead.owner_id == org.rep.pk
    c.post(f"/leads/{lead.pk}/contacted/")
    c.post(f"/leads/{lead.pk}/screen/", {"need": "high", "purchasing_power": "high", "credit": "medium"})
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.QUALIFIED
    resp = c.post(f"/leads/{lead.pk}/convert/")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and resp.url == f"/customers/{lead.customer_id}/"


def test_pool_page_claim_button(org, make_lead, client_for):
    lead = make_lead(by=org.supervisor, owner=None, name="公海里的线索有限公司")
    c = client_for(org.rep_b)
    page = c.get("/leads/pool/").content.decode()
    assert "公海里的线索有限公司" in page and 'data-testid="claim"' in page
    c.post(f"/leads/{lead.pk}/claim/")
    assert Lead.objects.get(pk=lead.pk).owner_id == org.rep_b.pk
    assert "公海里的线索有限公司" not in client_for(org.rep).get("/leads/pool/").content.decode()


def test_page_refusals(org, make_lead, client_for):
    lead = make_lead()
    assert client_for(org.rep2).get(f"/leads/{lead.pk}/").status_code == 404
    assert client_for(org.rep2).post(f"/leads/{lead.pk}/screen/", {"need": "high", "purchasing_power": "high",
                                                                   "credit": "high"}).status_code == 404
    assert client_for(org.planner).get("/leads/").status_code == 403
    assert client_for(org.finance).get("/leads/new/").status_code == 403
    assert client_for(None).get("/leads/").status_code == 302


def test_api_create_list_get_and_actions(org, client_for):
    c = client_for(org.supervisor)
    resp = send(c, "/api/v1/leads", {"name": "接口线索有限公司", "phone": "13511112222", "channel": "partner",
                                     "campaign": "渠道推荐"})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["in_pool"] and body["status"] == "new" and body["campaign"] == "渠道推荐"
    lead_id = body["id"]
    dup = send(c, "/api/v1/leads", {"name": "另一家", "phone": "135 1111 2222"})
    assert dup.status_code == 409 and dup.json()["code"] == "lead_duplicate"
    assert send(c, f"/api/v1/leads/{lead_id}/assign", {"mode": "round_robin", "team_id": org.east_team.pk}
                ).json()["owner_id"] == org.rep.pk
    rep = client_for(org.rep)
    assert rep.get(f"/api/v1/leads/{lead_id}").status_code == 200
    screened = send(rep, f"/api/v1/leads/{lead_id}/screen", {"need": "high", "purchasing_power": "medium",
                                                             "credit": "high"}).json()
    assert screened["status"] == "qualified" and screened["score"] == 85
    converted = send(rep, f"/api/v1/leads/{lead_id}/convert", {"amount": "50000"}).json()
    assert converted["status"] == "converted" and converted["customer_id"] and converted["opportunity_id"]
    listed = rep.get("/api/v1/leads?status=converted").json()
    assert [row["id"] for row in listed["items"]] == [lead_id]


def test_api_claim_and_refusals(org, make_lead, client_for):
    pool_lead = make_lead(by=org.supervisor, owner=None)
    other = make_lead(by=org.rep2)
    rep = client_for(org.rep)
    assert rep.get("/api/v1/leads?pool=true").json()["count"] == 1
    assert send(rep, f"/api/v1/leads/{pool_lead.pk}/claim").json()["owner_id"] == org.rep.pk
    assert send(rep, f"/api/v1/leads/{other.pk}/claim").status_code == 404
    assert rep.get(f"/api/v1/leads/{other.pk}").status_code == 404
    assert send(client_for(org.finance), f"/api/v1/leads/{other.pk}/claim").status_code == 403
    assert send(rep, f"/api/v1/leads/{pool_lead.pk}/assign", {"owner_id": org.rep_b.pk}).status_code == 403
    assert client_for(org.planner).get("/api/v1/leads").status_code == 403
    assert client_for(None).get("/api/v1/leads").status_code == 401


@pytest.mark.parametrize("url", ["/leads/", "/leads/pool/", "/api/v1/leads"])
def test_list_query_count_does_not_grow_with_rows(org, make_lead, client_for, url,
                                                  django_assert_max_num_queries):
    c = client_for(org.manager)
    for i in range(3):
        make_lead(by=org.rep, owner=None if i % 2 else "self")
    with django_assert_max_num_queries(14) as few:
        assert c.get(url).status_code == 200
    for i in range(20):
        make_lead(by=org.rep_b if i % 2 else org.supervisor, owner=None if i % 3 else "self")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get(url).status_code == 200
    assert fresh(org.manager)
