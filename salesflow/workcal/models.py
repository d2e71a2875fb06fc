"""The working calendar (工作日历): which years are entered, and the days that break the Monday–Friday rule.

Only exceptions are stored — a public holiday on a weekday (is_workday=False) and an adjusted working weekend
day (调休上班, is_workday=True). Every other date is a working day exactly when it falls Monday–Friday, and a
year without a CalendarYear row is Monday–Friday throughout (the pages warn the admin about it).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Years a calendar may be entered for: wide enough for any business date, narrow enough to catch typos.
MIN_YEAR = 2000
MAX_YEAR = 2100


class CalendarSource(models.TextChoices):
    CHINESE_CALENDAR = "chinese_calendar", _("chinese-calendar package")
    MANUAL = "manual", _("Entered by hand")


class CalendarYear(models.Model):
    """A year whose holidays have been entered; its absence means 'Monday–Friday, warn the admin'."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=32, choices=CalendarSource.choices)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Replaced by every change to the year or its days: calendar.py compares the set of (year, version) pairs
    # with the one its process-wide cache was built from, so every process sees an edit on its next call.
    version = models.UUIDField(_("calendar version"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="workcal_year_in_range"),
        ]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """One exception to Monday–Friday: a holiday on a weekday, or a working weekend day (调休)."""

    calendar_year = models.ForeignKey(CalendarYear, verbose_name=_("calendar year"), on_delete=models.CASCADE,
                                      related_name="days")
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=64, blank=True)
    # A reload from chinese-calendar replaces its own days and keeps the ones an admin entered or changed.
    source = models.CharField(_("source"), max_length=32, choices=CalendarSource.choices)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date.isoformat()} {self.name}".strip()
