"""R26 / seed 004's conversion rate (转化率: "潜在客户转化为实际客户的比例") in the funnel: the prospects (reception) and
leads (leads) that became customers, under the user's data scope and sliced like the funnel (rep, team, region,
quarter). Leads and prospects sit above deals: they answer through deals.hooks.CUSTOMER_CONVERSIONS."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesflow.crm.models import Customer
from salesflow.deals.funnel import FunnelFilters, pipeline_summary
from salesflow.leads import services as leads
from salesflow.leads.models import Lead
from salesflow.reception import services as reception
from salesflow.reception.models import Prospect

from ..conftest import fresh

pytestmark = pytest.mark.django_db
Q1 = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
LAST_YEAR = dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC)


def _lead(org, owner, name, *, convert=False, at=Q1):
    lead = leads.lead_create(by=fresh(owner), data={"name": name, "channel": "exhibition"}, owner=owner,
                             confirm_duplicates=True)
    if convert:
        lead = leads.lead_screen(by=fresh(owner), lead=lead, need="high", purchasing_power="high", credit="high")
        leads.lead_convert(by=fresh(owner), lead=lead, confirm_duplicates=True)
    Lead.objects.filter(pk=lead.pk).update(created_at=at)


def _prospect(org, supervisor, consultant, name, *, customer=None, at=Q1):
    prospect = reception.prospect_register(by=fresh(supervisor), data={"name": name, "intent": "yes"},
                                           consultant=consultant, confirm_duplicates=True)
    fields = {"registered_at": at}
    if customer is not None:
        # The customer file (E4/D5) is reception's own flow; the figure only reads whether the prospect got one.
        fields["customer"] = customer
    Prospect.objects.filter(pk=prospect.pk).update(**fields)


@pytest.fixture
def world(org):
    """EAST, Q1 2026: rep's 4 leads (2 converted) and 2 prospects (1 became a customer); rep_b 1 lead (converted).
    NORTH: rep2 2 leads (none converted). Q4 2025: rep 1 converted lead."""
    for i in range(4):
        _lead(org, org.rep, f"华东线索{i}号有限公司", convert=i < 2)
    _lead(org, org.rep_b, "华东乙线索有限公司", convert=True)
    for i in range(2):
        _lead(org, org.rep2, f"华北线索{i}号有限公司")
    _lead(org, org.rep, "去年线索有限公司", convert=True, at=LAST_YEAR)
    _prospect(org, org.supervisor, org.rep, "准客户甲有限公司", customer=Customer.objects.get(pk=org.cust_rep.pk))
    _prospect(org, org.supervisor, org.rep, "准客户乙有限公司")


def test_r26_funnel_reports_004s_conversion_of_prospects_and_leads_to_customers(org, world):
    s = pipeline_summary(user=fresh(org.rep), filters=FunnelFilters(period="2026Q1"))["customer_conversion"]
    by_source = {row["source"]: row for row in s["sources"]}
    assert (by_source["leads"]["total"], by_source["leads"]["converted"], by_source["leads"]["rate"]) == (4, 2, 0.5)
    assert (by_source["prospects"]["total"], by_source["prospects"]["converted"]) == (2, 1)
    assert (s["total"], s["converted"], s["rate"]) == (6, 3, 0.5)


def test_r26_conversion_is_sliced_like_the_funnel_and_never_leaks_another_region(org, world):
    def conversion(user, **filters):
        return pipeline_summary(user=fresh(user), filters=FunnelFilters(**filters))["customer_conversion"]

    assert (conversion(org.rep)["total"], conversion(org.rep)["converted"]) == (7, 4)  # all time: last year's too
    assert conversion(org.rep, period="2025Q4")["converted"] == 1
    team = conversion(org.supervisor, unit=org.east_team.pk, period="2026Q1")
    assert (team["total"], team["converted"]) == (7, 4)  # rep's 6 and rep_b's lead
    assert conversion(org.supervisor, owner=org.rep_b.pk)["converted"] == 1
    east = conversion(org.admin, region=org.east.pk, period="2026Q1")
    north = conversion(org.admin, region=org.north.pk, period="2026Q1")
    assert (east["total"], north["total"], north["converted"], north["rate"]) == (7, 2, 0, 0.0)
    # Another region's manager and another rep see none of the rep's records.
    assert conversion(org.manager2, owner=org.rep.pk)["total"] == 0
    assert conversion(org.rep2)["total"] == 2 and conversion(org.rep2)["converted"] == 0


def test_r26_conversion_takes_one_query_per_source(org, world):
    user = fresh(org.admin)
    pipeline_summary(user=user)
    with CaptureQueriesContext(connection) as before:
        pipeline_summary(user=user)
    for i in range(5):
        _lead(org, org.rep, f"更多线索{i}号有限公司", convert=i % 2 == 0)
    with CaptureQueriesContext(connection) as after:
        pipeline_summary(user=user)
    assert len(before) == len(after) <= 4  # deals: 2, leads: 1, prospects: 1


def test_r26_conversion_on_the_funnel_page_and_api_and_refusals(org, world, client_for):
    page = client_for(org.rep).get(reverse("deals:funnel"), {"period": "2026Q1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="kpi-conversion-rate"' in html and "50%" in html.split('data-testid="kpi-conversion-rate"')[1][:20]
    body = client_for(org.rep).get("/api/v1/pipeline/summary", {"period": "2026Q1"}).json()
    assert body["customer_conversion"]["rate"] == 0.5 and body["customer_conversion"]["converted"] == 3
    assert client_for(org.rep2).get("/api/v1/pipeline/summary", {"owner": org.rep.pk}).json()[
        "customer_conversion"]["total"] == 0
    assert client_for(org.planner).get("/api/v1/pipeline/summary").status_code == 403
    assert client_for(org.planner).get(reverse("deals:funnel")).status_code == 403
    assert client_for(None).get("/api/v1/pipeline/summary").status_code == 401
