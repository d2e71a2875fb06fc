"""Reception records and prospects: their audit events."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

RECEPTION_CREATED = declare("reception.created", _("Reception record created"))
RECEPTION_UPDATED = declare("reception.updated", _("Reception record updated"))
PROSPECT_REGISTERED = declare("prospect.registered", _("Prospect registered"))
PROSPECT_INTENT_SET = declare("prospect.intent_set", _("Prospect's purchase intent changed"))
PROSPECT_CONFIRMED = declare("prospect.confirmed", _("Prospect confirmed by the marketing supervisor"))
PROSPECT_FILE_SUBMITTED = declare("prospect.file_submitted",
                                  _("Customer file built by the consultant and sent to the supervisor"))
PROSPECT_CUSTOMER_FILED = declare("prospect.customer_filed", _("Customer file registered with the prospect's"))
PROSPECT_DEAL_DONE = declare("prospect.deal_done", _("Deal done for the prospect"))
PROSPECT_HANDED_OVER = declare("prospect.handed_over", _("Prospect file handed to customer service"))
PROSPECT_DROPPED = declare("prospect.dropped", _("Prospect dropped"))
PROSPECT_REASSIGNED = declare("prospect.reassigned", _("Prospect handed over (previous consultant deactivated)"))
MARKETING_LEAD_NAMED = declare("prospect.marketing_lead_named", _("Office's marketing supervisor named"))
