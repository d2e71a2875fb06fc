"""Document numbers (ADR 0007): ``next_number(DocumentSeries.INVOICE)`` → ``"FP-2026-000123"``.

The number is taken in the caller's transaction, on the locked counter row of the series and year, so numbers are
unique and consecutive, and a transaction that rolls back gives its number back (the next caller gets it): the
gap-free register the law wants for invoices and receipts. The lock is held until the caller commits, so concurrent
documents of one series queue for a moment: take the number as the last step before saving the document.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesflow.core.errors import AppError

from . import error_codes as codes
from .models import NumberCounter
from .series import Series, configured


def series_for(series: str) -> Series:
    found = configured(str(series))
    if found is None:
        raise AppError(codes.NUMBERING_UNKNOWN_SERIES,
                       _("There is no document number series “{series}”.").format(series=series))
    return found


def next_number(series: str, *, on: dt.date | None = None) -> str:
    """The next number of ``series`` in the year of ``on`` (default: today in the company's time zone)."""
    spec = series_for(series)
    year = (on or timezone.localdate()).year
    if transaction.get_connection().in_atomic_block:
        return _take(spec, year)
    if spec.gap_free:
        # In autocommit the number would be committed at once, and a document that then fails to save leaves
        # a hole in the register.
        raise RuntimeError(f"a {spec.code} number must be taken inside the transaction that saves the document")
    with transaction.atomic():
        return _take(spec, year)


def _take(spec: Series, year: int) -> str:
    counter = _locked_counter(spec.code, year)
    counter.last_number += 1
    counter.save(update_fields=["last_number", "updated_at"])
    return spec.render(year=year, number=counter.last_number)


def _locked_counter(series: str, year: int) -> NumberCounter:
    locked = NumberCounter.objects.select_for_update()
    counter = locked.filter(series=series, year=year).first()
    if counter is None:
        # The first number of a year: two requests may both find no row. INSERT … ON CONFLICT DO NOTHING (INSERT OR
        # IGNORE on SQLite) makes the second wait for the first's row and then lock it, instead of failing on the
        # unique constraint; if the first rolls back, the second's row is the one inserted.
        NumberCounter.objects.bulk_create([NumberCounter(series=series, year=year)], ignore_conflicts=True)
        counter = locked.get(series=series, year=year)
    return counter
