"""The deals app's audit events: discount requests (on the document itself, besides the engine's events on
its approval request) and opportunities with their managed lists."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

DISCOUNT_CREATED = declare("discount.created", _("Discount request created"))
DISCOUNT_UPDATED = declare("discount.updated", _("Discount request updated"))
DISCOUNT_SUBMITTED = declare("discount.submitted", _("Discount request submitted for approval"))
DISCOUNT_APPROVED = declare("discount.approved", _("Discount request approved"))
DISCOUNT_RETURNED = declare("discount.returned", _("Discount request returned"))
OPPORTUNITY_CREATED = declare("opportunity.created", _("Opportunity created"))
OPPORTUNITY_REASSIGNED = declare("opportunity.reassigned", _("Opportunity handed over (previous owner deactivated)"))
OPPORTUNITY_UPDATED = declare("opportunity.updated", _("Opportunity updated"))
OPPORTUNITY_MOVED = declare("opportunity.moved", _("Opportunity moved to another stage"))
OPPORTUNITY_CHECKLIST_SET = declare("opportunity.checklist_set", _("Opportunity checklist item ticked"))
OPPORTUNITY_WON = declare("opportunity.won", _("Opportunity won"))
OPPORTUNITY_LOST = declare("opportunity.lost", _("Opportunity lost"))
OPPORTUNITY_REOPENED = declare("opportunity.reopened", _("Opportunity reopened"))
LOST_REASON_CREATED = declare("lost_reason.created", _("Lost reason added"))
COMPETITOR_CREATED = declare("competitor.created", _("Competitor added"))
