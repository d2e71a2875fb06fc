"""The "Visits" block other pages include (the customer file; the opportunity page can use it too)."""

from django import template

from salesflow.org.roles import has_capability

from .. import selectors

register = template.Library()


@register.inclusion_tag("visits/_customer_visits.html", takes_context=True)
def customer_visits(context, customer):
    user = context["request"].user
    return {
        "customer": customer,
        "visits": selectors.timeline_for_customer(user, customer.pk, limit=10),
        "upcoming": selectors.upcoming_for_customer(user, customer.pk),
        "can_log": has_capability(user, "visit.log"),
    }
