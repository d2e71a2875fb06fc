"""Customer pages: thin views over selectors (reads) and services (changes)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError, Conflict
from salesflow.core.pages import form_errors, page_view, paginate, querystring_without
from salesflow.core.panels import collect
from salesflow.exports.pages import export_or_ask
from salesflow.imports import pages as import_pages
from salesflow.org.roles import has_capability
from salesflow.org.selectors import assignable_users, region_list, user_find

from . import selectors, services
from .choices import CustomerStatus, Tier
from .exports import EXPORT_KIND as CUSTOMER_EXPORT_KIND
from .forms import ContactForm, EditCustomerForm, NewCustomerForm, ReassignForm, TargetSheetForm
from .hooks import CUSTOMER_PANELS
from .imports import CUSTOMER_IMPORT_KIND
from .models import CUSTOMER_FLOW
from .validation import Lookups, clean_contact, clean_customer

CUSTOMER_FIELDS = list(EditCustomerForm.base_fields)


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _filters(request) -> selectors.CustomerFilters:
    return customer_filters(request.GET)


def customer_filters(g) -> selectors.CustomerFilters:
    """The customer list's filters from its query parameters (the page's, or an export request's frozen ones)."""
    return selectors.CustomerFilters(
        q=g.get("q", "").strip()[:100], region=_int(g.get("region")), owner=_int(g.get("owner")),
        tier=g.get("tier", "") if g.get("tier", "") in Tier.values else "", group=_int(g.get("group")),
        status=g.get("status", CustomerStatus.ACTIVE) if g.get("status", "active") in CustomerStatus.values else "active",
        sort=g.get("sort", "-created") if g.get("sort") in selectors.SORTS else "-created",
    )


@page_view
def customer_list(request):
    filters = _filters(request)
    page = paginate(request, selectors.customer_list(user=request.user, filters=filters))
    rows = [(c, selectors.phone_for(request.user, c, c.primary_phone or "")) for c in page.object_list]
    context = {
        "page": page, "rows": rows, "filters": filters, "querystring": querystring_without(request, "page"),
        "regions": region_list(),
        "owners": assignable_users(user=request.user), "groups": selectors.customer_group_list(user=request.user),
        "tiers": Tier.choices, "statuses": CustomerStatus.choices, "sorts": selectors.SORT_LABELS.items(),
        "can_edit": has_capability(request.user, "customer.edit"),
        "can_import": has_capability(request.user, "customer.import"),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "crm/customer_list.html#results", context)
    return render(request, "crm/customer_list.html", context)


def _customer_data(form_data) -> dict:
    return {key: form_data.get(key, "") for key in CUSTOMER_FIELDS if key != "confirm_duplicates"}


@page_view
def customer_create(request):
    if not has_capability(request.user, "customer.edit"):
        return render(request, "core/error.html", {"title": _("Not allowed")}, status=403)
    form = NewCustomerForm(request.POST or None, user=request.user)
    duplicates = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        contacts = []
        if d["contact_name"] or d["contact_phone"]:
            contacts = [{"name": d["contact_name"], "position": d["contact_position"], "phone": d["contact_phone"],
                         "is_primary": True}]
        owner = user_find(_int(d.get("owner")), active_only=True)
        try:
            customer = services.customer_create(by=request.user, data=_customer_data(request.POST), contacts=contacts,
                                                owner=owner, confirm_duplicates=d["confirm_duplicates"])
        except AppError as exc:
            duplicates = isinstance(exc, Conflict)
            for key in list(exc.fields):
                if key.startswith("contacts.0."):
                    exc.fields["contact_" + key.split(".")[-1]] = exc.fields.pop(key)
            form_errors(form, exc)
        else:
            messages.success(request, _("Customer {name} created.").format(name=customer.name))
            return redirect("crm:customer_detail", customer_id=customer.pk)
    return render(request, "crm/customer_form.html", {"form": form, "duplicates": duplicates, "creating": True})


@require_POST
@page_view
def customer_validate_field(request):
    """Inline validation while typing: the same validator the service uses, for one field."""
    field = request.POST.get("field", "")
    value = request.POST.get(field, "")
    if field.startswith("contact_"):
        _cleaned, errors = clean_contact({"name": "-", field.removeprefix("contact_"): value})
        errors = errors.get(field.removeprefix("contact_"), [])
    elif field in CUSTOMER_FIELDS:
        _cleaned, errors = clean_customer({field: value}, Lookups.load(), partial=True)
        errors = errors.get(field, [])
    else:
        errors = []
    html = "".join(f'<div class="invalid-feedback d-block">{escape(str(m))}</div>' for m in errors)
    return HttpResponse(html)


@page_view
def customer_detail(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    contacts = [(c, selectors.phone_for(request.user, customer, c.phone)) for c in customer.contacts.all()]
    return render(request, "crm/customer_detail.html", {
        "customer": customer, "contacts": contacts,
        "timeline": selectors.customer_timeline(user=request.user, customer=customer),
        "can_edit": customer.can("edit", by=request.user),
        "can_reveal": selectors.can_reveal_phones(request.user, customer),
        "can_reassign": customer.can("reassign", by=request.user),
        "followup_overdue": bool(customer.next_followup_on and customer.next_followup_on < timezone.localdate()),
        # What the apps above crm add to the file (deals' buttons, the pool's card, reception, visits).
        "panels": collect(CUSTOMER_PANELS, customer=customer, user=request.user, request=request),
        "contact_form": ContactForm(), "reassign_form": ReassignForm(user=request.user),
        "actions": [action for action in CUSTOMER_FLOW.actions(customer.status)
                    if customer.can(action, by=request.user)],
    })


@page_view
def customer_edit(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    if not customer.can("edit", by=request.user):
        return render(request, "core/error.html", {"title": _("Not allowed")}, status=403)
    initial = {f: getattr(customer, f) for f in CUSTOMER_FIELDS if hasattr(customer, f) and f not in ("region", "group")}
    initial.update({"region": customer.region_id or "", "group": customer.group_id or "",
                    "collected_on": customer.collected_on.isoformat() if customer.collected_on else ""})
    form = EditCustomerForm(request.POST or None, initial=initial, user=request.user)
    duplicates = False
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(by=request.user, customer=customer, data=_customer_data(request.POST),
                                     confirm_duplicates=form.cleaned_data["confirm_duplicates"])
        except AppError as exc:
            duplicates = isinstance(exc, Conflict)
            form_errors(form, exc)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("crm:customer_detail", customer_id=customer.pk)
    return render(request, "crm/customer_form.html", {"form": form, "customer": customer, "duplicates": duplicates})


@page_view
def customer_sheet_edit(request, customer_id: int):
    """The target-customer information sheet (R17) on the customer file; the visit form fills in the same."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    if not customer.can("edit", by=request.user):
        return render(request, "core/error.html", {"title": _("Not allowed")}, status=403)
    form = TargetSheetForm(request.POST or None, initial=TargetSheetForm.initial_for(customer))
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update_sheet(by=request.user, customer_id=customer.pk, data=form.service_data(),
                                           note=_("Customer file"))
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Target-customer sheet saved."))
            return redirect("crm:customer_detail", customer_id=customer.pk)
    return render(request, "crm/customer_sheet_form.html", {"form": form, "customer": customer},
                  status=400 if request.method == "POST" else 200)


@require_POST
@page_view
def customer_reassign(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = ReassignForm(request.POST, user=request.user)
    if form.is_valid():
        owner = user_find(_int(form.cleaned_data["owner"]))
        try:
            services.customer_reassign(by=request.user, customer=customer, owner=owner, note=form.cleaned_data["note"])
            messages.success(request, _("Customer reassigned to {name}.").format(name=owner.display_name))
        except AppError as exc:
            messages.error(request, str(exc.message))
    else:
        messages.error(request, _("Choose a new owner."))
    return redirect("crm:customer_detail", customer_id=customer.pk)


@require_POST
@page_view
def customer_status(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    action = request.POST.get("action")
    service = {"archive": services.customer_archive, "restore": services.customer_restore}.get(action)
    try:
        if service is None:
            raise AppError("invalid_action", _("Unknown action."))
        service(by=request.user, customer=customer)
        messages.success(request, _("Customer updated."))
    except AppError as exc:
        messages.error(request, str(exc.message))
    return redirect("crm:customer_detail", customer_id=customer.pk)


@require_POST
@page_view
def customer_reveal(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    contacts = services.customer_reveal_phones(by=request.user, customer=customer)
    return render(request, "crm/customer_detail.html#contacts", {
        "customer": customer, "contacts": [(c, c.phone) for c in contacts], "revealed": True,
        "can_edit": customer.can("edit", by=request.user)})


@require_POST
@page_view
def contact_add(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_add(by=request.user, customer=customer, data=form.cleaned_data)
            messages.success(request, _("Contact added."))
        except AppError as exc:
            messages.error(request, "; ".join(str(m) for ms in exc.fields.values() for m in ms) or str(exc.message))
    else:
        messages.error(request, _("The contact's name is required."))
    return redirect("crm:customer_detail", customer_id=customer.pk)


@require_POST
@page_view
def contact_remove(request, customer_id: int, contact_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    services.contact_remove(by=request.user, customer=customer, contact_id=contact_id)
    messages.success(request, _("Contact removed."))
    return redirect("crm:customer_detail", customer_id=customer.pk)


@page_view
def customer_export(request):
    if not has_capability(request.user, "customer.export"):
        return render(request, "core/error.html", {"title": _("Not allowed")}, status=403)
    # Issue #15: audited, and above the person's row limit an approval first (salesflow/exports).
    return export_or_ask(request, kind=CUSTOMER_EXPORT_KIND)


CUSTOMER_IMPORT = import_pages.ImportPages(
    kind=CUSTOMER_IMPORT_KIND, namespace="crm", start_template="crm/import_start.html",
    detail_template="crm/import_detail.html", title=gettext_lazy("Import customers"), list_url="crm:customer_list",
    list_label=gettext_lazy("Customer files"), open_label=gettext_lazy("Open the customer list"))


import_start, import_detail, import_cancel = import_pages.page_views(CUSTOMER_IMPORT)


@page_view
def group_list(request):
    if not has_capability(request.user, "customer.master_data"):
        return render(request, "core/error.html", {"title": _("Not allowed")}, status=403)
    errors = {}
    if request.method == "POST":
        try:
            group = services.customer_group_create(by=request.user, name=request.POST.get("name", ""),
                                                   description=request.POST.get("description", ""))
        except AppError as exc:
            errors = exc.fields
        else:
            messages.success(request, _("Customer group {name} created.").format(name=group.name))
            return redirect("crm:group_list")
    groups = selectors.customer_group_list(user=request.user, with_counts=True)
    return render(request, "crm/group_list.html", {"groups": groups, "errors": errors, "data": request.POST})
