from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """The import framework: an upload's job, reading the file, the column mapping, the check → confirm state
    machine, progress, the pages and the worker tasks. Each kind of import (customers, leads, …) is a handler
    that its own app registers in its AppConfig.ready (see handlers.py)."""

    name = "salesflow.imports"
    label = "imports"
    verbose_name = _("Import")
