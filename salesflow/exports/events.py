"""Exports' audit events (issue #15): every file that leaves the system, and the export requests' transitions."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

# One row per file produced: who, which list, the filters and the number of rows (at once or after approval).
EXPORT_DOWNLOADED = declare("export.downloaded", _("List exported"))
EXPORT_REQUESTED = declare("export.requested", _("Export approval requested"))
EXPORT_APPROVED = declare("export.approved", _("Export approved"))
EXPORT_RETURNED = declare("export.returned", _("Export request returned"))
