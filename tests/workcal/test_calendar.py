"""Deadlines in working time on the real 2025 schedule (chinese-calendar), and the Monday–Friday fallback."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from salesflow.workcal import calendar
from salesflow.workcal.services import calendar_clear_day, calendar_set_day

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def end_of(y, m, d):
    return dt.datetime(y, m, d, 18, 0, tzinfo=SH)


# 2025-06-13 is an ordinary Friday; 06-16 Monday, 06-17 Tuesday.
@pytest.mark.parametrize(("start", "days", "deadline"), [
    (at(2025, 6, 13, 10), 0, end_of(2025, 6, 13)),   # Friday morning, same working day → Friday 18:00
    (at(2025, 6, 13, 19), 0, end_of(2025, 6, 16)),   # Friday after hours → Monday's end
    (at(2025, 6, 13, 18), 0, end_of(2025, 6, 16)),   # at 18:00 sharp the day is over
    (at(2025, 6, 13, 17, 59), 0, end_of(2025, 6, 13)),
    (at(2025, 6, 13, 10), 2, end_of(2025, 6, 17)),   # Friday + 2 working days → Tuesday
    (at(2025, 6, 13, 10), 1, end_of(2025, 6, 16)),
    (at(2025, 6, 14, 10), 0, end_of(2025, 6, 16)),   # Saturday → handled Monday
    (at(2025, 6, 15, 10), 1, end_of(2025, 6, 17)),   # Sunday + 1 → Tuesday
])
def test_deadlines_over_a_weekend(cal2025, start, days, deadline):
    assert calendar.add_working_days(start, days) == deadline


def test_deadline_over_national_day_2025(cal2025):
    # Holidays Oct 1–8; Sep 30 + 1 working day → Thursday Oct 9.
    assert calendar.add_working_days(at(2025, 9, 30), 1) == end_of(2025, 10, 9)
    assert calendar.add_working_days(at(2025, 9, 30), 0) == end_of(2025, 9, 30)
    assert calendar.add_working_days(at(2025, 10, 1), 0) == end_of(2025, 10, 9)
    # Oct 9 (Thu), Oct 10 (Fri), Oct 11 (Sat, 调休上班) are the 1st–3rd working days after Sep 30.
    assert calendar.add_working_days(at(2025, 9, 30), 3) == end_of(2025, 10, 11)
    assert calendar.next_workday(dt.date(2025, 9, 30)) == dt.date(2025, 10, 9)


def test_adjusted_working_days_count(cal2025):
    assert calendar.is_workday(dt.date(2025, 10, 11))  # Saturday, 调休上班
    assert calendar.is_workday(dt.date(2025, 9, 28))   # Sunday, 调休上班
    assert not calendar.is_workday(dt.date(2025, 10, 1))
    assert not calendar.is_workday(dt.date(2025, 10, 8))
    assert not calendar.is_workday(dt.date(2025, 10, 12))  # an ordinary Sunday
    # Friday Oct 10 after hours → the working Saturday.
    assert calendar.add_working_days(at(2025, 10, 10, 20), 0) == end_of(2025, 10, 11)


def test_deadline_is_aware_in_shanghai_time_whatever_the_input_zone(cal2025):
    start = dt.datetime(2025, 6, 13, 2, 0, tzinfo=dt.UTC)  # Friday 10:00 in Shanghai
    deadline = calendar.add_working_days(start, 0)
    assert deadline == end_of(2025, 6, 13)
    assert deadline.utcoffset() == dt.timedelta(hours=8)


def test_naive_and_negative_inputs_are_refused(cal2025):
    with pytest.raises(ValueError):
        calendar.add_working_days(dt.datetime(2025, 6, 13, 10), 0)  # noqa: DTZ001
    with pytest.raises(ValueError):
        calendar.add_working_days(at(2025, 6, 13), -1)


def test_workday_end_is_configurable(cal2025, settings):
    settings.WORKDAY_END = "17:30"
    assert calendar.add_working_days(at(2025, 6, 13, 17, 45), 0) == dt.datetime(2025, 6, 16, 17, 30, tzinfo=SH)
    assert calendar.working_day_end(dt.date(2025, 6, 13)) == dt.datetime(2025, 6, 13, 17, 30, tzinfo=SH)


def test_a_missing_year_falls_back_to_monday_to_friday(cal2025):
    # Nobody has entered 2099: its National Day is an ordinary Thursday, its weekends rest days.
    assert calendar.missing_years([2025, 2099]) == [2099]
    assert calendar.missing_years([]) == []
    assert calendar.is_workday(dt.date(2099, 10, 1))
    assert not calendar.is_workday(dt.date(2099, 10, 3))
    assert calendar.add_working_days(at(2099, 10, 2), 1) == end_of(2099, 10, 5)


def test_without_any_calendar_everything_is_monday_to_friday(db):
    assert calendar.missing_years([2025]) == [2025]
    assert calendar.is_workday(dt.date(2025, 10, 1))
    assert not calendar.is_workday(dt.date(2025, 10, 11))


def test_working_days_and_hours_between(cal2025):
    assert calendar.working_days_between(dt.date(2025, 9, 30), dt.date(2025, 10, 11)) == 3
    assert calendar.working_days_between(dt.date(2025, 10, 11), dt.date(2025, 10, 1)) == 0
    # Friday 16:00 → Monday 10:00: 2 h on Friday, 1 h on Monday (09:00–18:00 working hours).
    assert calendar.working_hours_between(at(2025, 6, 13, 16), at(2025, 6, 16, 10)) == dt.timedelta(hours=3)
    assert calendar.working_hours_between(at(2025, 6, 16, 10), at(2025, 6, 13, 16)) == dt.timedelta()


def test_an_edit_is_seen_at_once(org, cal2025):
    """The process-wide snapshot notices a change (a new version), even inside the same transaction."""
    assert calendar.is_workday(dt.date(2025, 6, 13))
    calendar_set_day(by=org.admin, date=dt.date(2025, 6, 13), is_workday=False, name="公司年假")
    assert not calendar.is_workday(dt.date(2025, 6, 13))
    assert calendar.add_working_days(at(2025, 6, 13, 10), 0) == end_of(2025, 6, 16)
    calendar_clear_day(by=org.admin, date=dt.date(2025, 6, 13))
    assert calendar.is_workday(dt.date(2025, 6, 13))


def test_snapshot_answers_without_queries(cal2025, django_assert_num_queries):
    with django_assert_num_queries(2):
        cal = calendar.snapshot()
    with django_assert_num_queries(0):
        assert cal.add_working_days(at(2025, 9, 30), 1) == end_of(2025, 10, 9)
    with django_assert_num_queries(1):  # only the version check once the snapshot is cached
        assert calendar.add_working_days(at(2025, 9, 30), 1) == end_of(2025, 10, 9)


def test_banner_years(time_machine, cal2025):
    time_machine.move_to(at(2025, 6, 1), tick=False)
    assert calendar.banner_years() == [2025]
    assert not calendar.current_year_missing()
    time_machine.move_to(at(2025, 12, 1, 0, 5), tick=False)
    assert calendar.banner_years() == [2025, 2026]
    assert calendar.current_year_missing()
    time_machine.move_to(at(2024, 3, 1), tick=False)
    assert calendar.current_year_missing()
