"""The approval engine's audit events, recorded on the approval request (and on policies and delegations)."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

APPROVAL_SUBMITTED = declare("approval.submitted", _("Submitted for approval"))
APPROVAL_RESUBMITTED = declare("approval.resubmitted", _("Resubmitted for approval"))
APPROVAL_APPROVED = declare("approval.approved", _("Approved a stage"))
APPROVAL_REJECTED = declare("approval.rejected", _("Rejected"))
APPROVAL_OPINION = declare("approval.opinion", _("Gave an opinion"))
APPROVAL_BY_SUBMISSION = declare("approval.by_submission", _("Stage decided by submitting"))
APPROVAL_COMPLETED = declare("approval.completed", _("Approval completed"))
APPROVAL_WITHDRAWN = declare("approval.withdrawn", _("Withdrawn by the requester"))
APPROVAL_OVERDUE = declare("approval.overdue", _("Approval overdue"))
APPROVAL_ESCALATED = declare("approval.escalated", _("Approval escalated"))
APPROVAL_POLICY_SAVED = declare("approval_policy.saved", _("Approval policy saved"))
DELEGATION_CREATED = declare("delegation.created", _("Delegation created"))
DELEGATION_ENDED = declare("delegation.ended", _("Delegation ended"))
