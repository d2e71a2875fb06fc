"""What visits add to the pages of the apps below: the "Visits" card on the customer file and the "Log visit"
button on the opportunity and the lead (``crm.hooks.CUSTOMER_PANELS``, ``deals.hooks.OPPORTUNITY_PANELS``,
``leads.hooks.LEAD_PANELS``)."""

from salesflow.core.panels import Panel
from salesflow.org.roles import has_capability

from . import selectors


def customer_visits_panel(*, customer, user, request) -> Panel:
    return Panel("visits/_customer_visits.html", slot="side", context={
        "visits": selectors.timeline_for_customer(user, customer.pk, limit=10),
        "upcoming": selectors.upcoming_for_customer(user, customer.pk),
        "can_log": has_capability(user, "visit.log"),
    })


def opportunity_log_visit_panel(*, opportunity, user, request) -> Panel | None:
    if not has_capability(user, "visit.log") or opportunity.stage in ("won", "lost"):
        return None
    return Panel("visits/_log_visit_button.html", slot="actions",
                 context={"query": {"customer": opportunity.customer_id, "opportunity": opportunity.pk}})


def lead_log_visit_panel(*, lead, user, request) -> Panel | None:
    # Whether the user may log a visit on this lead is the lead's own guard (leads declares log_visit).
    if not lead.can("log_visit", by=user):
        return None
    return Panel("visits/_log_visit_button.html", slot="actions", context={"query": {"lead": lead.pk}})
