"""The public pool's audit events: the sweep's automatic returns and warnings, and the pool policies (their
action codes keep the "lead_policy" name they were stored under). A claim, an assignment from the pool and a
release are recorded by the crm services that write the customer row (crm/events.py)."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

CUSTOMER_RECLAIMED = declare("customer.reclaimed", _("Customer returned to the pool automatically"))
CUSTOMER_POOL_WARNED = declare("customer.pool_warned", _("Owner warned: the customer returns to the pool soon"))
POOL_POLICY_SAVED = declare("lead_policy.saved", _("Pool policy saved"))
POOL_POLICY_REMOVED = declare("lead_policy.removed", _("Pool policy removed (the unit inherits again)"))
