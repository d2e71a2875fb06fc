from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "salesflow.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from salesflow.core.scheduler import register as schedule

        from .registry import declare_document_type
        from .tasks import sweep_approval_deadlines

        schedule(300, sweep_approval_deadlines)  # overdue flags, reminders and escalation every 5 minutes

        # Documents the default policies name; their apps arrive with the order-to-cash issues.
        for document_type, label in [
            ("deals.contractapplication", _("Contract application")),
            ("deals.quotation", _("Quotation / bid")),
            ("fulfilment.productionnotice", _("Production notice")),
            ("fulfilment.deliverynote", _("Delivery note")),
            ("fulfilment.dispatchorder", _("Dispatch order")),
            ("finance.invoice", _("Invoice")),
            ("finance.commissionpayout", _("Commission payout")),
        ]:
            declare_document_type(document_type, label)
