"""The working calendar: statutory holidays and 调休, kept by the administrator (calendar.manage).
{year} is a year entered by hand with one exception, {day}; {new_year} is a year not entered yet, {known_year}
one that chinese-calendar knows."""

from __future__ import annotations

import datetime as dt

from .base import row

ADMIN = {"admin"}


def build(world, ids):
    from salesflow.workcal import services

    services.calendar_start_manual_year(by=world.admin, year=2030)
    services.calendar_set_day(by=world.admin, date=dt.date(2030, 10, 1), is_workday=False, name="国庆节")
    return {"year": 2030, "day": "2030-10-01", "new_year": 2031, "known_year": 2025}


ROWS = [
    row("calendar_years", "get", "/calendar/", ADMIN),
    row("calendar_year", "get", "/calendar/{year}/", ADMIN),
    row("calendar_year_load", "post", "/calendar/{known_year}/load/", ADMIN, 302),
    row("calendar_year_start", "post", "/calendar/{new_year}/start/", ADMIN, 302),
    row("calendar_day_clear", "post", "/calendar/{year}/days/{day}/clear/", ADMIN, 302),
]
