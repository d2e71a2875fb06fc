"""Security events: who signed in and out, and the refusals a signed-in caller met (issue #15).

Refusals are collected where they are raised (``core.errors.collect_refusals``: every ``AppError`` with a
``refusal`` kind — NotFound, PermissionRefused, InvalidTransition, a self-approval) and written here by the audit
middleware once the request has its response, whatever turned them into it: the API's error handler, a 404/403
page, or a page that said it in place. A 403/404 response with nothing collected (an unknown URL, Django's own
``Http404``/``PermissionDenied``, a CSRF refusal) counts by its status.

Rate-limited, so a crawler cannot flood the trail: at most ``AUDIT_REFUSALS_PER_MINUTE`` events per user, per
kind, per minute, counted in Django's cache (per process with the default local-memory cache, so with N web
workers at most N times that; exact across processes with a shared cache such as Redis). The rest are dropped —
the first ones already show the pattern. Anonymous callers are not recorded: pages send them to sign in, the API
answers 401, and failed sign-ins have their own event (``user.login_failed``, throttled by django-axes).
"""

from __future__ import annotations

import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction

from . import events

log = logging.getLogger(__name__)
# A probe's path may carry NUL, other controls or lone surrogates, which PostgreSQL refuses in text and JSON.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _clean(text: str, limit: int) -> str:
    return _UNSAFE.sub("\ufffd", text)[:limit]

DEFAULT_PER_MINUTE = 10

_EVENTS = {
    "not_found": events.SECURITY_NOT_FOUND,
    "forbidden": events.SECURITY_FORBIDDEN,
    "invalid_transition": events.SECURITY_INVALID_TRANSITION,
    "self_approval": events.SECURITY_SELF_APPROVAL,
}
_BY_STATUS = {404: ("not_found", "not_found"), 403: ("forbidden", "permission_denied")}


def _allowed(user_id: int, kind: str) -> bool:
    limit = getattr(settings, "AUDIT_REFUSALS_PER_MINUTE", DEFAULT_PER_MINUTE)
    key = f"salesflow:refusals:{user_id}:{kind}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # evicted between add and incr: count this one as the first
        cache.add(key, 1, timeout=120)
        return True


def record_refusals(request, response, refusals: list[tuple[str, str]]) -> None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    found = list(dict.fromkeys(refusals))  # one event per kind and code per request
    if not found and response.status_code in _BY_STATUS:
        found = [_BY_STATUS[response.status_code]]
    for kind, code in found:
        event = _EVENTS.get(kind)
        if event is None or not _allowed(user.pk, kind):
            continue
        try:
            # A savepoint: recording a refusal must never turn it into a 500.
            with transaction.atomic():
                event.record(by=user, object_type="", object_repr=_clean(request.path, 255),
                             after={"code": _clean(code, 64), "method": request.method,
                                    "status": response.status_code},
                             note=_clean(f"{request.method} {request.get_full_path()}", 2000))
        except DatabaseError:
            log.exception("could not record a refusal (%s) for user %s", kind, user.pk)


def record_sign_in(sender, request=None, user=None, **kwargs) -> None:
    if user is not None:
        events.USER_LOGGED_IN.record(by=user, obj=user, note=getattr(request, "path", "") or "")


def record_sign_out(sender, request=None, user=None, **kwargs) -> None:
    if user is not None and user.is_authenticated:
        events.USER_LOGGED_OUT.record(by=user, obj=user, note=getattr(request, "path", "") or "")
