"""Opportunity pages (商机, seed 004): list, kanban with htmx drag-and-drop, detail, create, close, the funnel
figures and the managed lists (lost reasons, competitors). Thin: selectors read, services write."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core import activity
from salesflow.core.errors import AppError, NotFound, PermissionRefused
from salesflow.core.pages import form_errors, page_view, paginate, querystring_without, safe_next
from salesflow.core.panels import collect
from salesflow.crm import selectors as crm_selectors
from salesflow.org.roles import UNIT_HEADS, has_capability
from salesflow.org.scope import data_scope
from salesflow.org.selectors import assignable_users, region_list, team_choices

from . import funnel, selectors, services
from .forms import OpportunityForm
from .hooks import OPPORTUNITY_PANELS
from .pipeline import CHECKLISTS, OPEN_STAGES, Stage


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _require_view(request):
    if not has_capability(request.user, "customer.view"):
        raise PermissionDenied


@page_view
def opportunity_list(request):
    _require_view(request)
    g = request.GET
    stage = g.get("stage", "")
    filters = selectors.OpportunityFilters(
        q=g.get("q", "").strip()[:100], owner=_int(g.get("owner")), region=_int(g.get("region")),
        customer=_int(g.get("customer")), stage=stage if stage in Stage.values or stage == "open" else "",
        close_quarter=g.get("quarter", "") if selectors.quarter_range(g.get("quarter", "")) else "")
    page = paginate(request, selectors.opportunity_list(user=request.user, filters=filters)
                    .only(*selectors.LIST_FIELDS))
    context = {
        "page": page, "filters": filters, "querystring": querystring_without(request, "page"),
        "stages": Stage.choices, "regions": region_list(),
        "owners": assignable_users(user=request.user), "quarters": selectors.recent_quarters(),
        "can_edit": has_capability(request.user, "customer.edit"),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "deals/opportunity_list.html#results", context)
    return render(request, "deals/opportunity_list.html", context)


def _board_params(request, data) -> dict:
    """Per user by default; a unit head (or anyone who sees more than their own) may look at a team or a rep."""
    owner, unit = _int(data.get("owner")), _int(data.get("unit"))
    if data.get("view") == "team" and unit is None and request.user.holds_any(UNIT_HEADS):
        unit = request.user.unit_id
    if owner is None and unit is None:
        owner = request.user.pk
    return {"owner": owner, "unit": unit}


def _board_context(request, params, error: str = "") -> dict:
    columns = selectors.kanban(user=request.user, **params)
    return {"columns": columns, "params": params, "error": error,
            "can_move": has_capability(request.user, "customer.edit"),
            # Translated once per board, not once per card and option.
            "stage_options": [(str(s), str(s.label)) for s in OPEN_STAGES]}


@page_view
def opportunity_kanban(request):
    _require_view(request)
    params = _board_params(request, request.GET)
    context = _board_context(request, params)
    context.update({"owners": assignable_users(user=request.user), "teams": team_choices(user=request.user),
                    "sees_more": data_scope(request.user).kind != "own",
                    "can_edit": has_capability(request.user, "customer.edit")})
    return render(request, "deals/opportunity_kanban.html", context)


@require_POST
@page_view
def opportunity_move(request):
    """The kanban's drop: move one card, answer the re-rendered board (its columns' counts and sums change)."""
    params = _board_params(request, request.POST)
    error = ""
    try:
        services.opportunity_move(by=request.user, opportunity_id=_int(request.POST.get("opportunity")) or 0,
                                  to_stage=request.POST.get("stage", ""))
    except (NotFound, PermissionRefused):
        raise
    except AppError as exc:
        error = str(exc.message)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(safe_next(request, "deals:opportunity_kanban"))
    return render(request, "deals/opportunity_kanban.html#board", _board_context(request, params, error))


def _checklist(opportunity) -> list[tuple[str, str, bool]]:
    done = opportunity.checklist or {}
    return [(key, label, bool(done.get(key))) for key, label in CHECKLISTS.get(Stage(opportunity.stage), [])]


@page_view
def opportunity_detail(request, opportunity_id: int):
    opportunity = selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    customer = opportunity.customer
    return render(request, "deals/opportunity_detail.html", {
        "o": opportunity, "checklist": _checklist(opportunity),
        # Stage changes, visits, reception records… of this deal, newest first (salesflow.core.activity).
        "activities": activity.for_opportunity(request.user, opportunity.pk),
        "timeline": crm_selectors.customer_timeline(user=request.user, customer=customer, limit=50),
        "can_edit": opportunity.can("edit", by=request.user),
        # What the apps above deals add (the visits' "Log visit" button): deals.hooks.OPPORTUNITY_PANELS.
        "panels": collect(OPPORTUNITY_PANELS, opportunity=opportunity, user=request.user, request=request),
        "moves": [s for s in OPEN_STAGES if opportunity.can(f"to_{s}", by=request.user)],
        "can_win": opportunity.can("win", by=request.user),
        "can_reopen": opportunity.can("reopen", by=request.user),
        "reasons": selectors.lost_reason_list(active_only=True), "competitors": selectors.competitor_list(),
    })


@require_POST
@page_view
def opportunity_checklist(request, opportunity_id: int):
    error = ""
    try:
        opportunity = services.opportunity_set_checklist(
            by=request.user, opportunity_id=opportunity_id, item=request.POST.get("item", ""),
            done=request.POST.get("done") == "1")
    except (NotFound, PermissionRefused):
        raise
    except AppError as exc:
        error = str(exc.message)
        opportunity = selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("deals:opportunity_detail", opportunity_id=opportunity_id)
    return render(request, "deals/opportunity_detail.html#checklist", {
        "o": opportunity, "checklist": _checklist(opportunity), "error": error,
        "can_edit": opportunity.can("edit", by=request.user)})


@require_POST
@page_view
def opportunity_action(request, opportunity_id: int):
    """Move (from the detail page), win, lose or reopen: each through its service."""
    action = request.POST.get("action", "")
    try:
        if action == "move":
            services.opportunity_move(by=request.user, opportunity_id=opportunity_id,
                                      to_stage=request.POST.get("stage", ""))
            messages.success(request, _("Stage changed."))
        elif action == "win":
            services.opportunity_win(by=request.user, opportunity_id=opportunity_id)
            messages.success(request, _("Opportunity won."))
        elif action == "lose":
            services.opportunity_lose(by=request.user, opportunity_id=opportunity_id,
                                      reason_id=_int(request.POST.get("reason")),
                                      competitor_id=_int(request.POST.get("competitor")))
            messages.success(request, _("Opportunity closed as lost."))
        elif action == "reopen":
            services.opportunity_reopen(by=request.user, opportunity_id=opportunity_id)
            messages.success(request, _("Opportunity reopened."))
        else:
            raise AppError("invalid_action", _("Unknown action."))
    except (NotFound, PermissionRefused):
        raise
    except AppError as exc:
        details = " ".join(str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms]))
        messages.error(request, f"{exc.message} {details}".strip())
    return redirect("deals:opportunity_detail", opportunity_id=opportunity_id)


@page_view
def opportunity_create(request):
    if not has_capability(request.user, "customer.edit"):
        raise PermissionDenied
    preselected = None
    customer_id = _int(request.GET.get("customer"))
    if customer_id:
        try:
            preselected = crm_selectors.customer_get(user=request.user, customer_id=customer_id)
        except NotFound:
            preselected = None
    form = OpportunityForm(request.POST or None, user=request.user, preselected=preselected,
                           initial={"customer": preselected.pk if preselected else ""})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "customer"}
        try:
            opportunity = services.opportunity_create(by=request.user, customer_id=form.cleaned_data["customer"],
                                                      data=data)
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Opportunity {name} created.").format(name=opportunity.name))
            return redirect("deals:opportunity_detail", opportunity_id=opportunity.pk)
    return render(request, "deals/opportunity_form.html", {"form": form, "customer": preselected})


@page_view
def opportunity_edit(request, opportunity_id: int):
    if not has_capability(request.user, "customer.edit"):
        raise PermissionDenied
    opportunity = selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    initial = {"customer": opportunity.customer_id, "name": opportunity.name, "amount": opportunity.amount,
               "expected_close": opportunity.expected_close.isoformat() if opportunity.expected_close else "",
               "probability": opportunity.probability, "selling_model": opportunity.selling_model,
               "products": opportunity.products}
    form = OpportunityForm(request.POST or None, user=request.user, preselected=opportunity.customer, initial=initial)
    form.fields["customer"].disabled = True  # an opportunity stays with its customer
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "customer"}
        try:
            services.opportunity_update(by=request.user, opportunity_id=opportunity.pk, data=data)
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Opportunity saved."))
            return redirect("deals:opportunity_detail", opportunity_id=opportunity.pk)
    return render(request, "deals/opportunity_form.html",
                  {"form": form, "customer": opportunity.customer, "opportunity": opportunity})


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


@page_view
def funnel_page(request):
    _require_view(request)
    g = request.GET
    filters = funnel.FunnelFilters(owner=_int(g.get("owner")), unit=_int(g.get("unit")), region=_int(g.get("region")),
                                   period=g.get("period", "") if selectors.quarter_range(g.get("period", "")) else "")
    summary = funnel.pipeline_summary(user=request.user, filters=filters)
    chart = {
        "labels": [s["label"] for s in summary["stages"]],
        "reached": [s["reached"] for s in summary["stages"]],
        "reached_amount": [_plain(s["reached_amount"]) for s in summary["stages"]],
        "conversion": [s["conversion"] for s in summary["stages"]],
        "days": [s["avg_days_in_stage"] for s in summary["stages"]],
        "names": {"count": _("Deals"), "amount": _("Amount (¥)"), "conversion": _("Conversion to the next stage"),
                  "days": _("Average days in stage")},
    }
    return render(request, "deals/funnel.html", {
        "summary": summary, "chart": chart, "filters": filters,
        "owners": assignable_users(user=request.user), "teams": team_choices(user=request.user),
        "regions": region_list(), "quarters": selectors.recent_quarters(),
    })


@page_view
def master_data(request):
    """The managed lists behind a lost deal: reasons and competitors (admin-only, like customer groups)."""
    if not has_capability(request.user, "customer.master_data"):
        raise PermissionDenied
    errors, kind = {}, request.POST.get("kind", "")
    if request.method == "POST":
        try:
            if kind == "reason":
                item = services.lost_reason_create(by=request.user, name=request.POST.get("name", ""))
            elif kind == "competitor":
                item = services.competitor_create(by=request.user, name=request.POST.get("name", ""),
                                                  notes=request.POST.get("notes", ""))
            else:
                raise AppError("invalid_action", _("Unknown action."))
        except AppError as exc:
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()} or {"name": [str(exc.message)]}
        else:
            messages.success(request, _("{name} added.").format(name=item.name))
            return redirect("deals:master_data")
    return render(request, "deals/master_data.html", {
        "reasons": selectors.lost_reason_list(), "competitors": selectors.competitor_list(), "errors": errors,
        "kind": kind, "data": request.POST})
