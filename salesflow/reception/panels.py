"""The "Reception records" card on the customer file (``crm.hooks.CUSTOMER_PANELS``)."""

from salesflow.core.panels import Panel
from salesflow.org.roles import has_capability

from .selectors import timeline_for_customer


def customer_reception_panel(*, customer, user, request) -> Panel:
    return Panel("reception/_customer_block.html", slot="main", context={
        "entries": timeline_for_customer(user, customer.pk, limit=10),
        "can_add": has_capability(user, "reception.edit"),
    })
