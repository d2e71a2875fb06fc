"""The JSON API under /api/v1/: session auth (with CSRF) for the browser, Bearer tokens for integrations.

Errors are always ``{"code", "message", "fields"}`` with a 4xx status for the caller's mistakes.
"""

from __future__ import annotations

import json
import re

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from salesflow.core.errors import AppError, ValidationFailed
from salesflow.core.parsers import TEXT_MESSAGE, has_bad_text
from salesflow.org.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSession(SessionAuth):
    def _get_key(self, request):
        # CSRF guards a signed-in browser session only: without one there is nothing to forge, and the caller
        # is told to sign in (401 not_authenticated), not that a CSRF check failed (403).
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


BIGINT = 2**63 - 1  # every id and count column; a larger number overflows the database's parameter (a 500)
_WHOLE = re.compile(r"^[+-]?\d{19,}$")


def _refusals(value, path: str, found: dict, *, query: bool = False) -> None:
    if isinstance(value, str):
        if has_bad_text(value):
            found.setdefault(path or "request", []).append(str(TEXT_MESSAGE))
        elif query and _WHOLE.match(value) and abs(int(value)) > BIGINT:
            found.setdefault(path, []).append(_("Enter a whole number from {low} to {high}.").format(
                low=-BIGINT, high=BIGINT))
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > BIGINT:
        found.setdefault(path or "request", []).append(_("Enter a whole number from {low} to {high}.").format(
            low=-BIGINT, high=BIGINT))
    elif isinstance(value, dict):
        for key, item in value.items():
            _refusals(str(key), path, found)
            _refusals(item, f"{path}.{key}" if path else str(key), found, query=query)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refusals(item, f"{path}.{index}" if path else str(index), found, query=query)


class BodyUnreadable(Exception):
    """A request body that is not JSON (or not UTF-8): ninja wraps it in an HttpError, ``on_http_error`` answers."""


class TextCheckingParser(Parser):
    """Every value of a JSON body, a query string or a form is checked here, once for the whole API, before any
    schema, service or database sees it: text by ``parsers.check_text``'s rule (control characters — \\t \\n \\r
    allowed —, NUL or a lone surrogate), numbers within the database's 64-bit range (a query value is text: one of
    19 or more digits beyond that range is refused too — no search here is for such a number). A refusal is a 400
    ``validation_error`` under the field's path."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            raise BodyUnreadable from exc
        self._check(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        self._check({k: v for k, v in result.items() if isinstance(v, str | list)}, query=True)
        return result

    @staticmethod
    def _check(data, *, query: bool = False) -> None:
        found: dict[str, list[str]] = {}
        _refusals(data, "", found, query=query)
        if found:
            raise ValidationFailed(found)


api = NinjaAPI(
    title="Salesflow API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), ActiveSession()],
    docs_url="/docs",
    parser=TextCheckingParser(),
)


def _error(request, status: int, code: str, message, fields=None):
    return api.create_response(request, {"code": code, "message": str(message), "fields": fields or {}}, status=status)


@api.exception_handler(AppError)
def on_app_error(request, exc: AppError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "filters")]
        fields.setdefault(".".join(loc) or "request", []).append(str(err.get("msg", "")))
    return _error(request, 400, "validation_error", _("Some fields are not valid."), fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "not_authenticated", _("Sign in or send a valid API token."))


@api.exception_handler(Http404)
def on_404(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, AppError):  # the parser's refusal, wrapped by ninja's body reader
        return api.create_response(request, cause.as_dict(), status=cause.status)
    if exc.status_code == 400 and cause is not None:  # ninja could not read the body (BodyUnreadable, multipart)
        return _error(request, 400, "invalid_body", _("The request body could not be read: send JSON (UTF-8)."))
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return _error(request, 413, "request_too_large", _("The request is too large."))


from salesflow.approvals.api import policy_router as approval_policy_router  # noqa: E402
from salesflow.approvals.api import router as approvals_router  # noqa: E402
from salesflow.audit.api import router as audit_router  # noqa: E402
from salesflow.crm.api import groups_router  # noqa: E402
from salesflow.crm.api import router as crm_router  # noqa: E402
from salesflow.deals.discounts.api import router as deals_router  # noqa: E402
from salesflow.deals.opportunity_api import pipeline_router  # noqa: E402
from salesflow.deals.opportunity_api import router as opportunities_router  # noqa: E402
from salesflow.exports.api import router as exports_router  # noqa: E402
from salesflow.leads.api import router as leads_router  # noqa: E402
from salesflow.org.api import auth_router, org_router  # noqa: E402
from salesflow.pool.api import release_router as customer_release_router  # noqa: E402
from salesflow.pool.api import router as customer_pool_router  # noqa: E402
from salesflow.reception.api import prospects_router, records_router  # noqa: E402
from salesflow.visits.api import logs_router as visit_logs_router  # noqa: E402
from salesflow.visits.api import plans_router as visit_plans_router  # noqa: E402
from salesflow.visits.api import today_router, work_logs_router  # noqa: E402

api.add_router("/auth", auth_router)
api.add_router("", org_router)
api.add_router("/customers", crm_router)
api.add_router("/customers", customer_release_router)  # POST /customers/{id}/release: the pool's
api.add_router("/customer-groups", groups_router)
api.add_router("/audit-events", audit_router)
api.add_router("/approvals", approvals_router)
api.add_router("/approval-policies", approval_policy_router)
api.add_router("/discount-requests", deals_router)
api.add_router("/opportunities", opportunities_router)
api.add_router("/pipeline", pipeline_router)
api.add_router("/leads", leads_router)
api.add_router("/customer-pool", customer_pool_router)
api.add_router("/visit-plans", visit_plans_router)
api.add_router("/visit-logs", visit_logs_router)
api.add_router("/today", today_router)
api.add_router("/work-logs", work_logs_router)
api.add_router("/reception-records", records_router)
api.add_router("/prospects", prospects_router)
api.add_router("/exports", exports_router)
