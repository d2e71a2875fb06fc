"""The discount request's audit events, on the document itself (the engine records its own on the approval
request)."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

DISCOUNT_CREATED = declare("discount.created", _("Discount request created"))
DISCOUNT_UPDATED = declare("discount.updated", _("Discount request updated"))
DISCOUNT_SUBMITTED = declare("discount.submitted", _("Discount request submitted for approval"))
DISCOUNT_APPROVED = declare("discount.approved", _("Discount request approved"))
DISCOUNT_RETURNED = declare("discount.returned", _("Discount request returned"))
DISCOUNT_REASSIGNED = declare("discount.reassigned", _("Discount request handed over with its customer"))
