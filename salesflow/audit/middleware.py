"""Puts the caller's IP where the audit events written during this request find it (``audit.context``), and
turns the refusals a signed-in caller met during the request into rate-limited security events (``security``)."""

from django.conf import settings

from . import context as audit_context


def _trusted_proxies() -> set[str]:
    import os

    return {a.strip() for a in os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1").split(",") if a.strip()}


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy (TRUST_PROXY=1) the address the proxy saw.

    The one resolver for the audit trail and the login throttle (``AXES_CLIENT_IP_CALLABLE``). A proxy appends the
    address it saw to X-Forwarded-For, after whatever the client sent; so the client is the last entry that is not
    one of our proxies (REMOTE_ADDR, FORWARDED_ALLOW_IPS) — never the first, which the client writes itself and
    could change on every attempt to escape the lockout."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if getattr(settings, "TRUST_PROXY", False):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        proxies = _trusted_proxies() | {remote}
        for hop in reversed(hops):
            if hop not in proxies:
                return hop[:64]
        if hops:
            return hops[0][:64]
    return remote


class RequestContextMiddleware:
    """Makes the caller's IP available to audit events written by services during this request, and records the
    refusals the request met (``security.record_refusals``) once it has its response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from salesflow.core.errors import collect_refusals

        from .security import record_refusals

        token = audit_context.set_ip(client_ip(request))
        try:
            with collect_refusals() as refusals:
                response = self.get_response(request)
            record_refusals(request, response, refusals)
            return response
        finally:
            audit_context.reset_ip(token)
