"""The customer file's panels (crm.hooks.CUSTOMER_PANELS, salesflow/core/panels.py): what the apps above crm show
on it comes from their handlers, in slots and in order, and the page itself names none of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from salesflow.core.hooks import Hook
from salesflow.core.panels import Panel, collect
from salesflow.crm.hooks import CUSTOMER_PANELS
from salesflow.deals.hooks import OPPORTUNITY_PANELS
from salesflow.deals.panels import customer_deals_panel
from salesflow.leads.hooks import LEAD_PANELS
from salesflow.pool.panels import customer_pool_panel
from salesflow.reception.panels import customer_reception_panel
from salesflow.visits.panels import customer_visits_panel, lead_log_visit_panel, opportunity_log_visit_panel


def test_collect_groups_by_slot_in_order_and_skips_none():
    hook = Hook("test.panels", signature="handler(*, n) -> Panel | None", in_transaction=False)
    hook.register(lambda *, n: Panel("a.html", slot="side", order=200), key="a")
    hook.register(lambda *, n: None, key="none")
    hook.register(lambda *, n: [Panel("b.html", slot="side"), Panel("c.html", slot="actions", context={"n": n})],
                  key="bc")
    hook.register(lambda *, n: Panel("d.html", slot="side"), key="d")
    panels = collect(hook, n=7)
    assert [p.template for p in panels["side"]] == ["b.html", "d.html", "a.html"]  # order, then registration
    assert panels["actions"] == [Panel("c.html", slot="actions", context={"n": 7})]
    hook.register(lambda *, n: ["not a panel"], key="bad")
    with pytest.raises(TypeError):
        collect(hook, n=1)


def test_the_apps_above_register_their_panels_read_only():
    # Read-only hooks: the page is built outside any transaction.
    assert not connection.in_atomic_block
    for hook in (CUSTOMER_PANELS, OPPORTUNITY_PANELS, LEAD_PANELS):
        assert hook.in_transaction is False
    assert CUSTOMER_PANELS.handlers == (customer_deals_panel, customer_pool_panel, customer_reception_panel,
                                        customer_visits_panel)
    assert opportunity_log_visit_panel in OPPORTUNITY_PANELS
    assert lead_log_visit_panel in LEAD_PANELS


@pytest.mark.django_db
def test_the_customer_page_shows_what_the_handlers_answer(world, login):
    url = reverse("crm:customer_detail", args=[world.c_rep.pk])
    page = login(world.rep).get(url).content.decode()
    for testid in ("new-opportunity", "request-discount", "reception-block", "customer-visits"):
        assert f'data-testid="{testid}"' in page
    # The order on the page is the slots' (header buttons, main column, side column).
    assert page.index('data-testid="new-opportunity"') < page.index('data-testid="reception-block"') \
        < page.index('data-testid="customer-visits"') < page.index('data-testid="timeline"')
    # Whoever may not act gets no button: the accountant neither edits customers nor requests discounts.
    accountant = login(world.accountant).get(url).content.decode()
    assert 'data-testid="new-opportunity"' not in accountant and 'data-testid="request-discount"' not in accountant

    CUSTOMER_PANELS.unregister(customer_visits_panel)
    try:
        assert 'data-testid="customer-visits"' not in login(world.rep).get(url).content.decode()
    finally:
        CUSTOMER_PANELS.register(customer_visits_panel)
    assert CUSTOMER_PANELS.handlers[-1] is customer_visits_panel
