import pytest

from salesflow.workcal import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Each test's data is rolled back; start every test without another test's snapshot (correctness does not
    # depend on this — the version check would reload — but it keeps failures local).
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def cal2025(org):
    from salesflow.workcal.services import calendar_load_year

    return calendar_load_year(by=org.admin, year=2025)
