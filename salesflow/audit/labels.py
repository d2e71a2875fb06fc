from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "customer.created": _("Customer created"),
    "customer.updated": _("Customer updated"),
    "customer.archived": _("Customer archived"),
    "customer.restored": _("Customer restored"),
    "customer.reassigned": _("Customer reassigned"),
    "customer.imported": _("Customer imported"),
    "customer.import_finished": _("Customer import finished"),
    "customer.phones_revealed": _("Full phone numbers shown"),
    "contact.added": _("Contact added"),
    "contact.updated": _("Contact updated"),
    "contact.removed": _("Contact removed"),
    "customer_group.created": _("Customer group created"),
    "org_unit.created": _("Unit created"),
    "org_unit.updated": _("Unit updated"),
    "user.created": _("User created"),
    "user.updated": _("User updated"),
    "user.deactivated": _("User deactivated"),
    "user.reactivated": _("User reactivated"),
    "user.password_changed": _("Password changed"),
    "user.language_changed": _("Language changed"),
    "user.login_failed": _("Failed sign-in"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "approval.submitted": _("Submitted for approval"),
    "approval.resubmitted": _("Resubmitted for approval"),
    "approval.approved": _("Approved a stage"),
    "approval.rejected": _("Rejected"),
    "approval.completed": _("Approval completed"),
    "approval.withdrawn": _("Withdrawn by the requester"),
    "approval.overdue": _("Approval overdue"),
    "approval.escalated": _("Approval escalated"),
    "approval_policy.saved": _("Approval policy saved"),
    "delegation.created": _("Delegation created"),
    "delegation.ended": _("Delegation ended"),
    "discount.created": _("Discount request created"),
    "discount.updated": _("Discount request updated"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
