"""Reception record and prospect pages: thin views over selectors (reads) and services (changes)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.core.forms import show_masked, submitted_data
from salesflow.core.pages import form_errors, page_view, paginate, querystring_without
from salesflow.org.roles import Role, has_capability
from salesflow.org.selectors import assignable_users, service_supervisors, user_find

from . import selectors, services
from .forms import ProspectForm, ReceptionForm
from .models import Channel, Intent, ProspectStatus

CHOICE_LIMIT = 300


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _day(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _error_text(exc: AppError) -> str:
    detail = "; ".join(str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms]))
    return " ".join(filter(None, [str(exc.message), detail]))


# --- reception records -------------------------------------------------------------------------------------

def _record_filters(request) -> selectors.ReceptionFilters:
    return record_filters(request.GET)


def record_filters(g) -> selectors.ReceptionFilters:
    """The records list's filters from its query parameters (the page's, or an export request's frozen ones)."""
    return selectors.ReceptionFilters(
        q=g.get("q", "").strip()[:100],
        intent=g.get("intent", "") if g.get("intent", "") in Intent.values else "",
        channel=g.get("channel", "") if g.get("channel", "") in Channel.values else "",
        owner=_int(g.get("owner")), date_from=_day(g.get("from")), date_to=_day(g.get("to")),
        customer=_int(g.get("customer")), prospect=_int(g.get("prospect")),
        unregistered=g.get("unregistered") == "1",
    )


def _reps_in_scope(user):
    """The consultants whose records the user may see, for the rep filter (a rep: only themselves)."""
    # Their roles with the list (one query), not one read per person whose main role does not edit.
    return [u for u in assignable_users(user=user).with_roles()[:CHOICE_LIMIT] if has_capability(u, "reception.edit")]


@page_view
def record_list(request):
    filters = _record_filters(request)
    page = paginate(request, selectors.reception_list(user=request.user, filters=filters))
    context = {
        "page": page, "filters": filters, "querystring": querystring_without(request, "page"),
        "intents": Intent.choices, "channels": Channel.choices, "reps": _reps_in_scope(request.user),
        "badges": selectors.INTENT_BADGE,
        "can_edit": has_capability(request.user, "reception.edit"),
        "can_register": has_capability(request.user, "prospect.register"),
        "date_from": request.GET.get("from", "") if filters.date_from else "",
        "date_to": request.GET.get("to", "") if filters.date_to else "",
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "reception/record_list.html#results", context)
    return render(request, "reception/record_list.html", context)


def _link_choices(user, record=None, initial=None):
    """What a record can be linked to: the user's own customers, opportunities and open prospects (capped), plus
    whatever the record or the page it was opened from already names."""
    from salesflow.crm.selectors import customer_picker
    from salesflow.deals.selectors import opportunity_picker

    initial = initial or {}
    wanted = {key: {v for v in (getattr(record, f"{key}_id", None) if record else None,
                                _int(initial.get(f"{key}_id"))) if v} for key in ("customer", "opportunity", "prospect")}
    customers = list(customer_picker(user=user, owner_id=user.pk).only("id", "name")[:CHOICE_LIMIT])
    customers += list(customer_picker(user=user).filter(pk__in=wanted["customer"] - {c.pk for c in customers})
                      .only("id", "name"))
    opportunities = list(opportunity_picker(user=user, owner_id=user.pk, open_only=True)
                         .only("id", "name")[:CHOICE_LIMIT])
    opportunities += list(opportunity_picker(user=user)
                          .filter(pk__in=wanted["opportunity"] - {o.pk for o in opportunities}).only("id", "name"))
    prospects = list(selectors.prospect_picker(user=user, open_only=True).only("id", "name")[:CHOICE_LIMIT])
    prospects += list(selectors.prospect_picker(user=user)
                      .filter(pk__in=wanted["prospect"] - {p.pk for p in prospects}).only("id", "name"))
    return {"customers": customers, "opportunities": opportunities, "prospects": prospects}


def _record_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items()}


@page_view
def record_create(request):
    if not has_capability(request.user, "reception.edit"):
        raise PermissionRefused()
    initial = {"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "visitor_count": 1,
               "intent": Intent.UNDECIDED}
    for key in ("customer", "opportunity", "prospect"):
        if _int(request.GET.get(key)):
            initial[f"{key}_id"] = str(_int(request.GET.get(key)))
    source = request.POST if request.method == "POST" else initial
    form = ReceptionForm(request.POST or None, initial=initial, **_link_choices(request.user, initial=source))
    if request.method == "POST" and form.is_valid():
        try:
            record = services.reception_create(by=request.user, data=_record_data(form))
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Reception record saved."))
            return redirect("reception:record_detail", record_id=record.pk)
    return render(request, "reception/record_form.html", {"form": form, "record": None})


@page_view
def record_edit(request, record_id: int):
    record = selectors.reception_get(user=request.user, record_id=record_id)
    if not record.can("edit", by=request.user):
        raise PermissionRefused()
    initial = {
        "received_at": timezone.localtime(record.received_at).strftime("%Y-%m-%dT%H:%M"), "channel": record.channel,
        "visitor_names": record.visitor_names, "visitor_count": record.visitor_count, "company": record.company,
        "phone": record.phone, "questions": record.questions, "explained": record.explained, "intent": record.intent,
        "next_step": record.next_step, "next_step_on": record.next_step_on.isoformat() if record.next_step_on else "",
        "customer_id": str(record.customer_id or ""), "opportunity_id": str(record.opportunity_id or ""),
        "prospect_id": str(record.prospect_id or ""),
    }
    source = request.POST if request.method == "POST" else initial
    form = ReceptionForm(request.POST or None, initial=initial,
                         **_link_choices(request.user, record=record, initial=source))
    # R20: whoever may only see the visitor's number masked edits it masked; it is kept unless a new one is typed.
    show_masked(form, "phone", stored=record.phone, shown=selectors.visitor_phone(request.user, record))
    if request.method == "POST" and form.is_valid():
        try:
            services.reception_update(by=request.user, record_id=record.pk, data=submitted_data(form))
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Reception record saved."))
            return redirect("reception:record_detail", record_id=record.pk)
    return render(request, "reception/record_form.html", {"form": form, "record": record})


@page_view
def record_detail(request, record_id: int):
    record = selectors.reception_get(user=request.user, record_id=record_id)
    return render(request, "reception/record_detail.html", {
        "record": record, "phone": selectors.visitor_phone(request.user, record),
        "history": selectors.record_history(record=record), "badges": selectors.INTENT_BADGE,
        "can_edit": record.can("edit", by=request.user),
        "can_register": has_capability(request.user, "prospect.register") and record.prospect_id is None,
    })


# --- prospects ---------------------------------------------------------------------------------------------

def _prospect_filters(request) -> selectors.ProspectFilters:
    g = request.GET
    return selectors.ProspectFilters(
        q=g.get("q", "").strip()[:100],
        status=g.get("status", "") if g.get("status", "") in ProspectStatus.values else "",
        consultant=_int(g.get("consultant")),
        intent=g.get("intent", "") if g.get("intent", "") in Intent.values else "",
        unconfirmed=g.get("unconfirmed") == "1",
    )


@page_view
def prospect_list(request):
    filters = _prospect_filters(request)
    page = paginate(request, selectors.prospect_list(user=request.user, filters=filters))
    context = {
        "page": page, "filters": filters, "querystring": querystring_without(request, "page"),
        "statuses": ProspectStatus.choices, "intents": Intent.choices, "reps": _reps_in_scope(request.user),
        "badges": selectors.STATUS_BADGE, "intent_badges": selectors.INTENT_BADGE,
        "can_register": has_capability(request.user, "prospect.register"),
        "can_name_leads": has_capability(request.user, "prospect.name_marketing_lead"),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "reception/prospect_list.html#results", context)
    return render(request, "reception/prospect_list.html", context)


def _consultants(user):
    return list(assignable_users(user=user).holding(Role.REP, Role.SUPERVISOR)[:CHOICE_LIMIT])


@page_view
def prospect_register(request):
    """D2: register a prospect, by hand or from reception records (``?reception=<id>`` prefills it)."""
    if not has_capability(request.user, "prospect.register"):
        raise PermissionRefused()
    record_ids = [pk for pk in (_int(v) for v in request.GET.getlist("reception") + request.POST.getlist("reception"))
                  if pk]
    records = [selectors.reception_get(user=request.user, record_id=pk) for pk in dict.fromkeys(record_ids)]
    initial = {}
    if records:
        first = records[0]
        initial = {"name": first.company or first.visitor_names, "contact_name": first.visitor_names.split("、")[0][:64],
                   "phone": first.phone, "needs": first.questions, "consultant_id": str(first.owner_id)}
        if first.customer_id:
            initial["name"] = first.customer.name
    form = ProspectForm(request.POST or None, initial=initial, consultants=_consultants(request.user))
    duplicates = False
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        consultant = user_find(_int(d.pop("consultant_id")))
        confirm = d.pop("confirm_duplicates")
        try:
            prospect = services.prospect_register(by=request.user, data=d, consultant=consultant,
                                                  reception_ids=[r.pk for r in records], confirm_duplicates=confirm)
        except AppError as exc:
            duplicates = isinstance(exc, Conflict)
            form_errors(form, exc)
        else:
            messages.success(request, _("Prospect {name} registered.").format(name=prospect.name))
            return redirect("reception:prospect_detail", prospect_id=prospect.pk)
    return render(request, "reception/prospect_form.html", {"form": form, "records": records,
                                                             "duplicates": duplicates})


@page_view
def prospect_detail(request, prospect_id: int):
    prospect = selectors.prospect_get(user=request.user, prospect_id=prospect_id)
    user = request.user
    can_submit = prospect.can("submit_file", by=user)
    can_hand_over = prospect.can("hand_over", by=user)
    duplicates, own_matches = [], []
    if can_submit and prospect.intent == Intent.YES:
        from salesflow.crm.selectors import customer_picker
        from salesflow.crm.services import customer_find_duplicates

        duplicates = customer_find_duplicates(name=prospect.name, credit_code=prospect.credit_code,
                                              phone_digits=[prospect.phone_digits] if prospect.phone_digits else [],
                                              viewer=user)
        if duplicates:
            # E4: the consultant may attach the prospect to a customer file of their own, not to someone else's.
            mine = set(customer_picker(user=user, owner_id=user.pk)
                       .filter(pk__in=[d.customer_id for d in duplicates]).values_list("pk", flat=True))
            own_matches = [d for d in duplicates if d.customer_id in mine]
    return render(request, "reception/prospect_detail.html", {
        "prospect": prospect, "phone": selectors.visitor_phone(user, prospect),
        "records": selectors.prospect_records(prospect=prospect), "history": selectors.prospect_history(
            prospect=prospect), "badges": selectors.STATUS_BADGE, "intent_badges": selectors.INTENT_BADGE,
        "status_help": selectors.STATUS_HELP.get(prospect.status, ""),
        "marketing_leads": selectors.marketing_leads_for(unit_id=prospect.unit_id) if prospect.confirmed_at is None
        else [],
        "can_confirm": prospect.can("confirm", by=user),
        "can_submit": can_submit, "has_intent": prospect.intent == Intent.YES, "duplicates": duplicates,
        "own_matches": own_matches,
        "can_register_file": prospect.can("register_file", by=user),
        "can_hand_over": can_hand_over,
        "service_choices": service_supervisors() if can_hand_over else [],
        "can_drop": prospect.can("drop", by=user),
        "can_add_record": prospect.can("add_record", by=user),
    })


def _act(request, prospect_id: int, fn, success: str):
    selectors.prospect_get(user=request.user, prospect_id=prospect_id)
    try:
        fn()
        messages.success(request, success)
    except PermissionRefused:
        raise
    except AppError as exc:
        if exc.status == 404:
            raise
        messages.error(request, _error_text(exc))
    return redirect("reception:prospect_detail", prospect_id=prospect_id)


@require_POST
@page_view
def prospect_confirm(request, prospect_id: int):
    return _act(request, prospect_id, lambda: services.prospect_confirm(
        by=request.user, prospect_id=prospect_id, note=request.POST.get("note", "")), _("Prospect confirmed."))


@require_POST
@page_view
def prospect_submit_file(request, prospect_id: int):
    """E4: the consultant builds the customer file and sends it to the supervisor."""
    return _act(request, prospect_id, lambda: services.prospect_submit_file(
        by=request.user, prospect_id=prospect_id, customer_id=_int(request.POST.get("customer")),
        note=request.POST.get("note", ""), confirm_duplicates=request.POST.get("confirm_duplicates") == "1"),
        _("Customer file built and sent to the supervisor for registration."))


@require_POST
@page_view
def prospect_register_file(request, prospect_id: int):
    """D5: the supervisor registers the consultant's file with the prospect's."""
    return _act(request, prospect_id, lambda: services.prospect_register_file(
        by=request.user, prospect_id=prospect_id, note=request.POST.get("note", "")),
        _("Customer file registered; the consultant has been told to prepare the negotiation."))


@require_POST
@page_view
def prospect_hand_over(request, prospect_id: int):
    service_owner = None
    if _int(request.POST.get("service_owner")):
        service_owner = user_find(_int(request.POST.get("service_owner")))
    return _act(request, prospect_id, lambda: services.prospect_hand_over(
        by=request.user, prospect_id=prospect_id, service_owner=service_owner, note=request.POST.get("note", "")),
        _("Prospect file handed to customer service."))


@require_POST
@page_view
def prospect_drop(request, prospect_id: int):
    return _act(request, prospect_id, lambda: services.prospect_drop(
        by=request.user, prospect_id=prospect_id, reason=request.POST.get("reason", "")), _("Prospect dropped."))


# --- E3 "打印编制出接待记录": print and export ----------------------------------------------------------------

PRINT_LIMIT = 500


@page_view
def record_print(request, record_id: int):
    """One reception record on an A4 page, laid out as the company's 接待记录表, with signature lines."""
    record = selectors.reception_get(user=request.user, record_id=record_id)
    return render(request, "reception/record_print.html", {
        "record": record, "phone": selectors.visitor_phone(request.user, record), "printed_at": timezone.now(),
        "printed_by": request.user,
    })


@page_view
def record_list_print(request):
    """The filtered list as a printable register (at most PRINT_LIMIT rows; the export takes any number)."""
    filters = _record_filters(request)
    rows = list(selectors.reception_list(user=request.user, filters=filters).select_related("unit")[:PRINT_LIMIT + 1])
    return render(request, "reception/record_list_print.html", {
        "rows": [(r, selectors.visitor_phone(request.user, r)) for r in rows[:PRINT_LIMIT]],
        "truncated": len(rows) > PRINT_LIMIT, "limit": PRINT_LIMIT, "filters": filters,
        "date_from": filters.date_from, "date_to": filters.date_to,
        "querystring": querystring_without(request, "page"), "printed_at": timezone.now(),
        "printed_by": request.user,
    })


@page_view
def record_export(request):
    """The filtered list, in the user's data scope, as an Excel file: audited, and above the person's row limit
    an approval first (issue #15, salesflow/exports)."""
    from salesflow.exports.pages import export_or_ask

    from .exports import EXPORT_KIND

    return export_or_ask(request, kind=EXPORT_KIND)


# --- D2.4: who holds the 营销主管 function in each office -------------------------------------------------------

@page_view
def marketing_lead_list(request):
    rows = selectors.marketing_lead_offices(user=request.user)
    return render(request, "reception/marketing_leads.html", {"rows": rows})


@require_POST
@page_view
def marketing_lead_set(request, office_id: int):
    user_id = _int(request.POST.get("user"))
    user = user_find(user_id, active_only=True) if user_id else None
    try:
        if user_id and user is None:
            raise ValidationFailed({"user_id": [_("Choose an active sales supervisor or manager of this office or "
                                                  "above it.")]})
        services.office_marketing_lead_set(by=request.user, office_id=office_id, user=user)
    except (PermissionRefused, NotFound):
        raise
    except AppError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Marketing supervisor saved."))
    return redirect("reception:marketing_lead_list")
