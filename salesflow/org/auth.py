from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, credentials, *args, **kwargs):
    """django-axes calls this when a username/IP pair has failed too often."""
    message = _("Too many failed sign-in attempts. Try again in 15 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_many_attempts", "message": message, "fields": {}}, status=429)
    return render(request, "registration/locked.html", {"message": message}, status=429)
