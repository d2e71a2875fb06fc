from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "salesflow.crm"
    label = "crm"
    verbose_name = _("Customers")

    def ready(self):
        from salesflow.org.hooks import OWNER_UNIT_CHANGED, OWNERSHIP_TRANSFER

        from .services import customers_follow_owner_unit, customers_transfer_all

        OWNERSHIP_TRANSFER.register(customers_transfer_all)
        OWNER_UNIT_CHANGED.register(customers_follow_owner_unit)

        # The customer import: crm's handler in the import framework (salesflow/imports).
        from salesflow.imports.handlers import register as register_import

        from .imports import CustomerImport

        register_import(CustomerImport())

        # The customer list's export: audited, approval above the row limit (issue #15, salesflow/exports).
        from .exports import register_export

        register_export()
