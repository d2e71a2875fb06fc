from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "salesflow.crm"
    label = "crm"
    verbose_name = _("Customers")

    def ready(self):
        from salesflow.org.hooks import OWNERSHIP_TRANSFER

        from .services import customers_transfer_all

        if customers_transfer_all not in OWNERSHIP_TRANSFER:
            OWNERSHIP_TRANSFER.append(customers_transfer_all)
