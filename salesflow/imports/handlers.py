"""What a kind of import plugs into the framework, and the helpers its check and write share.

A kind is an ``ImportHandler`` — its target fields, how it checks the rows, how it writes them — that the app
owning the rows registers in its ``AppConfig.ready`` (so the web process and the worker both know every kind):

    from salesflow.imports.handlers import register
    register(CustomerImport())

The framework never imports a kind's app: it reads the file, keeps the job's state, counts the progress and
calls the handler; the handler writes its own app's rows through its own services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet

if TYPE_CHECKING:
    from .models import ImportJob
    from .services import Progress

PREVIEW_ROWS = 20  # rows shown on the preview
MAX_REPORTED_ERRORS = 1000  # errors and warnings kept with the job (the count is in the message)
OPTIONS = "_options"  # the key of the mapping that holds a handler's options (never a column)


@dataclass
class CheckResult:
    """What a handler's check found: the rows to keep for the write (JSON-serialisable), the errors (which
    block the import), warnings, the first rows for the preview, and a summary line."""

    rows: list | dict
    errors: list[dict]
    warnings: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    message: str = ""


@dataclass
class WriteResult:
    created: int
    message: str = ""


class ImportHandler:
    """One kind of import. Subclasses set the class attributes and implement ``check`` and ``write``."""

    kind: str = ""  # the kind's code, stored on its jobs (ImportJob.kind, at most 16 characters)
    label = ""  # what the kind is called on pages (usually a lazy translation)
    capability: str = ""  # the role capability that may upload this kind (salesflow/org/roles.py)
    # key → (label, header words that map to it automatically); mapped columns are kept as {key: index}.
    targets: dict[str, tuple] = {}
    # Targets that must be mapped, with the message when one is not.
    required: dict[str, object] = {}

    def clean_options(self, *, by, stage: str, data: dict) -> dict:
        """Settings chosen beside the columns ("mapping") or on the preview ("confirm"); stored in the
        mapping under ``OPTIONS``. Raise ValidationFailed for a bad value."""
        return {}

    def check(self, *, job: ImportJob, rows: list[list], progress: Progress) -> CheckResult:
        """Check every row (no query per row); nothing is written to the business tables."""
        raise NotImplementedError

    def write(self, *, job: ImportJob, rows: list | dict, progress: Progress) -> WriteResult:
        """Runs inside the import's one transaction; raise an AppError to refuse (nothing is written)."""
        raise NotImplementedError


HANDLERS: dict[str, ImportHandler] = {}


def register(handler: ImportHandler) -> None:
    """Called from the owning app's AppConfig.ready; registering a kind again replaces it."""
    from .models import ImportJob

    if not handler.kind or len(handler.kind) > ImportJob._meta.get_field("kind").max_length:
        raise ImproperlyConfigured(f"Import kind {handler.kind!r}: the code is empty or too long.")
    HANDLERS[handler.kind] = handler


def handler_for(kind: str) -> ImportHandler:
    """The registered handler of a kind; a kind nobody registered is refused (KeyError)."""
    try:
        return HANDLERS[kind]
    except KeyError:
        raise KeyError(f"No import handler is registered for the kind {kind!r}.") from None


def kind_label(kind: str) -> str:
    """The kind's name for a page; a stored kind nobody registers any more shows its code."""
    handler = HANDLERS.get(kind)
    return str(handler.label or kind) if handler is not None else kind


# --- helpers for a handler's check and write ------------------------------------------------------------------

def options_of(job: ImportJob) -> dict:
    return dict(job.mapping.get(OPTIONS) or {})


def columns_of(job: ImportJob) -> dict[str, int]:
    return {k: v for k, v in job.mapping.items() if k != OPTIONS}


def cell(row: list, mapping: dict[str, int], key: str):
    index = mapping.get(key)
    if index is None or index >= len(row):
        return ""
    return row[index]


def row_errors(sheet_row: int, errors: dict, targets: dict) -> list[dict]:
    """A handler's per-field errors of one row as report lines (the field shown by its mapping label)."""
    return [{"row": sheet_row, "field": str(targets.get(key, (key,))[0]), "message": str(message)}
            for key, messages in errors.items() for message in messages]


def values_in(model: type[models.Model], column: str, values: Iterable, *, fields: tuple[str, ...],
              queryset: QuerySet | None = None) -> list[tuple]:
    """Rows whose ``column`` is one of ``values``, read in chunks (one query per 900 values, not per row)."""
    wanted = sorted({v for v in values if v})
    qs = queryset if queryset is not None else model.objects.all()
    found: list[tuple] = []
    for i in range(0, len(wanted), 900):
        found.extend(qs.filter(**{f"{column}__in": wanted[i:i + 900]}).values_list(*fields))
    return found
