from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "salesflow.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self):
        from salesflow.core.scheduler import register as schedule
        from salesflow.org.hooks import OWNER_UNIT_CHANGED, OWNERSHIP_TRANSFER

        from .services import leads_follow_owner_unit, leads_transfer_all
        from .tasks import sweep_overdue_leads

        OWNERSHIP_TRANSFER.register(leads_transfer_all)
        OWNER_UNIT_CHANGED.register(leads_follow_owner_unit)

        # Leads not contacted within the working-time limit go back to the pool (checked every 10 minutes).
        schedule(600, sweep_overdue_leads)
        # The customers' pool and its hourly sweep are the pool app's (salesflow/pool/apps.py).

        # The lead import: leads' handler in the import framework (salesflow/imports).
        from salesflow.imports.handlers import register as register_import

        from .imports import LeadImport

        register_import(LeadImport())

        # Seed 004's conversion rate in the deals' funnel: leads that became customers.
        from salesflow.deals.hooks import CUSTOMER_CONVERSIONS

        from .conversions import leads_converted

        CUSTOMER_CONVERSIONS.register(leads_converted)
