"""Reads of the working calendar for its pages (the calendar is company-wide: no per-user data scope)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from salesflow.core.errors import PermissionRefused
from salesflow.org.roles import has_capability

from .models import CalendarDay, CalendarYear
from .services import chinese_calendar_known_years


@dataclass(frozen=True)
class YearRow:
    year: int
    entry: CalendarYear | None
    holidays: int
    working_weekends: int
    known_to_package: bool

    @property
    def entered(self) -> bool:
        return self.entry is not None


def _require(user) -> None:
    if not has_capability(user, "calendar.manage"):
        raise PermissionRefused()


def calendar_year_list(*, user) -> list[YearRow]:
    """Every entered year, plus last year to next year whether entered or not (newest first)."""
    _require(user)
    entries = {
        y.year: y for y in CalendarYear.objects.select_related("loaded_by").annotate(
            n_holidays=Count("days", filter=Q(days__is_workday=False)),
            n_working_weekends=Count("days", filter=Q(days__is_workday=True)),
        )
    }
    this_year = timezone.localdate().year
    known = set(chinese_calendar_known_years())
    years = sorted(set(entries) | {this_year - 1, this_year, this_year + 1}, reverse=True)
    return [
        YearRow(year=y, entry=entries.get(y), holidays=getattr(entries.get(y), "n_holidays", 0),
                working_weekends=getattr(entries.get(y), "n_working_weekends", 0), known_to_package=y in known)
        for y in years
    ]


def calendar_year_get(*, user, year: int) -> tuple[CalendarYear | None, list[CalendarDay]]:
    _require(user)
    entry = CalendarYear.objects.select_related("loaded_by").filter(year=year).first()
    days = list(CalendarDay.objects.filter(calendar_year=entry)) if entry else []
    return entry, days
