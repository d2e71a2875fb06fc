"""Working-time arithmetic on the working calendar (工作日历): the functions deadlines are computed with.

A date is a working day when the calendar stores an exception for it (holiday / 调休上班), otherwise exactly when
it falls Monday–Friday. A year nobody has entered is therefore Monday–Friday throughout: nobody's work is
blocked, and ``missing_years`` / ``current_year_missing`` let the pages warn the admin.

Times are in the company's local time (settings.TIME_ZONE, Asia/Shanghai). A working day runs from
settings.WORKDAY_START (default 09:00) to settings.WORKDAY_END (default 18:00); both accept a ``datetime.time``
or an "HH:MM" string.

Deadlines ("same working day", "within 2 working days"): a request is handled on its *effective day* — the day
it arrives if that is a working day and it arrives before the end of the working day, otherwise the next working
day (so a request at or after 18:00 on a Friday, or on a Saturday, is handled on Monday). The deadline of N
working days is the end of the Nth working day after the effective day; N=0 is the end of the effective day.

Caching: the exceptions of every entered year (a few hundred rows) are held in one process-wide snapshot. Each
public function checks it with one small query (the (year, version) pairs of CalendarYear; every service that
changes the calendar gives the year a new random version), so an edit is seen by every process on its next
call. To compute many deadlines without a query each, take ``cal = snapshot()`` once and call its methods.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

# Guards the loops below against a calendar an admin has turned into one long holiday.
_MAX_SCAN_DAYS = 3 * 366


def _setting_time(name: str, default: dt.time) -> dt.time:
    value = getattr(settings, name, default)
    if isinstance(value, str):
        return dt.time.fromisoformat(value)
    return value


def workday_start_time() -> dt.time:
    return _setting_time("WORKDAY_START", dt.time(9, 0))


def workday_end_time() -> dt.time:
    return _setting_time("WORKDAY_END", dt.time(18, 0))


def _tz():
    # The company's time zone, not the one a request may have activated for display.
    return timezone.get_default_timezone()


def _local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("Working-time arithmetic needs an aware datetime.")
    return moment.astimezone(_tz())


class CalendarError(RuntimeError):
    """The calendar has no working day within three years of a date: it was entered wrongly."""


@dataclass(frozen=True)
class WorkingCalendar:
    """An immutable view of the calendar: no queries, safe to share between threads."""

    exceptions: dict[dt.date, bool] = field(default_factory=dict)
    entered_years: frozenset[int] = frozenset()

    def is_workday(self, d: dt.date) -> bool:
        if isinstance(d, dt.datetime):
            d = _local(d).date()
        found = self.exceptions.get(d)
        if found is not None:
            return found
        return d.weekday() < 5

    def next_workday(self, d: dt.date) -> dt.date:
        """The first working day strictly after ``d``."""
        for offset in range(1, _MAX_SCAN_DAYS):
            candidate = d + dt.timedelta(days=offset)
            if self.is_workday(candidate):
                return candidate
        raise CalendarError(f"No working day within {_MAX_SCAN_DAYS} days after {d.isoformat()}.")

    def effective_day(self, moment: dt.datetime, cutoff: dt.time | None = None) -> dt.date:
        """The working day a request arriving at ``moment`` is handled on (see the module docstring); with a
        ``cutoff`` earlier than the end of the working day, arriving at or after it counts as the next day."""
        local = _local(moment)
        day = local.date()
        closes = min(cutoff, workday_end_time()) if cutoff is not None else workday_end_time()
        if self.is_workday(day) and local.time() < closes:
            return day
        return self.next_workday(day)

    def add_working_days(self, start: dt.datetime, days: int, cutoff: dt.time | None = None) -> dt.datetime:
        if days < 0:
            raise ValueError("days must be 0 or more.")
        day = self.effective_day(start, cutoff)
        for _ in range(days):
            day = self.next_workday(day)
        return working_day_end(day)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days lie in (start, end]; 0 when end <= start."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count

    def working_hours_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time (WORKDAY_START–WORKDAY_END on working days) between two moments; zero when b <= a."""
        a, b = _local(a), _local(b)
        total = dt.timedelta()
        if b <= a:
            return total
        day = a.date()
        while day <= b.date():
            if self.is_workday(day):
                opens = timezone.make_aware(dt.datetime.combine(day, workday_start_time()), _tz())
                closes = working_day_end(day)
                overlap = min(b, closes) - max(a, opens)
                if overlap > dt.timedelta():
                    total += overlap
            day += dt.timedelta(days=1)
        return total


_lock = threading.Lock()
_cached: tuple[frozenset, WorkingCalendar] | None = None


def _versions() -> frozenset:
    from .models import CalendarYear

    return frozenset(CalendarYear.objects.values_list("year", "version"))


def snapshot() -> WorkingCalendar:
    """The current calendar: one query to check the cache, a second one when the calendar has changed."""
    global _cached
    from .models import CalendarDay

    versions = _versions()
    cached = _cached
    if cached is not None and cached[0] == versions:
        return cached[1]
    exceptions = dict(CalendarDay.objects.values_list("date", "is_workday"))
    cal = WorkingCalendar(exceptions=exceptions, entered_years=frozenset(year for year, _ in versions))
    with _lock:
        _cached = (versions, cal)
    return cal


def invalidate() -> None:
    """Drop this process's snapshot (the services call it; other processes notice the new version)."""
    global _cached
    with _lock:
        _cached = None


# ── The public API: what approvals, lead-contact limits and deadline sweeps call ─────────────────────────────


def is_workday(d: dt.date) -> bool:
    """Whether ``d`` is a working day (a datetime is taken in the company's local time)."""
    return snapshot().is_workday(d)


def next_workday(d: dt.date) -> dt.date:
    """The first working day strictly after ``d``."""
    return snapshot().next_workday(d)


def working_day_end(d: dt.date) -> dt.datetime:
    """The end of the working day ``d`` (WORKDAY_END local time), aware. Does not check that ``d`` is a working day."""
    return timezone.make_aware(dt.datetime.combine(d, workday_end_time()), _tz())


def add_working_days(start: dt.datetime, days: int, cutoff: dt.time | None = None) -> dt.datetime:
    """The deadline ``days`` working days after ``start`` (aware): the end of that working day.

    ``days=0`` is "same working day": the end of ``start``'s day if it is a working day and ``start`` is before
    its end, else the end of the next working day. A request at or after WORKDAY_END counts as arriving on the
    next working day, so Friday 19:00 + 0 → Monday 18:00, and Friday 10:00 + 2 → Tuesday 18:00. A ``cutoff``
    (e.g. 16:00 for a same-day hand-off) moves that boundary earlier.
    """
    return snapshot().add_working_days(start, days, cutoff)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie in (start, end]: 0 when end <= start."""
    return snapshot().working_days_between(start, end)


def working_hours_between(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Working time between two aware moments, counting WORKDAY_START–WORKDAY_END on working days only."""
    return snapshot().working_hours_between(a, b)


def missing_years(years: Iterable[int]) -> list[int]:
    """The given years that have no entered calendar (sorted): they fall back to Monday–Friday."""
    from .models import CalendarYear

    wanted = set(years)
    if not wanted:
        return []
    entered = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return sorted(wanted - entered)


def banner_years(today: dt.date | None = None) -> list[int]:
    """The years the admin is warned about: this year, and from December 1st next year as well."""
    today = today or timezone.localdate(timezone=_tz())
    return [today.year, today.year + 1] if today.month == 12 else [today.year]


def missing_banner_years(today: dt.date | None = None) -> list[int]:
    return missing_years(banner_years(today))


def current_year_missing() -> bool:
    """Whether the calendar of this year (or, from December 1st, next year) has not been entered."""
    return bool(missing_banner_years())
