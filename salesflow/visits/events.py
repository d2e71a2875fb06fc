"""Visit plans and visit logs: their audit events."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

VISIT_PLAN_CREATED = declare("visit_plan.created", _("Visit plan created"))
VISIT_PLAN_ITEM_ADDED = declare("visit_plan.item_added", _("Planned visit added"))
VISIT_PLAN_ITEM_CHANGED = declare("visit_plan.item_changed", _("Planned visit changed"))
VISIT_PLAN_ITEM_REMOVED = declare("visit_plan.item_removed", _("Planned visit removed"))
VISIT_PLAN_SUBMITTED = declare("visit_plan.submitted", _("Visit plan submitted"))
VISIT_PLAN_PREPARED = declare("visit_plan.prepared", _("Visit plan prepared by the supervisor"))
VISIT_PLAN_APPROVED = declare("visit_plan.approved", _("Visit plan fixed by the manager"))
VISIT_PLAN_ADJUSTED = declare("visit_plan.adjusted", _("Visit plan adjusted by the manager"))
VISIT_PLAN_RETURNED = declare("visit_plan.returned", _("Visit plan sent back to the rep"))
VISIT_LOGGED = declare("visit.logged", _("Visit logged"))

# The daily work log (工作日志).
WORK_LOG_CREATED = declare("work_log.created", _("Work log started"))
WORK_LOG_CHANGED = declare("work_log.changed", _("Work log changed"))
WORK_LOG_SUBMITTED = declare("work_log.submitted", _("Work log handed in"))
WORK_LOG_REVIEWED = declare("work_log.reviewed", _("Work log reviewed"))
WORK_LOG_RETURNED = declare("work_log.returned", _("Work log sent back to the rep"))
