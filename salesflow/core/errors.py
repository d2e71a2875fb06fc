"""One application error type: services raise it with a stable code; the API and the pages translate it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext_lazy as _

# The refusals raised while serving one request, as (kind, code): the audit middleware turns them into security
# events once the request has its response — outside the service's transaction, which the refusal rolls back.
# Collected where they are raised, because most pages catch them and answer in place (a message, a form error).
_refusals: ContextVar[list[tuple[str, str]] | None] = ContextVar("salesflow_refusals", default=None)


@contextmanager
def collect_refusals() -> Iterator[list[tuple[str, str]]]:
    collected: list[tuple[str, str]] = []
    token = _refusals.set(collected)
    try:
        yield collected
    finally:
        _refusals.reset(token)


class AppError(Exception):
    """A refusal the caller can understand: a stable ``code``, a translated ``message``, per-field details.

    ``refusal`` names the kind of security refusal it is ("not_found", "forbidden", "invalid_transition",
    "self_approval"), or None for an ordinary mistake (a missing field, a duplicate)."""

    status = 400
    refusal: str | None = None

    def __init__(self, code: str, message, *, fields: dict | None = None, status: int | None = None,
                 refusal: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status
        if refusal is not None:
            self.refusal = refusal
        elif self.refusal is None:
            self.refusal = {403: "forbidden", 404: "not_found"}.get(self.status)
        collected = _refusals.get()
        if self.refusal and collected is not None:
            collected.append((self.refusal, code))

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])] for k, v in self.fields.items()},
        }


class ValidationFailed(AppError):
    status = 400

    def __init__(self, fields: dict, message=None, code: str = "validation_error"):
        super().__init__(code, message or _("Some fields are not valid."), fields=fields)


class NotFound(AppError):
    """Also what another user's record looks like: 'not yours' and 'missing' are indistinguishable."""

    status = 404
    refusal = "not_found"

    def __init__(self, message=None, code: str = "not_found"):
        super().__init__(code, message or _("Not found."))


class PermissionRefused(AppError):
    status = 403
    refusal = "forbidden"

    def __init__(self, message=None, code: str = "permission_denied", *, refusal: str | None = None):
        super().__init__(code, message or _("You do not have permission to do this."), refusal=refusal)


class Conflict(AppError):
    status = 409

    def __init__(self, code: str, message, *, fields: dict | None = None):
        super().__init__(code, message, fields=fields)
