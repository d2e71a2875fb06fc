from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    """The public pool (公海) of leads and customers: its policy per unit, who sees and claims what waits there,
    and the customers' pool (claim, release, assignment, the automatic return)."""

    name = "salesflow.pool"
    label = "pool"
    verbose_name = _("Public pool")

    def ready(self):
        from salesflow.core.scheduler import register as schedule
        from salesflow.crm.hooks import CUSTOMER_FROM_POOL

        from .services import customer_cap_on_leaving_pool
        from .tasks import sweep_customer_pool

        # Whoever gets a customer out of the pool (claim, or an assignment from anywhere) is held to the cap.
        CUSTOMER_FROM_POOL.register(customer_cap_on_leaving_pool)
        # Customers without follow-up or deal for too long: warned, then back to the pool (days: hourly is enough).
        schedule(3600, sweep_customer_pool)

        from salesflow.crm.hooks import CUSTOMER_PANELS

        from .panels import customer_pool_panel

        # The pool status and the claim / assign / release forms on the customer file.
        CUSTOMER_PANELS.register(customer_pool_panel)
