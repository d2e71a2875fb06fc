"""The activity timeline (salesflow.core.activity) on the opportunity page: stage changes merged newest first,
read under the user's scope."""

import pytest
from django.urls import reverse

from salesflow.core import activity
from salesflow.deals import services

from ..conftest import fresh

pytestmark = pytest.mark.django_db


def test_the_opportunity_page_shows_its_stage_changes_newest_first(org, opportunity, client_for):
    opp = opportunity(name="激光切割机采购")
    services.opportunity_move(by=fresh(org.rep), opportunity_id=opp.pk, to_stage="needs")
    services.opportunity_move(by=fresh(org.rep), opportunity_id=opp.pk, to_stage="quote")

    items = activity.for_opportunity(fresh(org.rep), opp.pk)
    assert [a.kind for a in items[:3]] == ["stage", "stage", "stage"]
    assert items[0].title == "Needs analysis → Quote and negotiation"
    assert items[-1].title == "Contact the prospect"  # the deal's creation, oldest last
    assert items[0].at >= items[1].at >= items[2].at

    html = client_for(org.rep).get(reverse("deals:opportunity_detail", args=[opp.pk])).content.decode()
    assert 'data-testid="activity"' in html
    assert html.index("Quote and negotiation") < html.index("Contact the prospect")


def test_activity_is_read_under_the_users_scope(org, opportunity):
    opp = opportunity(name="数控折弯机采购")
    services.opportunity_move(by=fresh(org.rep), opportunity_id=opp.pk, to_stage="needs")
    assert activity.for_opportunity(fresh(org.rep2), opp.pk) == []  # another region's rep
    assert activity.for_customer(fresh(org.rep_b), org.cust_rep.pk) == []  # another rep of the same team
    assert activity.for_customer(fresh(org.manager), org.cust_rep.pk)  # the rep's manager sees it
    by_customer = activity.for_customer(fresh(org.rep), org.cust_rep.pk)
    assert by_customer[0].summary == "数控折弯机采购"  # on the customer, each entry names its deal
    assert by_customer[0].url == reverse("deals:opportunity_detail", args=[opp.pk])


def test_log_visit_buttons_lead_to_the_visit_form_prefilled(org, opportunity, client_for):
    from salesflow.leads import services as lead_services

    opp = opportunity(name="焊接机器人采购")
    html = client_for(org.rep).get(reverse("deals:opportunity_detail", args=[opp.pk])).content.decode()
    assert f"{reverse('visits:log_create')}?customer={opp.customer_id}&amp;opportunity={opp.pk}" in html
    lead = lead_services.lead_create(by=fresh(org.rep), data={"name": "常州恒力焊接设备有限公司"},
                                     confirm_duplicates=True)
    lead = lead_services.lead_claim(by=fresh(org.rep), lead=lead)  # a pool lead is claimed before the visit
    html = client_for(org.rep).get(reverse("leads:lead_detail", args=[lead.pk])).content.decode()
    assert f"{reverse('visits:log_create')}?lead={lead.pk}" in html
    # Finance reads opportunities but does not visit customers: no button.
    html = client_for(org.finance).get(reverse("deals:opportunity_detail", args=[opp.pk])).content.decode()
    assert 'data-testid="opportunity-name"' in html and 'data-testid="log-visit"' not in html


def test_a_stage_the_pipeline_no_longer_has_is_shown_by_its_code(org, opportunity, client_for):
    # Issue #14 (the crawl): stage changes are history and keep a stage the pipeline dropped; the timeline of the
    # opportunity and of its customer raised ValueError on it.
    from django.utils import timezone

    from salesflow.deals.models import OpportunityStageChange

    opp = opportunity(name="旧阶段商机")
    OpportunityStageChange.objects.create(opportunity=opp, from_stage="retired", to_stage="dropped",
                                          at=timezone.now(), by=org.rep)
    assert activity.for_opportunity(fresh(org.rep), opp.pk)[0].title == "retired → dropped"
    for url in (reverse("deals:opportunity_detail", args=[opp.pk]),
                reverse("crm:customer_detail", args=[org.cust_rep.pk])):
        assert client_for(org.rep).get(url).status_code == 200, url
