"""Puts the caller's IP where the audit events written during this request find it (``audit.context``)."""

from . import context as audit_context


def client_ip(request) -> str:
    # Behind a trusted proxy, the first X-Forwarded-For hop is the client (set TRUST_PROXY=1).
    from django.conf import settings

    if getattr(settings, "TRUST_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or ""


class RequestContextMiddleware:
    """Makes the caller's IP available to audit events written by services during this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit_context.set_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            audit_context.reset_ip(token)
