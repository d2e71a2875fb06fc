from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NumberingConfig(AppConfig):
    name = "salesflow.numbering"
    label = "numbering"
    verbose_name = _("Document numbers")

    def ready(self):
        from . import checks  # noqa: F401 — registers the check of the NUMBERING setting
