"""The deals' buttons on the customer file (``crm.hooks.CUSTOMER_PANELS``): a new opportunity, the customer's
opportunities, a discount request."""

from salesflow.core.panels import Panel
from salesflow.org.roles import has_capability


def customer_deals_panel(*, customer, user, request) -> Panel | None:
    offer_opportunities = customer.can("edit", by=user)
    offer_discount = has_capability(user, "discount.request")
    if not (offer_opportunities or offer_discount):
        return None
    return Panel("deals/_customer_actions.html", slot="actions",
                 context={"offer_opportunities": offer_opportunities, "offer_discount": offer_discount})
