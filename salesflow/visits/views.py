"""Visit pages: thin views over selectors (reads) and services (changes)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError, PermissionRefused
from salesflow.core.pages import form_errors, page_view, paginate, querystring_without
from salesflow.org.roles import has_capability

from . import selectors, services
from .forms import PlanCreateForm, PlannedVisitForm, VisitLogForm, WorkLogForm, customer_choices
from .models import PlanPeriod, PlanStatus, VisitKind, WorkLog, WorkLogStatus


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _error_text(exc: AppError) -> str:
    detail = "; ".join(str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms]))
    return " ".join(filter(None, [str(exc.message), detail]))


# --- Today ---------------------------------------------------------------------------------------------

@page_view
def today(request):
    data = selectors.today_for(user=request.user)
    return render(request, "visits/today.html", {
        "today": data, "can_log": has_capability(request.user, "visit.log"),
        "waiting_review": selectors.reviewable_plans_waiting(request.user),
    })


# --- plans ---------------------------------------------------------------------------------------------

@page_view
def plan_list(request):
    g = request.GET
    filters = selectors.PlanFilters(period=g.get("period", ""), status=g.get("status", ""),
                                    owner=_int(g.get("owner")), mine=g.get("mine") == "1",
                                    current=g.get("current") == "1")
    page = paginate(request, selectors.plan_list(user=request.user, filters=filters))
    can_plan = has_capability(request.user, "visit.plan")
    return render(request, "visits/plan_list.html", {
        "page": page, "filters": filters, "querystring": querystring_without(request, "page"),
        "periods": PlanPeriod.choices, "statuses": PlanStatus.choices, "can_plan": can_plan,
        "form": PlanCreateForm(initial={"period": PlanPeriod.WEEK, "day": services.local_today()}) if can_plan
        else None,
    })


@page_view
def plan_create(request):
    if not has_capability(request.user, "visit.plan"):
        raise PermissionRefused()
    form = PlanCreateForm(request.POST or None, initial={"period": request.GET.get("period", PlanPeriod.WEEK),
                                                         "day": services.local_today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.plan_create(by=request.user, period=d["period"], day=d["day"], focus=d["focus"])
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Plan created: add the visits you plan, then submit it."))
            return redirect("visits:plan_detail", plan_id=plan.pk)
    return render(request, "visits/plan_form.html", {"form": form})


def _item_form_choices(user, plan):
    from salesflow.crm.selectors import customer_picker
    from salesflow.leads.selectors import lead_picker

    if user.pk != plan.owner_id:
        # A manager adjusting a rep's plan picks among the rep's own customers and leads.
        customers = customer_picker(user=user, owner_id=plan.owner_id, active_only=True)
        leads = lead_picker(user=user, owner_id=plan.owner_id)
    else:
        customers = customer_picker(user=user, active_only=True)
        leads = lead_picker(user=user, owner_id=user.pk)
    return {"customers": customer_choices(customers),
            "leads": customer_choices(leads)}


def _plan_context(request, plan, item_form=None) -> dict:
    user = request.user
    items = selectors.plan_items(plan)
    progress = selectors.plan_progress(plan, items)
    # A reviewer changing visits: the manager adjusts (fixes the plan), the supervisor prepares it (R17).
    adjusting = plan.can("adjust", by=user) or plan.can("prepare", by=user)
    can_edit = plan.can("edit", by=user) or adjusting
    if item_form is None and can_edit:
        item_form = PlannedVisitForm(initial={"planned_on": max(plan.starts_on, min(services.local_today(),
                                                                                     plan.ends_on))},
                                     adjusting=adjusting, **_item_form_choices(user, plan))
    return {
        "plan": plan, "items": [(item, progress.states.get(item.pk)) for item in items], "progress": progress,
        "states": selectors.ITEM_STATES, "item_form": item_form if can_edit else None,
        "can_edit": can_edit, "adjusting": adjusting,
        "can_submit": plan.can("submit", by=user),
        "can_review": plan.can("approve", by=user) or plan.can("prepare", by=user),
        "deciding": plan.can("approve", by=user),
        "can_return": plan.can("return", by=user),
        "can_log": plan.can("log", by=user),
        "history": selectors.plan_history(plan=plan), "today": services.local_today(),
    }


@page_view
def plan_detail(request, plan_id: int):
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    return render(request, "visits/plan_detail.html", _plan_context(request, plan))


@require_POST
@page_view
def plan_item_add(request, plan_id: int):
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    adjusting = request.user.pk != plan.owner_id
    form = PlannedVisitForm(request.POST, adjusting=adjusting, **_item_form_choices(request.user, plan))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.plan_item_add(by=request.user, plan=plan, comment=d.get("comment", ""), data={
                "customer_id": d["customer"], "lead_id": d["lead"], "target": d["target"],
                "planned_on": d["planned_on"], "kind": d["kind"], "purpose": d["purpose"]})
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Planned visit added."))
            return redirect("visits:plan_detail", plan_id=plan.pk)
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    return render(request, "visits/plan_detail.html", _plan_context(request, plan, item_form=form), status=400)


def _run_and_back(request, obj, fn, success: str, back: str, **kwargs):
    """Run a service on a plan or a work log, say how it went, and go back to the document's page."""
    try:
        fn(obj)
        messages.success(request, success)
    except PermissionRefused:
        raise
    except AppError as exc:
        messages.error(request, _error_text(exc))
    return redirect(back, **kwargs)


def _act(request, plan_id: int, fn, success: str):
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    return _run_and_back(request, plan, fn, success, "visits:plan_detail", plan_id=plan.pk)


@require_POST
@page_view
def plan_item_move(request, plan_id: int, item_id: int):
    p = request.POST
    data = {"planned_on": p.get("planned_on", "")}
    if p.get("purpose") is not None:
        data["purpose"] = p.get("purpose", "")
    return _act(request, plan_id, lambda plan: services.plan_item_update(
        by=request.user, plan=plan, item_id=item_id, data=data, comment=p.get("comment", "")[:2000]),
        _("Planned visit changed."))


@require_POST
@page_view
def plan_item_remove(request, plan_id: int, item_id: int):
    return _act(request, plan_id, lambda plan: services.plan_item_remove(
        by=request.user, plan=plan, item_id=item_id, comment=request.POST.get("comment", "")[:2000]),
        _("Planned visit removed."))


@require_POST
@page_view
def plan_submit(request, plan_id: int):
    return _act(request, plan_id, lambda plan: services.plan_submit(by=request.user, plan=plan),
                _("Plan submitted to your supervisor."))


@require_POST
@page_view
def plan_review(request, plan_id: int):
    comment = request.POST.get("comment", "")[:2000]
    if request.POST.get("action") == "return":
        return _act(request, plan_id, lambda plan: services.plan_return(by=request.user, plan=plan, comment=comment),
                    _("Plan sent back to the rep."))
    return _act(request, plan_id, lambda plan: services.plan_approve(by=request.user, plan=plan, comment=comment),
                _("Plan approved."))


# --- planned vs done (team) and the weekly meeting -----------------------------------------------------

@page_view
def team(request):
    if not has_capability(request.user, "visit.review"):
        raise PermissionRefused()
    period = request.GET.get("period", PlanPeriod.WEEK)
    if period not in PlanPeriod.values:
        period = PlanPeriod.WEEK
    day = _date(request.GET.get("day")) or services.local_today()
    start, end, rows = selectors.team_progress(user=request.user, period=period, day=day)
    return render(request, "visits/team.html", {
        "rows": rows, "total": selectors.team_totals(rows), "period": period, "periods": PlanPeriod.choices,
        "day": day, "start": start, "end": end,
        "previous": start - dt.timedelta(days=1), "next": end + dt.timedelta(days=1),
    })


@page_view
def weekly(request):
    day = _date(request.GET.get("day")) or services.local_today()
    start, end, rows = selectors.weekly_report(user=request.user, day=day)
    return render(request, "visits/weekly.html", {
        "rows": rows, "start": start, "end": end, "day": day, "week": start.isocalendar()[1],
        "previous": start - dt.timedelta(days=7), "next": start + dt.timedelta(days=7),
    })


# --- visit logs ----------------------------------------------------------------------------------------

@page_view
def log_list(request):
    g = request.GET
    filters = selectors.LogFilters(kind=g.get("kind", ""), owner=_int(g.get("owner")), customer=_int(g.get("customer")),
                                   mine=g.get("mine") == "1", date_from=_date(g.get("from")),
                                   date_to=_date(g.get("to")), located=g.get("located", ""))
    page = paginate(request, selectors.log_list(user=request.user, filters=filters))
    return render(request, "visits/log_list.html", {
        "page": page, "filters": filters, "querystring": querystring_without(request, "page"),
        "kinds": VisitKind.choices, "can_log": has_capability(request.user, "visit.log"),
    })


def _log_choices(user, customer_id=None):
    from salesflow.crm.selectors import customer_picker
    from salesflow.leads.selectors import lead_picker

    customers = customer_picker(user=user, active_only=True)
    preselected = customer_picker(user=user).filter(pk=customer_id).first() if customer_id else None
    return {
        "customers": customer_choices(customers, preselected),
        "leads": customer_choices(lead_picker(user=user, owned_only=True)),
        "opportunities": opportunity_choices(user, customer_id),
    }


def opportunity_choices(user, customer_id) -> list:
    from salesflow.deals.selectors import opportunity_picker

    if not customer_id:
        return [("", "—")]
    rows = opportunity_picker(user=user, customer_id=customer_id, open_only=True).values_list("pk", "name")[:100]
    return [("", "—"), *rows]


def _sheet_initial(user, customer_id) -> dict:
    """The target-customer sheet's current answers of a customer the user sees (R17), for the visit form."""
    from salesflow.crm.forms import TargetSheetForm
    from salesflow.crm.selectors import customer_picker

    customer = customer_picker(user=user).filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        return {"sheet_for": None}
    return {f"sheet_{key}": value for key, value in TargetSheetForm.initial_for(customer).items()} | {
        "sheet_for": customer.pk}


@page_view
def log_create(request):
    if not has_capability(request.user, "visit.log"):
        raise PermissionRefused()
    g = request.GET
    initial = {"visited_at": timezone.localtime().replace(second=0, microsecond=0), "kind": VisitKind.RETURN}
    planned = selectors.planned_visit_of(user=request.user, planned_id=_int(g.get("planned")))
    if planned is not None:
        initial.update(planned_visit=planned.pk, customer=planned.customer_id, lead=planned.lead_id,
                       kind=planned.kind)
    if _int(g.get("customer")):
        initial["customer"] = _int(g.get("customer"))
    if _int(g.get("lead")):
        initial.update(lead=_int(g.get("lead")), kind=VisitKind.NEW)
    if _int(g.get("opportunity")):
        initial["opportunity"] = _int(g.get("opportunity"))
    customer_id = _int(request.POST.get("customer")) if request.method == "POST" else initial.get("customer")
    initial.update(_sheet_initial(request.user, initial.get("customer")))
    form = VisitLogForm(request.POST or None, initial=initial, **_log_choices(request.user, customer_id))
    if request.method == "POST":
        if form.is_valid():
            try:
                log = services.visit_log_create(by=request.user, data=form.service_data())
            except AppError as exc:
                form_errors(form, exc)
            else:
                if log.has_location:
                    messages.success(request, _("Visit logged with your location."))
                else:
                    messages.success(request, _("Visit logged (no location)."))
                return redirect("visits:log_detail", log_id=log.pk)
        elif form.has_error("__all__", "sheet_for"):
            # The answers shown are now the ones the rep checks for this customer: the next save takes them.
            form.data = form.data.copy()
            form.data["sheet_for"] = str(customer_id)
    return render(request, "visits/log_form.html", {"form": form, "planned": planned},
                  status=400 if request.method == "POST" else 200)


@page_view
def log_sheet(request):
    """htmx: the target-customer sheet of the customer chosen in the visit form (R17)."""
    if not has_capability(request.user, "visit.log"):
        raise PermissionRefused()
    form = VisitLogForm(initial=_sheet_initial(request.user, _int(request.GET.get("customer"))))
    return render(request, "visits/_visit_sheet.html", {"form": form})


@page_view
def log_opportunities(request):
    """htmx: the opportunity options of the chosen customer."""
    if not has_capability(request.user, "visit.log"):
        raise PermissionRefused()
    return render(request, "visits/_opportunity_options.html",
                  {"choices": opportunity_choices(request.user, _int(request.GET.get("customer")))})


@page_view
def log_detail(request, log_id: int):
    log = selectors.log_get(user=request.user, log_id=log_id)
    return render(request, "visits/log_detail.html", {"log": log})


# --- daily work logs (工作日志) ---------------------------------------------------------------------------

@page_view
def work_log_list(request):
    g = request.GET
    filters = selectors.WorkLogFilters(owner=_int(g.get("owner")), status=g.get("status", ""),
                                       mine=g.get("mine") == "1", date_from=_date(g.get("from")),
                                       date_to=_date(g.get("to")), waiting=g.get("waiting") == "1",
                                       overdue=g.get("overdue") == "1")
    page = paginate(request, selectors.work_log_list(user=request.user, filters=filters))
    today = services.local_today()
    return render(request, "visits/work_log_list.html", {
        "page": page, "rows": [(log, log.overdue(today), log.submitted_late) for log in page.object_list],
        "filters": filters, "querystring": querystring_without(request, "page"),
        "statuses": WorkLogStatus.choices, "today": today,
        "can_write": WorkLog.role_allows("edit", by=request.user),
        "can_review": has_capability(request.user, "visit.review"),
    })


@page_view
def work_log_write(request):
    """The caller's own log of a day (default today): the form beside the visits of that day."""
    if not WorkLog.role_allows("edit", by=request.user):
        raise PermissionRefused()
    today = services.local_today()
    day = _date(request.GET.get("day") or request.POST.get("day")) or today
    log = selectors.work_log_of_day(user=request.user, day=day)
    if log is not None and not log.can("edit", by=request.user):
        return redirect("visits:work_log_detail", log_id=log.pk)
    initial = {key: getattr(log, key) for key in WorkLogForm.FIELDS} if log is not None else {}
    form = WorkLogForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            log = services.work_log_save(by=request.user, day=day, data=form.service_data())
            if request.POST.get("submit") == "1":
                services.work_log_submit(by=request.user, log=log)
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Work log handed in.") if request.POST.get("submit") == "1"
                             else _("Work log saved."))
            return redirect("visits:work_log_detail", log_id=log.pk)
    return render(request, "visits/work_log_form.html", {
        "form": form, "log": log, "day": day, "today": today,
        "visits": selectors.work_log_visits(owner_id=request.user.pk, day=day),
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1) if day < today else None,
    }, status=400 if request.method == "POST" else 200)


@page_view
def work_log_detail(request, log_id: int):
    log = selectors.work_log_get(user=request.user, log_id=log_id)
    user = request.user
    return render(request, "visits/work_log_detail.html", {
        "log": log, "visits": selectors.work_log_visits(owner_id=log.owner_id, day=log.day),
        "history": selectors.work_log_history(log=log), "today": services.local_today(),
        "overdue": log.overdue(services.local_today()), "late": log.submitted_late,
        "can_edit": log.can("edit", by=user), "can_submit": log.can("submit", by=user),
        "can_review": log.can("review", by=user), "can_return": log.can("return", by=user),
    })


def _work_log_act(request, log_id: int, fn, success: str):
    log = selectors.work_log_get(user=request.user, log_id=log_id)
    return _run_and_back(request, log, fn, success, "visits:work_log_detail", log_id=log.pk)


@require_POST
@page_view
def work_log_submit(request, log_id: int):
    return _work_log_act(request, log_id, lambda log: services.work_log_submit(by=request.user, log=log),
                         _("Work log handed in."))


@require_POST
@page_view
def work_log_review(request, log_id: int):
    comment = request.POST.get("comment", "")[:2000]
    if request.POST.get("action") == "return":
        return _work_log_act(request, log_id, lambda log: services.work_log_return(
            by=request.user, log=log, comment=comment), _("Work log sent back to the rep."))
    return _work_log_act(request, log_id, lambda log: services.work_log_review(
        by=request.user, log=log, comment=comment), _("Work log reviewed."))
