from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "salesflow.visits"
    label = "visits"
    verbose_name = _("Visits and follow-up")

    def ready(self):
        from salesflow.core import activity
        from salesflow.core.scheduler import register as schedule
        from salesflow.org.hooks import OWNER_UNIT_CHANGED

        from .selectors import activity_source
        from .services import plans_follow_owner_unit
        from .tasks import send_visit_reminders

        # Visits on the customer's and the opportunity's activity timeline.
        activity.SOURCES.register(activity_source)

        OWNER_UNIT_CHANGED.register(plans_follow_owner_unit)

        from salesflow.crm.hooks import CUSTOMER_OWNER_CHANGED

        from .services import planned_visits_follow_customer

        # Issue #15: the old owner's visits still to come to a customer that changed hands are cancelled.
        CUSTOMER_OWNER_CHANGED.register(planned_visits_follow_customer)
        # Morning reminders of planned visits and due follow-ups; each item is told once a day, so the
        # sweep may run as often as it likes (every 10 minutes, from any number of workers).
        schedule(600, send_visit_reminders)

        from salesflow.crm.hooks import CUSTOMER_PANELS
        from salesflow.deals.hooks import OPPORTUNITY_PANELS
        from salesflow.leads.hooks import LEAD_PANELS

        from .panels import customer_visits_panel, lead_log_visit_panel, opportunity_log_visit_panel

        # The visits card on the customer file; "Log visit" on the opportunity and the lead.
        CUSTOMER_PANELS.register(customer_visits_panel)
        OPPORTUNITY_PANELS.register(opportunity_log_visit_panel)
        LEAD_PANELS.register(lead_log_visit_panel)
