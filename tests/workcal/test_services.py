"""The calendar services: load from chinese-calendar, enter by hand, set and clear days — permission, audit,
idempotency and the refusals."""

import datetime as dt

import pytest
from django.core.management import call_command

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.workcal import calendar
from salesflow.workcal.models import CalendarDay, CalendarSource, CalendarYear
from salesflow.workcal.services import (
    calendar_clear_day,
    calendar_load_known_years,
    calendar_load_year,
    calendar_set_day,
    calendar_start_manual_year,
)

pytestmark = pytest.mark.django_db


def days_of(year):
    return {d.date: (d.is_workday, d.name, d.source) for d in CalendarDay.objects.filter(calendar_year__year=year)}


def test_load_year_stores_only_the_exceptions(org):
    year = calendar_load_year(by=org.admin, year=2025)
    assert year.source == CalendarSource.CHINESE_CALENDAR and year.loaded_by == org.admin
    days = days_of(2025)
    assert days[dt.date(2025, 10, 1)] == (False, "国庆节", "chinese_calendar")
    assert days[dt.date(2025, 10, 11)] == (True, "调休上班 (国庆节)", "chinese_calendar")
    assert days[dt.date(2025, 9, 28)][0] is True
    # Holidays that fall on a weekend are rest days anyway: not stored.
    assert dt.date(2025, 10, 4) not in days and dt.date(2025, 10, 5) not in days
    assert all((d.weekday() < 5) != is_workday for d, (is_workday, _, _) in days.items())
    event = AuditEvent.objects.get(action="calendar_year.loaded")
    assert event.actor == org.admin and event.after["holidays"] == 18 and event.after["working_weekends"] == 5


def test_load_year_is_idempotent_and_keeps_manual_days(org):
    calendar_load_year(by=org.admin, year=2025)
    first = days_of(2025)
    calendar_load_year(by=org.admin, year=2025)
    assert days_of(2025) == first
    assert CalendarYear.objects.filter(year=2025).count() == 1
    # An admin's own day (a company holiday) and an admin's change to a package day survive a reload.
    calendar_set_day(by=org.admin, date=dt.date(2025, 6, 13), is_workday=False, name="公司年假")
    calendar_set_day(by=org.admin, date=dt.date(2025, 10, 11), is_workday=True, name="调休上班")
    calendar_load_year(by=org.admin, year=2025)
    days = days_of(2025)
    assert days[dt.date(2025, 6, 13)] == (False, "公司年假", "manual")
    assert days[dt.date(2025, 10, 11)] == (True, "调休上班", "manual")
    assert len(days) == len(first) + 1
    assert AuditEvent.objects.filter(action="calendar_year.loaded").first().after["kept_manual"] == 2


def test_unknown_year_is_refused_with_a_clear_error(org):
    with pytest.raises(AppError) as exc:
        calendar_load_year(by=org.admin, year=2099)
    assert exc.value.code == "calendar_year_unknown"
    assert str(exc.value.message) == "chinese-calendar does not know 2099 yet; enter the holidays by hand."
    assert not CalendarYear.objects.exists() and not AuditEvent.objects.filter(action__startswith="calendar").exists()


def test_year_out_of_range_is_refused(org):
    with pytest.raises(ValidationFailed) as exc:
        calendar_start_manual_year(by=org.admin, year=1066)
    assert exc.value.code == "calendar_year_out_of_range"


@pytest.mark.parametrize("who", ["rep", "manager", "director", "gm", "planner"])
def test_only_calendar_managers_change_the_calendar(org, who):
    user = getattr(org, who)
    calendar_load_year(by=org.admin, year=2025)
    with pytest.raises(PermissionRefused):
        calendar_load_year(by=user, year=2025)
    with pytest.raises(PermissionRefused):
        calendar_start_manual_year(by=user, year=2099)
    with pytest.raises(PermissionRefused):
        calendar_set_day(by=user, date=dt.date(2025, 6, 13), is_workday=False, name="x")
    with pytest.raises(PermissionRefused):
        calendar_clear_day(by=user, date=dt.date(2025, 10, 1))
    with pytest.raises(PermissionRefused):
        calendar_load_known_years(by=user, years=[2024])
    assert not CalendarYear.objects.filter(year__in=[2024, 2099]).exists()
    assert CalendarDay.objects.filter(date=dt.date(2025, 10, 1)).exists()


def test_manual_year(org):
    year = calendar_start_manual_year(by=org.admin, year=2099)
    assert year.source == CalendarSource.MANUAL and calendar.missing_years([2099]) == []
    with pytest.raises(Conflict):
        calendar_start_manual_year(by=org.admin, year=2099)
    calendar_set_day(by=org.admin, date=dt.date(2099, 10, 1), is_workday=False, name="国庆节")
    calendar_set_day(by=org.admin, date=dt.date(2099, 10, 10), is_workday=True, name="调休上班 (国庆节)")
    assert not calendar.is_workday(dt.date(2099, 10, 1))
    assert calendar.is_workday(dt.date(2099, 10, 10))
    # Change a day in place.
    calendar_set_day(by=org.admin, date=dt.date(2099, 10, 1), is_workday=False, name="国庆节（法定）")
    assert days_of(2099)[dt.date(2099, 10, 1)] == (False, "国庆节（法定）", "manual")
    event = AuditEvent.objects.filter(action="calendar_day.set").first()  # newest first
    assert event.before["name"] == "国庆节" and event.after["name"] == "国庆节（法定）"
    calendar_clear_day(by=org.admin, date=dt.date(2099, 10, 1))
    assert calendar.is_workday(dt.date(2099, 10, 1))
    assert AuditEvent.objects.filter(action="calendar_day.cleared").get().before["date"] == "2099-10-01"
    with pytest.raises(NotFound):
        calendar_clear_day(by=org.admin, date=dt.date(2099, 10, 1))


def test_set_day_refuses_non_exceptions_and_missing_years(org):
    calendar_start_manual_year(by=org.admin, year=2099)
    with pytest.raises(ValidationFailed) as exc:
        calendar_set_day(by=org.admin, date=dt.date(2099, 10, 3), is_workday=False, name="")  # a Saturday
    assert exc.value.code == "calendar_day_not_exception" and "is_workday" in exc.value.fields
    with pytest.raises(ValidationFailed):
        calendar_set_day(by=org.admin, date=dt.date(2099, 10, 1), is_workday=True, name="")  # a Thursday
    with pytest.raises(ValidationFailed) as exc:
        calendar_set_day(by=org.admin, date=dt.date(2099, 10, 1), is_workday=False, name="长" * 65)
    assert "name" in exc.value.fields
    with pytest.raises(AppError) as exc:
        calendar_set_day(by=org.admin, date=dt.date(2098, 10, 1), is_workday=False, name="国庆节")
    assert exc.value.code == "calendar_year_missing"
    assert not CalendarDay.objects.exists()


def test_load_known_years_as_the_system(db):
    outcome = calendar_load_known_years(years=[2024, 2025, 2099])
    assert outcome == {2024: "loaded", 2025: "loaded", 2099: "unknown"}
    assert AuditEvent.objects.filter(action="calendar_year.loaded", actor=None, actor_name="system").count() == 2
    # Idempotent: entered years are left alone unless reload.
    assert calendar_load_known_years(years=[2024, 2025]) == {2024: "entered", 2025: "entered"}
    assert calendar_load_known_years(years=[2025], reload=True) == {2025: "loaded"}
    assert AuditEvent.objects.filter(action="calendar_year.loaded").count() == 3


def test_load_known_years_default_range(db, time_machine):
    time_machine.move_to(dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC), tick=False)
    outcome = calendar_load_known_years()
    assert list(outcome) == [2020, 2021, 2022, 2023, 2024, 2025, 2026]
    assert set(outcome.values()) == {"loaded"}


def test_load_calendar_command_warns_for_unknown_years(db, capsys):
    call_command("load_calendar", "2025", "2099")
    out, err = capsys.readouterr()
    assert "2025: loaded" in out
    assert "2099: chinese-calendar does not know this year yet" in err
    assert calendar.missing_years([2025, 2099]) == [2099]
    call_command("load_calendar", "2025")
    assert "already entered" in capsys.readouterr().out
