"""System check of the NUMBERING setting: a bad format would fail at the first invoice, not at start-up."""

from __future__ import annotations

from string import Formatter

from django.conf import settings
from django.core import checks

from .series import SERIES, configured


@checks.register()
def numbering_setting(app_configs=None, **kwargs):
    errors = []
    overrides = getattr(settings, "NUMBERING", {})
    if not isinstance(overrides, dict):
        return [checks.Error("NUMBERING must be a dict of series → {prefix, format}.", id="numbering.E001")]
    for code, override in overrides.items():
        if code not in SERIES:
            errors.append(checks.Error(f"NUMBERING names an unknown series {code!r}.", hint=f"Known: {sorted(SERIES)}",
                                       id="numbering.E002"))
            continue
        if not isinstance(override, dict) or set(override) - {"prefix", "format"}:
            errors.append(checks.Error(f"NUMBERING[{code!r}] may only set 'prefix' and 'format'.", id="numbering.E003"))
            continue
        series = configured(code)
        try:
            fields = {name for _text, name, _spec, _conv in Formatter().parse(series.format) if name is not None}
            samples = {series.render(year=y, number=n) for y in (2026, 2027) for n in (1, 2)}
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            errors.append(checks.Error(f"NUMBERING[{code!r}] format {series.format!r} does not render: {exc}.",
                                       id="numbering.E004"))
            continue
        if not {"year", "number"} <= fields or len(samples) != 4:
            errors.append(checks.Error(
                f"NUMBERING[{code!r}] format {series.format!r} must show {{year}} and {{number}}, or numbers repeat.",
                id="numbering.E005"))
    return errors
