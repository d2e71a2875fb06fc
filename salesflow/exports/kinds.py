"""The lists that can be exported. The app that owns a list registers its kind in its ``AppConfig.ready`` (the way
the import kinds register their handlers), so this app, below them, never imports them:

    register(ExportKind(code="crm.customers", label=_("Customers"), filters=…, queryset=…, write=…, …))
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from salesflow.core.errors import AppError

from . import error_codes as codes

# The frozen filters keep at most this many parameters of this length (a list's filters are a handful of short
# values; anything else in the query string is not a filter).
MAX_PARAMS = 20
MAX_PARAM_LENGTH = 200


@dataclass(frozen=True)
class ExportKind:
    code: str  # "crm.customers": stored on export requests and in the audit trail, never changes
    label: object  # translated name of the list
    filters: Callable  # (params: mapping of str → str) -> the list's filters object (a dataclass)
    queryset: Callable  # (user, filters) -> the rows in the user's data scope
    write: Callable  # (user, queryset) -> a file object positioned at 0 (the .xlsx)
    filename: str  # "customers" → customers-20250304-1030.xlsx
    capability: str | None = None  # the role capability an export of this list needs, if any
    list_url: Callable | None = None  # () -> the list page, for the "back" links


KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> None:
    KINDS[kind.code] = kind


def kind_for(code: str) -> ExportKind:
    try:
        return KINDS[code]
    except KeyError:
        raise AppError(codes.EXPORT_UNKNOWN_KIND, _("There is no such list to export."), status=400) from None


def freeze_params(params) -> dict[str, str]:
    """The query string's single values, bounded, as plain data for the export request (page is no filter)."""
    frozen = {}
    for key in list(params.keys())[:MAX_PARAMS]:
        if key in ("page", "kind", "csrfmiddlewaretoken") or len(key) > 40:
            continue
        value = params.get(key)
        if isinstance(value, str) and value != "":
            frozen[key] = value[:MAX_PARAM_LENGTH]
    return frozen


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def describe_filters(filters) -> dict:
    """The filters in force, as stored in the audit trail: the set ones only (no defaults' noise)."""
    if dataclasses.is_dataclass(filters):
        items = dataclasses.asdict(filters).items()
    else:
        items = dict(filters or {}).items()
    return {k: _plain(v) for k, v in items if v not in (None, "", False, [], ())}
