from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, credentials, *args, **kwargs):
    """django-axes calls this when a username/IP pair has failed too often."""
    message = _("Too many failed sign-in attempts. Try again in 15 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_many_attempts", "message": message, "fields": {}}, status=429)
    return render(request, "registration/locked.html", {"message": message}, status=429)


def record_failed_login(sender, credentials, request=None, **kwargs):
    """Every failed sign-in lands in the audit trail (django-axes also counts it for the lockout)."""
    from . import events

    username = str((credentials or {}).get("username", ""))[:150]
    events.USER_LOGIN_FAILED.record(by=None, object_type="org.user", object_repr=username,
                                    note=request.path if request is not None else "")
