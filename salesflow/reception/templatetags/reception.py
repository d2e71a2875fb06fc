"""{% reception_block customer %}: the "Reception records" card other pages include (customer detail)."""

from django import template

from salesflow.org.roles import has_capability

from ..selectors import timeline_for_customer

register = template.Library()


@register.inclusion_tag("reception/_customer_block.html", takes_context=True)
def reception_block(context, customer):
    user = context["request"].user
    return {"entries": timeline_for_customer(user, customer.pk, limit=10), "customer": customer,
            "can_add": has_capability(user, "reception.edit")}
