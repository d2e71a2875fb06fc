from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError
from salesflow.core.pages import form_errors, page_view, paginate, querystring_without

from . import selectors, services
from .forms import DeactivateForm, UnitForm, UserForm
from .roles import Role, has_capability


def _require_admin(request):
    if not has_capability(request.user, "org.manage"):
        raise PermissionDenied


@page_view
def unit_list(request):
    _require_admin(request)
    return render(request, "org/unit_list.html", {"units": selectors.org_unit_list(user=request.user)})


@page_view
def unit_edit(request, unit_id: int | None = None):
    _require_admin(request)
    unit = selectors.unit_named(unit_id) if unit_id else None
    initial = {}
    if unit:
        initial = {f: getattr(unit, f) for f in ("name", "code", "kind", "province", "operated_by", "partner_name",
                                                 "robot_url")}
        initial["parent"] = unit.parent
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if unit:
                data.pop("kind")
                services.org_unit_update(by=request.user, unit=unit, **data)
            else:
                unit = services.org_unit_create(by=request.user, **data)
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Unit saved."))
            return redirect("org:unit_list")
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


@page_view
def user_list(request):
    _require_admin(request)
    active = {"1": True, "0": False}.get(request.GET.get("active", "1"))
    qs = selectors.user_list(user=request.user, q=request.GET.get("q", "")[:50], role=request.GET.get("role", ""),
                             active=active)
    return render(request, "org/user_list.html", {
        "page": paginate(request, qs, 50), "roles": Role.choices, "querystring": querystring_without(request, "page")})


@page_view
def user_edit(request, user_id: int | None = None):
    _require_admin(request)
    target = selectors.user_get(user=request.user, user_id=user_id) if user_id else None
    initial = {}
    if target:
        initial = {f: getattr(target, f) for f in ("username", "name", "email", "phone", "role", "unit", "manager")}
        initial["additional_roles"] = target.role_list[1:]
    form = UserForm(request.POST or None, initial=initial)
    if target:
        form.fields["username"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data.pop("password")
        try:
            if target:
                data.pop("username")
                # One save: a refused password leaves the other changes (the roles too) unwritten.
                with transaction.atomic():
                    services.user_update(by=request.user, user=target, **data)
                    if password:
                        services.user_set_password(by=request.user, user=target, password=password)
            else:
                target = services.user_create(by=request.user, password=password, **data)
        except AppError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("User saved."))
            return redirect("org:user_list")
    return render(request, "org/user_form.html", {"form": form, "target": target,
                                                  "deactivate_form": DeactivateForm()})


@require_POST
@page_view
def user_deactivate(request, user_id: int):
    _require_admin(request)
    target = selectors.user_get(user=request.user, user_id=user_id)
    form = DeactivateForm(request.POST)
    form.is_valid()
    try:
        moved = services.user_deactivate(by=request.user, user=target, reassign_to=form.cleaned_data.get("reassign_to"))
        messages.success(request, _("User deactivated; {n} records handed over.").format(n=sum(moved.values())))
    except AppError as exc:
        messages.error(request, str(exc.message) + " " + " ".join(str(m) for ms in exc.fields.values() for m in ms))
    return redirect("org:user_edit", user_id=target.pk)


@require_POST
@page_view
def user_reactivate(request, user_id: int):
    _require_admin(request)
    target = selectors.user_get(user=request.user, user_id=user_id)
    services.user_reactivate(by=request.user, user=target)
    messages.success(request, _("User reactivated."))
    return redirect("org:user_edit", user_id=target.pk)
