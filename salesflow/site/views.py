from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.audit.selectors import my_recent_actions
from salesflow.core.errors import AppError
from salesflow.core.pages import page_view, safe_next
from salesflow.org import selectors as org_selectors
from salesflow.org import services as org_services
from salesflow.org.roles import Role, has_capability


class SalesflowLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@page_view
def home(request):
    context = {"recent": my_recent_actions(user=request.user)}
    if has_capability(request.user, "customer.view"):
        from salesflow.crm.selectors import customer_counts

        context.update(customer_counts(user=request.user))
    if request.user.holds(Role.SERVICE):
        # R15: the customer-service supervisor's own customers after the deal ("my service customers").
        from salesflow.crm.selectors import SERVICE_LIST_LIMIT, service_customer_list

        served = service_customer_list(user=request.user)
        context["show_service_customers"] = True
        context["service_customers"] = list(served[:SERVICE_LIST_LIMIT])
        context["service_customer_count"] = (len(context["service_customers"])
                                             if len(context["service_customers"]) < SERVICE_LIST_LIMIT
                                             else served.count())
    return render(request, "site/home.html", context)


@require_POST
def set_language(request):
    from django.conf import settings
    from django.utils import translation

    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        try:
            org_services.user_set_language(by=request.user, language=language)
        except AppError:
            pass
    response = HttpResponseRedirect(safe_next(request, "/"))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    translation.activate(language)
    return response


@page_view
def token_list(request):
    created = None
    show_all = request.GET.get("all") == "1" and has_capability(request.user, "token.manage_all")
    if request.method == "POST":
        try:
            token, raw = org_services.api_token_create(by=request.user, name=request.POST.get("name", ""))
        except AppError as exc:  # the per-person cap of live tokens (issue #15)
            messages.error(request, exc.message)
        else:
            created = raw
            messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    tokens = org_selectors.api_token_list(user=request.user, all_users=show_all)[:200]
    return render(request, "site/tokens.html", {"tokens": tokens, "created": created, "show_all": show_all,
                                                 "can_manage_all": has_capability(request.user, "token.manage_all")})


@require_POST
@page_view
def token_revoke(request, token_id: int):
    org_services.api_token_revoke(by=request.user, token_id=token_id)
    messages.success(request, _("Token revoked."))
    return redirect(safe_next(request, "token_list"))


def not_found(request, exception=None):
    return render(request, "core/error.html", {"title": _("Not found"), "message": _("The page or record does not exist, or you may not see it.")}, status=404)


def forbidden(request, exception=None):
    return render(request, "core/error.html", {"title": _("Not allowed"), "message": _("You do not have permission to do this.")}, status=403)
