"""The deals app's audit events: opportunities with their managed lists (the discount request's are in
``discounts/events.py``, imported here so the audit registry loads them with the app's)."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

from .discounts import events as discount_events  # noqa: F401 — registers the discount request's events

OPPORTUNITY_CREATED = declare("opportunity.created", _("Opportunity created"))
OPPORTUNITY_REASSIGNED = declare("opportunity.reassigned", _("Opportunity handed over with its customer"))
OPPORTUNITY_UPDATED = declare("opportunity.updated", _("Opportunity updated"))
OPPORTUNITY_MOVED = declare("opportunity.moved", _("Opportunity moved to another stage"))
OPPORTUNITY_CHECKLIST_SET = declare("opportunity.checklist_set", _("Opportunity checklist item ticked"))
OPPORTUNITY_WON = declare("opportunity.won", _("Opportunity won"))
OPPORTUNITY_LOST = declare("opportunity.lost", _("Opportunity lost"))
OPPORTUNITY_REOPENED = declare("opportunity.reopened", _("Opportunity reopened"))
LOST_REASON_CREATED = declare("lost_reason.created", _("Lost reason added"))
COMPETITOR_CREATED = declare("competitor.created", _("Competitor added"))
