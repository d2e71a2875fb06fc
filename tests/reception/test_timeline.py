"""Reception records on the customer and opportunity timelines (selectors.timeline_for_*, the activity source)."""

import pytest
from django.urls import reverse

from salesflow.core import activity
from salesflow.deals import services as deals
from salesflow.reception import selectors

from ..conftest import fresh

pytestmark = pytest.mark.django_db


def test_timelines_list_the_records_under_the_users_scope(org, make_record, client_for):
    opp = deals.opportunity_create(by=fresh(org.rep), customer_id=org.cust_rep.pk, data={"name": "冷库改造"})
    on_opp = make_record(opportunity_id=opp.pk, company="上海星辰机械有限公司", channel="phone", intent="yes")
    on_customer = make_record(customer_id=org.cust_rep.pk, visitor_names="陈经理")
    make_record(company="无关的接待")

    rows = selectors.timeline_for_customer(fresh(org.rep), org.cust_rep.pk)
    assert [r["url"] for r in rows] == [f"/reception/{on_opp.pk}/", f"/reception/{on_customer.pk}/"]
    assert set(rows[0]) >= {"at", "kind", "title", "summary", "url"} and rows[0]["kind"] == "reception"
    assert "上海星辰机械有限公司" in rows[0]["title"] and "Phone call" in rows[0]["title"]
    assert [r["url"] for r in selectors.timeline_for_opportunity(fresh(org.rep), opp.pk)] == [
        f"/reception/{on_opp.pk}/"]
    assert selectors.timeline_for_customer(fresh(org.manager), org.cust_rep.pk)
    for outsider in (org.rep_b, org.rep2, org.manager2, org.planner):
        assert selectors.timeline_for_customer(fresh(outsider), org.cust_rep.pk) == []
        assert selectors.timeline_for_opportunity(fresh(outsider), opp.pk) == []

    items = activity.for_opportunity(fresh(org.rep), opp.pk)
    assert "reception" in {a.kind for a in items} and "stage" in {a.kind for a in items}
    html = client_for(org.rep).get(reverse("deals:opportunity_detail", args=[opp.pk])).content.decode()
    assert f"/reception/{on_opp.pk}/" in html
    assert activity.for_opportunity(fresh(org.rep2), opp.pk) == []


def test_timeline_query_count_does_not_grow(org, make_record, django_assert_max_num_queries):
    make_record(customer_id=org.cust_rep.pk)
    rep = fresh(org.rep)
    with django_assert_max_num_queries(3) as few:
        selectors.timeline_for_customer(rep, org.cust_rep.pk)
    for _ in range(10):
        make_record(customer_id=org.cust_rep.pk)
    rep = fresh(org.rep)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(selectors.timeline_for_customer(rep, org.cust_rep.pk)) == 11
