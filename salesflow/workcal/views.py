import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError
from salesflow.core.pages import form_errors, page_view
from salesflow.org.roles import has_capability

from . import selectors, services
from .forms import DayForm, YearForm
from .models import MAX_YEAR, MIN_YEAR
from .services import chinese_calendar_knows


def _require_manager(request):
    if not has_capability(request.user, "calendar.manage"):
        raise PermissionDenied


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404


def _refused(request, exc: AppError) -> None:
    details = " ".join(str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms]))
    messages.error(request, f"{exc.message} {details}".strip())


@page_view
def year_list(request):
    _require_manager(request)
    form = YearForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("workcal:year_detail", year=form.cleaned_data["year"])
    return render(request, "workcal/year_list.html", {
        "rows": selectors.calendar_year_list(user=request.user), "year_form": form})


@page_view
def year_detail(request, year: int):
    _require_manager(request)
    _check_year(year)
    entry, days = selectors.calendar_year_get(user=request.user, year=year)
    initial = {}
    edit = request.GET.get("date")
    if edit:
        chosen = next((d for d in days if d.date.isoformat() == edit), None)
        if chosen:
            initial = {"date": chosen.date, "is_workday": "1" if chosen.is_workday else "0", "name": chosen.name}
    form = DayForm(request.POST or None, initial=initial)
    if request.method == "POST" and entry and form.is_valid():
        data = form.cleaned_data
        if data["date"].year != year:
            form.add_error("date", _("Choose a date in {year}.").format(year=year))
        else:
            try:
                services.calendar_set_day(by=request.user, **data)
            except AppError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("{date} saved.").format(date=data["date"].isoformat()))
                return redirect("workcal:year_detail", year=year)
    return render(request, "workcal/year_detail.html", {
        "year": year, "entry": entry, "days": days, "form": form, "known_to_package": chinese_calendar_knows(year),
        "editing": bool(initial)})


@require_POST
@page_view
def year_load(request, year: int):
    _require_manager(request)
    _check_year(year)
    try:
        services.calendar_load_year(by=request.user, year=year)
    except AppError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The working calendar for {year} was loaded from chinese-calendar.").format(
            year=year))
    return redirect("workcal:year_detail", year=year)


@require_POST
@page_view
def year_start(request, year: int):
    _require_manager(request)
    _check_year(year)
    try:
        services.calendar_start_manual_year(by=request.user, year=year)
    except AppError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _(
            "The working calendar for {year} was started: Monday–Friday, add its holidays and working weekend "
            "days below.").format(year=year))
    return redirect("workcal:year_detail", year=year)


@require_POST
@page_view
def day_clear(request, year: int, day: str):
    _require_manager(request)
    _check_year(year)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    services.calendar_clear_day(by=request.user, date=date)
    messages.success(request, _("{date} follows Monday–Friday again.").format(date=date.isoformat()))
    return redirect("workcal:year_detail", year=year)
