"""Lead pages: thin views over selectors (reads) and services (changes)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError, Conflict
from salesflow.core.pages import form_errors, page_view, paginate, querystring_without
from salesflow.core.panels import collect
from salesflow.crm.choices import SourceChannel
from salesflow.org.models import UnitKind
from salesflow.org.roles import has_capability
from salesflow.org.selectors import assignable_users, unit_choices, unit_find, user_find

from . import selectors, services
from .forms import LeadForm, ScreenForm
from .hooks import LEAD_PANELS
from .models import LEAD_ACTIONS, Lead, LeadStatus


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _filters(request) -> selectors.LeadFilters:
    g = request.GET
    return selectors.LeadFilters(
        q=g.get("q", "").strip()[:100],
        status=g.get("status", "") if g.get("status", "") in LeadStatus.values else "",
        channel=g.get("channel", "") if g.get("channel", "") in SourceChannel.values else "",
        owner=_int(g.get("owner")), mine=g.get("mine") == "1", overdue=g.get("overdue") == "1",
        sort=g.get("sort", "-created") if g.get("sort") in selectors.SORTS else "-created",
    )


def _list_context(request, filters, page) -> dict:
    return {
        "page": page, "filters": filters, "querystring": querystring_without(request, "page"),
        "statuses": LeadStatus.choices, "channels": SourceChannel.choices,
        "can_create": Lead.role_allows("create", by=request.user),
        # Every lead of the pool's list is one a claim is open for (in the pool, in a pool status): the role decides.
        "can_claim": Lead.role_allows("claim", by=request.user),
        "can_import": has_capability(request.user, "lead.import"),
    }


@page_view
def lead_list(request):
    filters = _filters(request)
    page = paginate(request, selectors.lead_list(user=request.user, filters=filters))
    context = _list_context(request, filters, page)
    if request.htmx and not request.htmx.boosted:
        return render(request, "leads/lead_list.html#results", context)
    return render(request, "leads/lead_list.html", context)


@page_view
def lead_pool(request):
    filters = _filters(request)
    page = paginate(request, selectors.lead_pool(user=request.user, filters=filters))
    return render(request, "leads/lead_pool.html", _list_context(request, filters, page))


@page_view
def lead_create(request):
    if not Lead.role_allows("create", by=request.user):
        return render(request, "core/error.html", {"title": _("Not allowed")}, status=403)
    form = LeadForm(request.POST or None)
    duplicates = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            lead = services.lead_create(by=request.user, data=d, owner=None if d["to_pool"] else request.user,
                                        confirm_duplicates=d["confirm_duplicates"])
        except AppError as exc:
            duplicates = isinstance(exc, Conflict)
            form_errors(form, exc)
        else:
            messages.success(request, _("Lead {name} created.").format(name=lead.name))
            return redirect("leads:lead_detail", lead_id=lead.pk)
    return render(request, "leads/lead_form.html", {"form": form, "duplicates": duplicates})


@page_view
def lead_detail(request, lead_id: int):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    user = request.user
    initial = {"need": lead.need, "purchasing_power": lead.purchasing_power, "credit": lead.credit}
    actions = lead.actions(by=user)
    can = {action: action in actions for action in LEAD_ACTIONS}
    return render(request, "leads/lead_detail.html", {
        "lead": lead, "phone": selectors.lead_phone(user, lead), "history": selectors.lead_history(lead=lead),
        "can": can,
        # What the apps above leads add (the visits' "Log visit" button): leads.hooks.LEAD_PANELS.
        "panels": collect(LEAD_PANELS, lead=lead, user=user, request=request),
        "screen_form": ScreenForm(initial=initial) if can["screen"] else None,
        # Marking a contact again only records it once more: the button is for the first contact.
        "offer_contact": can["contact"] and lead.contacted_at is None,
        "owners": assignable_users(user=user) if can["assign"] else [],
        "teams": unit_choices(kind=UnitKind.TEAM, active_only=True) if can["assign"] else [],
        "duplicates": services.lead_find_duplicates(name=lead.name, credit_code=lead.credit_code,
                                                    phone_digits=lead.phone_digits, exclude_id=lead.pk, viewer=user)
        if can["convert"] else [],
    })


def _act(request, lead_id: int, fn, success: str):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    try:
        fn(lead)
        messages.success(request, success)
    except AppError as exc:
        detail = "; ".join(str(m) for ms in exc.fields.values() for m in ms)
        messages.error(request, " ".join(filter(None, [str(exc.message), detail])))
    return redirect("leads:lead_detail", lead_id=lead.pk)


@require_POST
@page_view
def lead_claim(request, lead_id: int):
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    try:
        services.lead_claim(by=request.user, lead=lead)
    except AppError as exc:
        messages.error(request, str(exc.message))
        return redirect("leads:lead_pool")
    messages.success(request, _("Lead {name} is yours now.").format(name=lead.name))
    return redirect("leads:lead_detail", lead_id=lead.pk)


@require_POST
@page_view
def lead_release(request, lead_id: int):
    return _act(request, lead_id, lambda lead: services.lead_release(
        by=request.user, lead=lead, note=request.POST.get("note", "")[:500]), _("Lead returned to the pool."))


@require_POST
@page_view
def lead_contacted(request, lead_id: int):
    return _act(request, lead_id, lambda lead: services.lead_mark_contacted(by=request.user, lead=lead),
                _("Contact recorded."))


@require_POST
@page_view
def lead_screen(request, lead_id: int):
    form = ScreenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a level for each assessment."))
        return redirect("leads:lead_detail", lead_id=lead_id)
    d = form.cleaned_data
    return _act(request, lead_id, lambda lead: services.lead_screen(
        by=request.user, lead=lead, need=d["need"], purchasing_power=d["purchasing_power"], credit=d["credit"],
        note=d["note"]), _("Screening saved."))


@require_POST
@page_view
def lead_assign(request, lead_id: int):
    mode = request.POST.get("mode", services.AssignMode.MANUAL)
    owner = user_find(_int(request.POST.get("owner")), active_only=True)
    team = unit_find(_int(request.POST.get("team")), kind=UnitKind.TEAM)
    return _act(request, lead_id, lambda lead: services.lead_assign(
        by=request.user, lead=lead, mode=mode, owner=owner, team=team, note=request.POST.get("note", "")[:500]),
        _("Lead assigned."))


@require_POST
@page_view
def lead_convert(request, lead_id: int):
    customer_id = _int(request.POST.get("customer"))
    confirm = request.POST.get("confirm_duplicates") == "1"
    lead = selectors.lead_get(user=request.user, lead_id=lead_id)
    try:
        lead = services.lead_convert(by=request.user, lead=lead, customer_id=customer_id, confirm_duplicates=confirm)
    except AppError as exc:
        detail = "; ".join(str(m) for ms in exc.fields.values() for m in ms)
        messages.error(request, " ".join(filter(None, [str(exc.message), detail])))
        return redirect("leads:lead_detail", lead_id=lead.pk)
    messages.success(request, _("Lead converted: customer file and opportunity created."))
    return redirect("crm:customer_detail", customer_id=lead.customer_id)
