from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "salesflow.deals"
    label = "deals"
    verbose_name = _("Deals")

    def ready(self):
        from salesflow.org.hooks import OWNER_UNIT_CHANGED, OWNERSHIP_TRANSFER

        from .discounts.approval import register_documents
        from .services import opportunities_follow_owner_unit, opportunities_transfer_all

        register_documents()
        OWNERSHIP_TRANSFER.register(opportunities_transfer_all)

        from salesflow.crm.hooks import CUSTOMER_OWNER_CHANGED

        from .discounts.services import discounts_follow_customer
        from .services import opportunities_follow_customer

        # Issue #15: open deals and draft discount requests follow their customer to its new owner.
        CUSTOMER_OWNER_CHANGED.register(opportunities_follow_customer)
        CUSTOMER_OWNER_CHANGED.register(discounts_follow_customer)
        OWNER_UNIT_CHANGED.register(opportunities_follow_owner_unit)

        from salesflow.core import activity

        from .activity import stage_changes

        activity.SOURCES.register(stage_changes)

        from salesflow.crm.hooks import CUSTOMER_PANELS

        from .panels import customer_deals_panel

        # "New opportunity", "Opportunities" and "Request a discount" on the customer file.
        CUSTOMER_PANELS.register(customer_deals_panel)
