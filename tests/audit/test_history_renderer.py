"""The history renderer shows what it can and never fails on a value it cannot resolve.

An approval submission records the policy's code under "policy", a key that is a foreign key (an id) on the
approval request: the customer page, the opportunity page and the audit log once answered 500 for every
customer with a submitted discount request.
"""

import pytest
from django.urls import reverse

from salesflow.audit import events
from salesflow.audit.models import AuditEvent
from salesflow.audit.selectors import readable_changes
from salesflow.deals.discounts import services as deals

from ..conftest import fresh

pytestmark = pytest.mark.django_db

ODD = events.declare("test.odd_values", "Odd values (test)")


def test_pages_with_a_submitted_discount_request_answer(r13, discount, opportunity, client_for):
    doc = discount()
    deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    opp = opportunity()
    submitted = AuditEvent.objects.get(action="approval.submitted")
    assert submitted.after["policy"] and submitted.customer_id == r13.cust_rep.pk  # a code, not an id
    pages = {
        "customer": reverse("crm:customer_detail", args=[r13.cust_rep.pk]),
        "opportunity": reverse("deals:opportunity_detail", args=[opp.pk]),
    }
    for who in ("rep", "admin"):
        c = client_for(getattr(r13, who))
        for name, url in pages.items():
            response = c.get(url)
            assert response.status_code == 200, (who, name)
            assert "Submitted for approval" in response.content.decode(), (who, name)
    log = client_for(r13.admin).get(reverse("audit:event_list"))
    assert log.status_code == 200
    assert submitted.after["policy"] in log.content.decode()  # the raw code, since it names no row


def test_values_it_cannot_resolve_are_shown_as_stored(org):
    # On a customer: owner, unit and region are foreign keys, tier and status choices.
    ODD.record(by=org.admin, obj=org.cust_rep, customer_id=org.cust_rep.pk,
               after={"owner": "not-an-id", "unit": 999999, "tier": ["A", "B"], "status": {"x": 1}, "name": "甲"})
    ODD.record(by=org.admin, obj=org.cust_rep, customer_id=org.cust_rep.pk,
               after={"unit": [1, 2], "region": 1.5, "tier": "Z", "owner": org.rep.pk})
    ODD.record(by=org.admin, object_type="nosuch.model", object_id="x", after={"a": 1})
    ODD.record(by=org.admin, object_type="not a model", after={"a": [1]})
    rendered = readable_changes(AuditEvent.objects.filter(action=ODD.action).order_by("id"))
    first, second, no_model, bad_type = (sorted(map(repr, (new for _key, _old, new in e.readable)))
                                         for e in rendered)
    assert first == sorted(map(repr, ["not-an-id", "#999999", ["A", "B"], {"x": 1}, "甲"]))
    assert second == sorted(map(repr, [[1, 2], 1.5, "Z", str(org.rep)]))
    assert no_model == [repr(1)] and bad_type == [repr([1])]


def test_an_id_no_column_can_hold_is_shown_as_stored(org, client_for):
    # Issue #14 (the crawl): on SQLite, a stored id beyond the column's range made the lookup of names fail the
    # whole page with OverflowError — the customer page, the audit log, every history.
    huge = 10**20
    ODD.record(by=org.admin, obj=org.cust_rep, customer_id=org.cust_rep.pk,
               before={"owner": huge, "unit": str(huge)}, after={"owner": org.rep.pk, "unit": -huge})
    [event] = readable_changes(AuditEvent.objects.filter(action=ODD.action))
    assert sorted(map(repr, event.readable)) == sorted(map(repr, [
        ("owner", huge, str(org.rep)), ("unit", str(huge), -huge)]))
    for url in (reverse("crm:customer_detail", args=[org.cust_rep.pk]), reverse("audit:event_list")):
        assert client_for(org.admin).get(url).status_code == 200, url
