from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "salesflow.deals"
    label = "deals"
    verbose_name = _("Deals")

    def ready(self):
        from .approval import register_documents

        register_documents()
