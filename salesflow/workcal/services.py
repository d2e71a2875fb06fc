"""Every change to the working calendar: load a year from chinese-calendar, start one by hand, set or clear a day."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import chinese_calendar
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.audit.events import snapshot
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.org.roles import has_capability

from . import calendar, events
from . import error_codes as codes
from .models import MAX_YEAR, MIN_YEAR, CalendarDay, CalendarSource, CalendarYear

logger = logging.getLogger("salesflow.workcal")

YEAR_FIELDS = ["year", "source", "loaded_at", "loaded_by"]
DAY_FIELDS = ["date", "is_workday", "name", "source"]
NAME_MAX = CalendarDay._meta.get_field("name").max_length

# chinese_calendar names its holidays in English; the calendar stores the names people use here.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
WORKING_WEEKEND = "调休上班"


def _require(by) -> None:
    if not has_capability(by, "calendar.manage"):
        raise PermissionRefused()


def _check_year(year) -> int:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            {"year": [_("Enter a year between {first} and {last}.").format(first=MIN_YEAR, last=MAX_YEAR)]},
            code=codes.CALENDAR_YEAR_OUT_OF_RANGE)
    return year


@dataclass(frozen=True)
class KnownDay:
    date: dt.date
    is_workday: bool
    name: str


def chinese_calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def chinese_calendar_known_years() -> list[int]:
    """The years the installed chinese-calendar package has the official schedule for."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return sorted(y for y in years if MIN_YEAR <= y <= MAX_YEAR and chinese_calendar_knows(y))


def chinese_calendar_exceptions(year: int) -> list[KnownDay]:
    """The year's exceptions to Monday–Friday according to chinese-calendar; AppError if it does not know it."""
    if not chinese_calendar_knows(year):
        raise AppError(codes.CALENDAR_YEAR_UNKNOWN, _(
            "chinese-calendar does not know {year} yet; enter the holidays by hand.").format(year=year))
    days, day = [], dt.date(year, 1, 1)
    while day.year == year:
        weekday = day.weekday() < 5
        is_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        if weekday and is_holiday:
            days.append(KnownDay(day, False, HOLIDAY_NAMES.get(holiday, holiday or "")))
        elif not weekday and not is_holiday:
            reason = HOLIDAY_NAMES.get(holiday, holiday or "")
            days.append(KnownDay(day, True, f"{WORKING_WEEKEND} ({reason})" if reason else WORKING_WEEKEND))
        day += dt.timedelta(days=1)
    return days


def _changed(year: CalendarYear) -> None:
    # A new version tells every process's cached snapshot (calendar.py) that the calendar changed.
    year.version = uuid.uuid4()
    year.save(update_fields=["version"])
    transaction.on_commit(calendar.invalidate)


def _lock_year(year: int) -> CalendarYear | None:
    # The year row is the lock for its days: every writer takes it before touching them.
    return CalendarYear.objects.select_for_update(of=("self",)).filter(year=year).first()


def _load_year(*, by, year: int) -> tuple[CalendarYear, dict]:
    known = chinese_calendar_exceptions(year)  # refuses an unknown year before anything is written
    actor = by if getattr(by, "pk", None) else None
    cal_year = _lock_year(year)
    before = snapshot(cal_year, YEAR_FIELDS) if cal_year else None
    if cal_year is None:
        cal_year = _create_year(year=year, source=CalendarSource.CHINESE_CALENDAR, by=actor)
    days = CalendarDay.objects.filter(calendar_year=cal_year)
    days.filter(source=CalendarSource.CHINESE_CALENDAR).delete()
    # What an admin entered or changed by hand wins over the package.
    kept = set(days.values_list("date", flat=True))
    new = [d for d in known if d.date not in kept]
    CalendarDay.objects.bulk_create([
        CalendarDay(calendar_year=cal_year, date=d.date, is_workday=d.is_workday, name=d.name[:NAME_MAX],
                    source=CalendarSource.CHINESE_CALENDAR)
        for d in new
    ])
    cal_year.source = CalendarSource.CHINESE_CALENDAR
    cal_year.loaded_at = timezone.now()
    cal_year.loaded_by = actor
    cal_year.version = uuid.uuid4()
    cal_year.save(update_fields=["source", "loaded_at", "loaded_by", "version"])
    transaction.on_commit(calendar.invalidate)
    summary = {
        "holidays": sum(not d.is_workday for d in new),
        "working_weekends": sum(d.is_workday for d in new),
        "kept_manual": len(kept),
    }
    events.CALENDAR_YEAR_LOADED.record(by=by, obj=cal_year, before=before,
                                       after={**snapshot(cal_year, YEAR_FIELDS), **summary})
    return cal_year, summary


def _create_year(*, year: int, source: str, by) -> CalendarYear:
    try:
        with transaction.atomic():
            return CalendarYear.objects.create(year=year, source=source, loaded_by=by)
    except IntegrityError:
        # Another admin entered the same year a moment ago.
        raise Conflict(codes.CALENDAR_YEAR_EXISTS, _(
            "The working calendar for {year} has already been entered.").format(year=year)) from None


@transaction.atomic
def calendar_load_year(*, by, year: int) -> CalendarYear:
    """Load (or reload) a year from chinese-calendar.

    Idempotent: a reload replaces the days chinese-calendar supplied and keeps the ones entered by hand.
    """
    _require(by)
    _check_year(year)
    return _load_year(by=by, year=year)[0]


def calendar_load_known_years(*, by=None, years: list[int] | None = None, reload: bool = False) -> dict[int, str]:
    """Load every year chinese-calendar knows (default: 2020 to next year) — for setup scripts and the demo.

    ``by=None`` acts as the system (audit actor "system") and is the one place the capability check is skipped:
    it is meant for deployment and demo code, never for a request. Given a user, it checks calendar.manage.
    Years already entered are left alone unless ``reload``; a year chinese-calendar does not know is skipped
    with a warning, never an error. Returns {year: "loaded" | "entered" | "unknown"}; each year is its own
    transaction.
    """
    if by is not None:
        _require(by)
    if years is None:
        this_year = timezone.localdate().year
        years = list(range(2020, this_year + 2))
    entered = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    outcome: dict[int, str] = {}
    for year in sorted(set(years)):
        _check_year(year)
        if year in entered and not reload:
            outcome[year] = "entered"
        elif not chinese_calendar_knows(year):
            logger.warning("chinese-calendar does not know %s; enter that year's holidays by hand.", year)
            outcome[year] = "unknown"
        else:
            with transaction.atomic():
                _load_year(by=by, year=year)
            outcome[year] = "loaded"
    return outcome


@transaction.atomic
def calendar_start_manual_year(*, by, year: int) -> CalendarYear:
    """Enter a year by hand: it starts as Monday–Friday and the admin adds its holidays and 调休 days."""
    _require(by)
    _check_year(year)
    if CalendarYear.objects.filter(year=year).exists():
        raise Conflict(codes.CALENDAR_YEAR_EXISTS,
                       _("The working calendar for {year} has already been entered.").format(year=year))
    cal_year = _create_year(year=year, source=CalendarSource.MANUAL, by=by)
    transaction.on_commit(calendar.invalidate)
    events.CALENDAR_YEAR_STARTED.record(by=by, obj=cal_year,
                                        after=snapshot(cal_year, YEAR_FIELDS))
    return cal_year


def _entered_year(day: dt.date) -> CalendarYear:
    cal_year = _lock_year(day.year)
    if cal_year is None:
        raise AppError(codes.CALENDAR_YEAR_MISSING, _(
            "The working calendar for {year} has not been entered: load it from chinese-calendar or start it "
            "by hand first.").format(year=day.year))
    return cal_year


@transaction.atomic
def calendar_set_day(*, by, date: dt.date, is_workday: bool, name: str = "") -> CalendarDay:
    """Record (or change) an exception: a holiday on a weekday, or a working weekend day."""
    _require(by)
    _check_year(date.year)
    name = (name or "").strip()
    errors = {}
    if len(name) > NAME_MAX:
        errors["name"] = [_("Use at most {n} characters.").format(n=NAME_MAX)]
    # Only exceptions are stored: a weekday is already a working day, a weekend day already a rest day.
    if is_workday == (date.weekday() < 5):
        if is_workday:
            errors["is_workday"] = [_("{date} is a weekday and so already a working day.").format(
                date=date.isoformat())]
        else:
            errors["is_workday"] = [_("{date} is a weekend day and so already a rest day.").format(
                date=date.isoformat())]
    if errors:
        raise ValidationFailed(errors, code=codes.CALENDAR_DAY_NOT_EXCEPTION if "is_workday" in errors
                               else "validation_error")
    cal_year = _entered_year(date)
    day = CalendarDay.objects.filter(date=date).first()
    before = snapshot(day, DAY_FIELDS) if day else None
    if day is None:
        day = CalendarDay(calendar_year=cal_year, date=date)
    day.is_workday, day.name, day.source = is_workday, name, CalendarSource.MANUAL
    day.save()
    _changed(cal_year)
    events.CALENDAR_DAY_SET.record(by=by, obj=day, before=before,
                                   after=snapshot(day, DAY_FIELDS))
    return day


@transaction.atomic
def calendar_clear_day(*, by, date: dt.date) -> None:
    """Remove an exception: the date follows Monday–Friday again."""
    _require(by)
    cal_year = _lock_year(date.year)
    day = CalendarDay.objects.filter(date=date).first() if cal_year else None
    if day is None:
        raise NotFound(_("No exception is recorded for {date}.").format(date=date.isoformat()),
                       code=codes.CALENDAR_DAY_NOT_FOUND)
    events.CALENDAR_DAY_CLEARED.record(by=by, obj=day, before=snapshot(day, DAY_FIELDS))
    day.delete()
    _changed(cal_year)
