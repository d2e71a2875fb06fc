from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "salesflow.reception"
    label = "reception"
    verbose_name = _("Reception and prospects")

    def ready(self):
        from salesflow.deals.hooks import OPPORTUNITY_WON
        from salesflow.org.hooks import OWNER_UNIT_CHANGED, OWNERSHIP_TRANSFER

        from .services import (
            prospects_on_opportunity_won,
            reception_follow_owner_unit,
            reception_transfer_all,
        )

        # R15: when a customer's opportunity is won, its prospect files pass to customer service.
        OPPORTUNITY_WON.register(prospects_on_opportunity_won)
        # Seed 004's conversion rate in the deals' funnel: prospects that became customers.
        from salesflow.deals.hooks import CUSTOMER_CONVERSIONS

        from .conversions import prospects_converted

        CUSTOMER_CONVERSIONS.register(prospects_converted)
        OWNERSHIP_TRANSFER.register(reception_transfer_all)
        OWNER_UNIT_CHANGED.register(reception_follow_owner_unit)

        from salesflow.core import activity

        from .selectors import activity_source

        activity.SOURCES.register(activity_source)

        from salesflow.crm.hooks import CUSTOMER_PANELS

        from .panels import customer_reception_panel

        # The customer's reception records on the customer file.
        CUSTOMER_PANELS.register(customer_reception_panel)

        # The records list's export: audited, approval above the row limit (issue #15, salesflow/exports).
        from .exports import register_export

        register_export()
