"""The public pool's pages: the customers' pool (list, claim, assignment from the pool, release to it) and the
pool policies per unit (a tab of the lead-rule pages)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError, PermissionRefused
from salesflow.core.pages import form_errors, page_view, paginate, querystring_without
from salesflow.crm.choices import PROVINCE_CHOICES, Industry, Tier
from salesflow.crm.selectors import phone_for
from salesflow.org.roles import Scope, has_capability
from salesflow.org.scope import data_scope
from salesflow.org.selectors import assignable_users

from . import selectors, services
from .forms import PolicyForm
from .models import PoolPolicy
from .policies import DEFAULT_POLICY, PolicyBook

RELEASE_REASONS = [
    # Offered as suggestions (a datalist); any reason may be typed.
    "客户暂无采购需求", "多次联系不上", "非目标客户", "客户已与竞争对手签约", "与其他客户重复",
]


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


# --- the customers' pool ---------------------------------------------------------------------------------

def _filters(request) -> selectors.CustomerPoolFilters:
    g = request.GET
    provinces = {p for p, _label in PROVINCE_CHOICES}
    return selectors.CustomerPoolFilters(
        q=g.get("q", "").strip()[:100], region=_int(g.get("region")), unit=_int(g.get("unit")),
        province=g.get("province", "") if g.get("province", "") in provinces else "",
        industry=g.get("industry", "") if g.get("industry", "") in Industry.values else "",
        tier=g.get("tier", "") if g.get("tier", "") in Tier.values else "",
        sort=g.get("sort", "-released") if g.get("sort") in selectors.POOL_SORTS else "-released",
    )


@page_view
def customer_pool(request):
    user = request.user
    filters = _filters(request)
    page = paginate(request, selectors.customer_pool_list(user=user, filters=filters))
    rows = [(c, phone_for(user, c, c.primary_phone or "")) for c in page.object_list]
    can_assign = has_capability(user, "customer.reassign")
    context = {
        "page": page, "rows": rows, "filters": filters, "querystring": querystring_without(request, "page"),
        "regions": selectors.region_choices(),
        "provinces": PROVINCE_CHOICES, "industries": Industry.choices, "tiers": Tier.choices,
        "sorts": selectors.POOL_SORT_LABELS.items(),
        "can_claim": has_capability(user, "customer.claim"),
        "can_assign": can_assign,
        "owners": list(assignable_users(user=user)) if can_assign else [],
        # A rep sees pool customers only here (their detail page is for owners and those above).
        "can_open": data_scope(user).kind in (Scope.UNIT, Scope.ALL),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "pool/customer_pool.html#results", context)
    return render(request, "pool/customer_pool.html", context)


def _error(request, exc: AppError) -> None:
    detail = "; ".join(str(m) for ms in exc.fields.values() for m in ms)
    messages.error(request, " ".join(filter(None, [str(exc.message), detail])))


@require_POST
@page_view
def customer_pool_claim(request, customer_id: int):
    try:
        customer = services.customer_pool_claim(by=request.user, customer_id=customer_id)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        _error(request, exc)
        return redirect("pool:customer_pool")
    messages.success(request, _("Customer {name} is yours now.").format(name=customer.name))
    return redirect("crm:customer_detail", customer_id=customer.pk)


@require_POST
@page_view
def customer_pool_assign(request, customer_id: int):
    owner = selectors.active_user(user_id=_int(request.POST.get("owner")))
    if owner is None:
        messages.error(request, _("Choose a new owner."))
        return redirect("pool:customer_pool")
    try:
        customer = services.customer_pool_assign(by=request.user, customer_id=customer_id, owner=owner,
                                                 note=request.POST.get("note", ""))
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        _error(request, exc)
        return redirect("pool:customer_pool")
    messages.success(request, _("Customer {name} assigned to {owner}.").format(name=customer.name,
                                                                                 owner=owner.display_name))
    if request.POST.get("next") == "detail":
        return redirect("crm:customer_detail", customer_id=customer.pk)
    return redirect("pool:customer_pool")


@require_POST
@page_view
def customer_release(request, customer_id: int):
    try:
        customer = services.customer_release(by=request.user, customer_id=customer_id,
                                             reason=request.POST.get("reason", ""))
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        _error(request, exc)
        return redirect("crm:customer_detail", customer_id=customer_id)
    messages.success(request, _("Customer {name} returned to the pool.").format(name=customer.name))
    return redirect("pool:customer_pool")


# --- pool policies (the first tab of the lead-rule pages) ---------------------------------------------------

def _require_configure(request) -> None:
    if not has_capability(request.user, "lead.configure"):
        raise PermissionRefused()


def _values(policy: PoolPolicy) -> dict:
    return {field: getattr(policy, field) for field in services.POLICY_FIELDS}


@page_view
def policy_list(request):
    """Every unit the user may configure, with the rules in force and where they come from."""
    _require_configure(request)
    user = request.user
    book = PolicyBook()
    company = has_capability(user, "lead.configure_company")
    names = selectors.unit_names()
    rows = []
    for unit in selectors.policy_units(user=user):
        own = book.policies.get(unit.pk)
        effective = own or book.nearest_inherited(unit)
        rows.append({"unit": unit, "own": own is not None, "policy": effective, "indent": range(unit.depth),
                     "source": names.get(effective.unit_id) if effective.unit_id else None})
    default = book.policies.get(None) or DEFAULT_POLICY
    return render(request, "pool/config_policies.html", {
        "rows": rows, "default": default, "can_edit_default": company, "tab": "policies"})


@page_view
def policy_edit(request, unit_id: int | None = None):
    _require_configure(request)
    user = request.user
    unit = None
    if unit_id is not None:
        unit = selectors.policy_unit(unit_id=unit_id)
        if unit is None or not services.can_configure_unit(user, unit):
            raise Http404(_("Unit not found."))
    elif not services.can_configure_unit(user, None):
        raise PermissionRefused(_("Only the sales director or the administrator may change the company default."))
    book = PolicyBook()
    own = book.policies.get(unit.pk if unit else None)
    inherited = book.nearest_inherited(unit) if unit is not None else None
    shown = own or inherited or DEFAULT_POLICY
    form = PolicyForm(request.POST or None, initial=_values(shown))
    if request.method == "POST":
        try:
            services.policy_save(by=user, unit=unit, data=request.POST)
        except AppError as exc:
            form.is_valid()
            form_errors(form, exc)
        else:
            messages.success(request, _("Pool policy saved."))
            return redirect("pool:config_policies")
    source = None
    if inherited is not None:
        source = inherited.unit.name if inherited.unit_id else _("Company default")
    return render(request, "pool/config_policy_form.html", {
        "form": form, "unit": unit, "own": own is not None, "source": source, "tab": "policies"})


@require_POST
@page_view
def policy_remove(request, unit_id: int):
    _require_configure(request)
    unit = selectors.policy_unit(unit_id=unit_id, active_only=False)
    if unit is None:
        raise Http404(_("Unit not found."))
    services.policy_remove(by=request.user, unit=unit)
    messages.success(request, _("{unit} inherits its rules again.").format(unit=unit.name))
    return redirect("pool:config_policies")
