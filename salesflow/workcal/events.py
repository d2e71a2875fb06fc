"""The working calendar's audit events."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

CALENDAR_YEAR_LOADED = declare("calendar_year.loaded", _("Working calendar year loaded"))
CALENDAR_YEAR_STARTED = declare("calendar_year.started", _("Working calendar year started by hand"))
CALENDAR_DAY_SET = declare("calendar_day.set", _("Working calendar day set"))
CALENDAR_DAY_CLEARED = declare("calendar_day.cleared", _("Working calendar day reset"))
