"""Discount request pages (优惠申请, R13): list, draft, edit, submit to the approval engine, withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.approvals import selectors as approval_selectors
from salesflow.approvals.blocks import approval_block
from salesflow.core.errors import AppError, NotFound, PermissionRefused
from salesflow.core.pages import form_errors, page_view, paginate, querystring_without
from salesflow.crm import selectors as crm_selectors
from salesflow.org.roles import has_capability

from . import selectors, services
from .approval import DOCUMENT_TYPE
from .forms import DiscountForm, NewDiscountForm
from .models import DiscountStatus


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _data(cleaned: dict) -> dict:
    return {key: cleaned.get(key, "") for key in ("amount", "discount_percent", "reason", "terms")}


@page_view
def discount_list(request):
    if not has_capability(request.user, "customer.view"):
        raise PermissionDenied
    status = request.GET.get("status", "")
    status = status if status in DiscountStatus.values else ""
    mine = request.GET.get("mine") == "1"
    customer_id = _int(request.GET.get("customer"))
    page = paginate(request, selectors.discount_list(user=request.user, status=status, mine=mine,
                                                     customer_id=customer_id))
    return render(request, "deals/discount_list.html", {
        "page": page, "status": status, "mine": mine, "customer_id": customer_id or "",
        "statuses": DiscountStatus.choices, "querystring": querystring_without(request, "page"),
        "can_request": has_capability(request.user, "discount.request")})


@page_view
def discount_create(request):
    if not has_capability(request.user, "discount.request"):
        raise PermissionDenied
    preselected = None
    customer_id = _int(request.GET.get("customer"))
    if customer_id:
        try:
            preselected = crm_selectors.customer_get(user=request.user, customer_id=customer_id)
        except NotFound:
            preselected = None
    form = NewDiscountForm(request.POST or None, user=request.user, preselected=preselected,
                           initial={"customer": preselected.pk if preselected else ""})
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.discount_create(by=request.user, customer_id=form.cleaned_data["customer"],
                                           data=_data(form.cleaned_data))
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Discount request {number} saved as a draft.").format(number=doc.number))
            return redirect("deals:discount_detail", discount_id=doc.pk)
    return render(request, "deals/discount_form.html", {"form": form, "creating": True, "customer": preselected})


@page_view
def discount_detail(request, discount_id: int):
    doc = selectors.discount_get(user=request.user, discount_id=discount_id)
    approval = approval_selectors.request_for_document(user=request.user, document_type=DOCUMENT_TYPE,
                                                       document_id=doc.pk)
    context = {
        "doc": doc, "is_author": doc.is_owner(request.user),
        "can_edit": doc.can("edit", by=request.user),
        "can_submit": doc.can("submit", by=request.user),
        "can_withdraw": doc.can("withdraw", by=request.user),
    }
    if approval is not None:
        context.update(approval_block(approval, user=request.user))
    return render(request, "deals/discount_detail.html", context)


@page_view
def discount_edit(request, discount_id: int):
    doc = selectors.discount_get(user=request.user, discount_id=discount_id)
    if not doc.permitted("edit", by=request.user):
        raise PermissionDenied
    if not doc.open_for("edit"):
        messages.error(request, _("Only a draft can be edited; withdraw the request first."))
        return redirect("deals:discount_detail", discount_id=doc.pk)
    initial = {"amount": doc.amount, "discount_percent": doc.discount_percent, "reason": doc.reason, "terms": doc.terms}
    form = DiscountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.discount_update(by=request.user, discount_id=doc.pk, data=_data(form.cleaned_data))
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Discount request saved."))
            return redirect("deals:discount_detail", discount_id=doc.pk)
    return render(request, "deals/discount_form.html", {"form": form, "doc": doc, "customer": doc.customer})


def _refused(request, exc: AppError) -> None:
    details = " ".join(str(m) for ms in exc.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms]))
    messages.error(request, f"{exc.message} {details}".strip())


@require_POST
@page_view
def discount_submit(request, discount_id: int):
    doc = selectors.discount_get(user=request.user, discount_id=discount_id)
    try:
        services.discount_submit(by=request.user, discount_id=doc.pk)
    except (NotFound, PermissionRefused):
        raise
    except AppError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Submitted for approval (R13: the reviews reach the general manager the same working day)."))
    return redirect("deals:discount_detail", discount_id=doc.pk)


@require_POST
@page_view
def discount_withdraw(request, discount_id: int):
    doc = selectors.discount_get(user=request.user, discount_id=discount_id)
    try:
        services.discount_withdraw(by=request.user, discount_id=doc.pk)
    except (NotFound, PermissionRefused):
        raise
    except AppError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Withdrawn: the request is a draft again."))
    return redirect("deals:discount_detail", discount_id=doc.pk)
