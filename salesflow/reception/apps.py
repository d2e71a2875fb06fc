from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "salesflow.reception"
    label = "reception"
    verbose_name = _("Reception and prospects")

    def ready(self):
        from salesflow.deals import services as deals
        from salesflow.org.hooks import OWNER_UNIT_CHANGED, OWNERSHIP_TRANSFER

        from .services import (
            prospects_on_opportunity_won,
            reception_follow_owner_unit,
            reception_transfer_all,
        )

        # R15: when a customer's opportunity is won, its prospect files pass to customer service.
        if prospects_on_opportunity_won not in deals.ON_OPPORTUNITY_WON:
            deals.ON_OPPORTUNITY_WON.append(prospects_on_opportunity_won)
        if reception_transfer_all not in OWNERSHIP_TRANSFER:
            OWNERSHIP_TRANSFER.append(reception_transfer_all)
        if reception_follow_owner_unit not in OWNER_UNIT_CHANGED:
            OWNER_UNIT_CHANGED.append(reception_follow_owner_unit)

        from salesflow.core import activity

        from .selectors import activity_source

        activity.register(activity_source)
