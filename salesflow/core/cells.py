"""What goes into a spreadsheet cell on the way out: every export writes its cells through ``safe_cell``."""

from __future__ import annotations

from .parsers import scrub_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value):
    """Text a spreadsheet can hold and will not run: characters the xlsx format cannot store (C0 controls, NUL,
    lone surrogates — openpyxl refuses them and the whole export failed) are scrubbed, and text that would run as
    a formula (CSV/formula injection) is prefixed with '."""
    if not isinstance(value, str):
        return value
    value = scrub_text(value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
