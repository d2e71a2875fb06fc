"""The calendar pages (admin only) and the missing-year banner on every page."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from salesflow.workcal.context_processors import calendar_warning
from salesflow.workcal.models import CalendarDay, CalendarYear
from salesflow.workcal.services import calendar_load_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def june_2025(time_machine):
    time_machine.move_to(dt.datetime(2025, 6, 1, 4, tzinfo=dt.UTC), tick=False)


PAGES = [
    ("get", lambda: reverse("workcal:year_list")),
    ("get", lambda: reverse("workcal:year_detail", args=[2025])),
    ("post", lambda: reverse("workcal:year_detail", args=[2025])),
    ("post", lambda: reverse("workcal:year_load", args=[2025])),
    ("post", lambda: reverse("workcal:year_start", args=[2099])),
    ("post", lambda: reverse("workcal:day_clear", args=[2025, "2025-10-01"])),
]


@pytest.mark.parametrize(("method", "url"), PAGES)
@pytest.mark.parametrize("who", ["rep", "manager", "director", "gm", "planner"])
def test_pages_refuse_everyone_but_calendar_managers(org, client_for, method, url, who):
    calendar_load_year(by=org.admin, year=2025)
    response = getattr(client_for(getattr(org, who)), method)(
        url(), {"date": "2025-06-13", "is_workday": "0", "name": "x"})
    assert response.status_code == 403
    assert CalendarDay.objects.filter(date=dt.date(2025, 10, 1)).exists()
    assert not CalendarDay.objects.filter(date=dt.date(2025, 6, 13)).exists()
    assert not CalendarYear.objects.filter(year=2099).exists()


def test_anonymous_is_sent_to_sign_in(client_for):
    response = client_for(None).get(reverse("workcal:year_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_admin_loads_edits_and_clears_a_year(org, client_for, june_2025):
    c = client_for(org.admin)
    page = c.get(reverse("workcal:year_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-year="2025"' in html and 'data-year="2026"' in html and "Load from chinese-calendar" in html

    response = c.post(reverse("workcal:year_load", args=[2025]))
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2025, source="chinese_calendar").exists()
    detail = c.get(reverse("workcal:year_detail", args=[2025])).content.decode()
    assert 'data-date="2025-10-11"' in detail and "调休上班 (国庆节)" in detail

    response = c.post(reverse("workcal:year_detail", args=[2025]),
                      {"date": "2025-06-13", "is_workday": "0", "name": "公司年假"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=dt.date(2025, 6, 13)).name == "公司年假"

    # Edit form pre-filled from ?date=
    edit = c.get(reverse("workcal:year_detail", args=[2025]) + "?date=2025-06-13").content.decode()
    assert 'value="公司年假"' in edit

    # A weekday marked as a working day is not an exception: the form shows the service's error.
    response = c.post(reverse("workcal:year_detail", args=[2025]),
                      {"date": "2025-06-12", "is_workday": "1", "name": ""})
    assert response.status_code == 200 and "already a working day" in response.content.decode()
    response = c.post(reverse("workcal:year_detail", args=[2025]),
                      {"date": "2024-06-12", "is_workday": "0", "name": ""})
    assert response.status_code == 200 and "Choose a date in 2025." in response.content.decode()

    response = c.post(reverse("workcal:day_clear", args=[2025, "2025-06-13"]))
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=dt.date(2025, 6, 13)).exists()
    assert c.post(reverse("workcal:day_clear", args=[2025, "2025-06-13"])).status_code == 404
    assert c.post(reverse("workcal:day_clear", args=[2025, "not-a-date"])).status_code == 404


def test_admin_unknown_year_and_manual_start(org, client_for):
    c = client_for(org.admin)
    detail = c.get(reverse("workcal:year_detail", args=[2099])).content.decode()
    assert 'data-testid="year-missing"' in detail and "does not know 2099 yet" in detail
    response = c.post(reverse("workcal:year_load", args=[2099]), follow=True)
    assert "chinese-calendar does not know 2099 yet; enter the holidays by hand." in response.content.decode()
    assert not CalendarYear.objects.filter(year=2099).exists()
    c.post(reverse("workcal:year_start", args=[2099]))
    assert CalendarYear.objects.get(year=2099).source == "manual"
    assert c.get(reverse("workcal:year_list") + "?year=2099").url == reverse("workcal:year_detail", args=[2099])
    assert c.get(reverse("workcal:year_detail", args=[1900])).status_code == 404


def test_banner_warns_the_admin_on_every_page_until_the_year_is_entered(org, client_for, june_2025):
    admin, rep = client_for(org.admin), client_for(org.rep)
    for url in (reverse("home"), reverse("org:user_list"), reverse("workcal:year_list")):
        html = admin.get(url).content.decode()
        assert 'data-testid="calendar-warning"' in html, url
        assert "The working calendar for 2025 is missing" in html
    assert 'data-testid="calendar-warning"' not in rep.get(reverse("home")).content.decode()
    calendar_load_year(by=org.admin, year=2025)
    assert 'data-testid="calendar-warning"' not in admin.get(reverse("home")).content.decode()


def test_banner_from_december_names_next_year(org, client_for, time_machine):
    calendar_load_year(by=org.admin, year=2025)
    time_machine.move_to(dt.datetime(2025, 12, 1, 1, tzinfo=dt.UTC), tick=False)  # 09:00 in Shanghai
    html = client_for(org.admin).get(reverse("home")).content.decode()
    assert "The working calendar for 2026 is missing" in html
    calendar_load_year(by=org.admin, year=2026)
    assert 'data-testid="calendar-warning"' not in client_for(org.admin).get(reverse("home")).content.decode()


def test_banner_costs_one_query_per_request(org, june_2025, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = org.admin
    with django_assert_num_queries(1):
        assert calendar_warning(request) == {"calendar_missing_years": [2025]}
        assert calendar_warning(request) == {"calendar_missing_years": [2025]}
    request.user = org.rep
    with django_assert_num_queries(0):
        assert calendar_warning(request) == {}


def test_navigation_entry_only_for_admin(org, client_for):
    assert reverse("workcal:year_list") in client_for(org.admin).get(reverse("home")).content.decode()
    assert reverse("workcal:year_list") not in client_for(org.rep).get(reverse("home")).content.decode()
