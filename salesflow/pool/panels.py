"""The pool's card on the customer file (``crm.hooks.CUSTOMER_PANELS``): the pool status (in the pool since…,
returns to the pool on…, why it never returns) and the claim / assign / release forms for whoever may use them."""

from salesflow.core.panels import Panel
from salesflow.org.roles import has_capability
from salesflow.org.scope import is_above
from salesflow.org.selectors import assignable_users

from .rules import customer_pool_outlook
from .scope import in_pool_scope
from .views import RELEASE_REASONS


def customer_pool_panel(*, customer, user, request) -> Panel:
    in_pool = customer.owner_id is None
    outlook = None if in_pool else customer_pool_outlook(customer)
    can_assign = in_pool and has_capability(user, "customer.reassign")
    return Panel("pool/_customer_pool_card.html", slot="top", context={
        "in_pool": in_pool, "outlook": outlook,
        "can_claim": in_pool and has_capability(user, "customer.claim") and in_pool_scope(user, customer.unit_id),
        "can_assign": can_assign, "owners": assignable_users(user=user) if can_assign else [],
        "can_release": not in_pool and has_capability(user, "customer.edit")
        and is_above(user, owner_id=customer.owner_id, unit_id=customer.unit_id),
        "reasons": RELEASE_REASONS,
        # The date is for the owner and those above them; it says nothing to anyone else.
        "show_due": outlook is not None and outlook.warned and outlook.clock is not None
        and is_above(user, owner_id=customer.owner_id, unit_id=customer.unit_id),
    })
