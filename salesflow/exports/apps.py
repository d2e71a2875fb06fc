from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "salesflow.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self):
        from . import events  # noqa: F401  (declare the audit events)
        from .approval import register_documents

        register_documents()
