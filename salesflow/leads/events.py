"""Leads' audit events: the lead's way (created, screened, assigned, claimed, released, contacted, converted),
the import, and the scoring and territory rules."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

LEAD_CREATED = declare("lead.created", _("Lead created"))
LEAD_SCREENED = declare("lead.screened", _("Lead screened"))
LEAD_ASSIGNED = declare("lead.assigned", _("Lead assigned"))
LEAD_REASSIGNED = declare("lead.reassigned", _("Lead handed over (previous owner deactivated)"))
LEAD_CLAIMED = declare("lead.claimed", _("Lead claimed from the pool"))
LEAD_RELEASED = declare("lead.released", _("Lead returned to the pool"))
LEAD_RETURNED_OVERDUE = declare("lead.returned_overdue", _("Lead returned to the pool: not contacted in time"))
LEAD_CONTACTED = declare("lead.contacted", _("Lead contacted"))
LEAD_CONVERTED = declare("lead.converted", _("Lead converted"))
LEAD_IMPORT_FINISHED = declare("lead.import_finished", _("Lead import finished"))
# No longer written (one event per import since the 50,000-row import); declared so stored rows keep their label.
LEAD_IMPORTED = declare("lead.imported", _("Lead imported"))

LEAD_SCORING_SAVED = declare("lead_scoring.saved", _("Lead scoring rules changed"))
LEAD_RULE_CREATED = declare("lead_rule.created", _("Territory rule created"))
LEAD_RULE_UPDATED = declare("lead_rule.updated", _("Territory rule changed"))
LEAD_RULE_ACTIVATED = declare("lead_rule.activated", _("Territory rule activated"))
LEAD_RULE_DEACTIVATED = declare("lead_rule.deactivated", _("Territory rule deactivated"))
LEAD_RULE_REORDERED = declare("lead_rule.reordered", _("Territory rules reordered"))
