"""``{% customer_pool_card customer %}`` on the customer page: the pool status (in the pool since…, returns to
the pool on…, why it never returns) and the claim / assign / release forms for whoever may use them."""

from django import template

from salesflow.org.roles import has_capability
from salesflow.org.scope import is_above
from salesflow.org.selectors import assignable_users
from salesflow.pool.rules import customer_pool_outlook
from salesflow.pool.scope import in_pool_scope
from salesflow.pool.views import RELEASE_REASONS

register = template.Library()


@register.inclusion_tag("pool/_customer_pool_card.html", takes_context=True)
def customer_pool_card(context, customer):
    user = context["request"].user
    in_pool = customer.owner_id is None
    outlook = None if in_pool else customer_pool_outlook(customer)
    can_assign = in_pool and has_capability(user, "customer.reassign")
    return {
        "customer": customer, "in_pool": in_pool, "outlook": outlook,
        "csrf_token": context.get("csrf_token"),
        "can_claim": in_pool and has_capability(user, "customer.claim") and in_pool_scope(user, customer.unit_id),
        "can_assign": can_assign, "owners": assignable_users(user=user) if can_assign else [],
        "can_release": not in_pool and has_capability(user, "customer.edit")
        and is_above(user, owner_id=customer.owner_id, unit_id=customer.unit_id),
        "reasons": RELEASE_REASONS,
        # The date is for the owner and those above them; it says nothing to anyone else.
        "show_due": outlook is not None and outlook.warned and outlook.clock is not None
        and is_above(user, owner_id=customer.owner_id, unit_id=customer.unit_id),
    }
