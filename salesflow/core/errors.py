"""One application error type: services raise it with a stable code; the API and the pages translate it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class AppError(Exception):
    """A refusal the caller can understand: a stable ``code``, a translated ``message``, per-field details."""

    status = 400

    def __init__(self, code: str, message, *, fields: dict | None = None, status: int | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status

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

    def __init__(self, message=None, code: str = "not_found"):
        super().__init__(code, message or _("Not found."))


class PermissionRefused(AppError):
    status = 403

    def __init__(self, message=None, code: str = "permission_denied"):
        super().__init__(code, message or _("You do not have permission to do this."))


class Conflict(AppError):
    status = 409

    def __init__(self, code: str, message, *, fields: dict | None = None):
        super().__init__(code, message, fields=fields)
