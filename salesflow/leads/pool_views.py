"""The customers' public pool (公海客户) pages: the list, claim, assignment from the pool and release to it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError
from salesflow.core.pages import page_view, paginate, querystring_without
from salesflow.crm.choices import PROVINCE_CHOICES, Industry, Tier
from salesflow.crm.selectors import phone_for
from salesflow.org.models import OrgUnit, UnitKind, User
from salesflow.org.roles import Scope, has_capability
from salesflow.org.scope import data_scope
from salesflow.org.selectors import assignable_users

from . import customer_pool as pool_services
from . import selectors

RELEASE_REASONS = [
    # Offered as suggestions (a datalist); any reason may be typed.
    "客户暂无采购需求", "多次联系不上", "非目标客户", "客户已与竞争对手签约", "与其他客户重复",
]


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


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
        "regions": OrgUnit.objects.filter(kind=UnitKind.REGION, is_active=True).order_by("path"),
        "provinces": PROVINCE_CHOICES, "industries": Industry.choices, "tiers": Tier.choices,
        "sorts": selectors.POOL_SORT_LABELS.items(),
        "can_claim": has_capability(user, "customer.claim"),
        "can_assign": can_assign,
        "owners": list(assignable_users(user=user)) if can_assign else [],
        # A rep sees pool customers only here (their detail page is for owners and those above).
        "can_open": data_scope(user).kind in (Scope.UNIT, Scope.ALL),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "leads/customer_pool.html#results", context)
    return render(request, "leads/customer_pool.html", context)


def _error(request, exc: AppError) -> None:
    detail = "; ".join(str(m) for ms in exc.fields.values() for m in ms)
    messages.error(request, " ".join(filter(None, [str(exc.message), detail])))


@require_POST
@page_view
def customer_pool_claim(request, customer_id: int):
    try:
        customer = pool_services.customer_pool_claim(by=request.user, customer_id=customer_id)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        _error(request, exc)
        return redirect("leads:customer_pool")
    messages.success(request, _("Customer {name} is yours now.").format(name=customer.name))
    return redirect("crm:customer_detail", customer_id=customer.pk)


@require_POST
@page_view
def customer_pool_assign(request, customer_id: int):
    owner = User.objects.filter(pk=_int(request.POST.get("owner")), is_active=True).first()
    if owner is None:
        messages.error(request, _("Choose a new owner."))
        return redirect("leads:customer_pool")
    try:
        customer = pool_services.customer_pool_assign(by=request.user, customer_id=customer_id, owner=owner,
                                                      note=request.POST.get("note", ""))
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        _error(request, exc)
        return redirect("leads:customer_pool")
    messages.success(request, _("Customer {name} assigned to {owner}.").format(name=customer.name,
                                                                                 owner=owner.display_name))
    if request.POST.get("next") == "detail":
        return redirect("crm:customer_detail", customer_id=customer.pk)
    return redirect("leads:customer_pool")


@require_POST
@page_view
def customer_release(request, customer_id: int):
    try:
        customer = pool_services.customer_release(by=request.user, customer_id=customer_id,
                                                  reason=request.POST.get("reason", ""))
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        _error(request, exc)
        return redirect("crm:customer_detail", customer_id=customer_id)
    messages.success(request, _("Customer {name} returned to the pool.").format(name=customer.name))
    return redirect("leads:customer_pool")
