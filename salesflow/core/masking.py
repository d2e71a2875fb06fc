"""Sensitive values in stored history: phone numbers and ID numbers never reach the audit trail in full (issue #15).

An audit row records *that* a phone changed, masked the way every page shows it (``mask_phone``: 138****5678,
0531-****1986); nobody reads the full number back from history, whoever may see the record. The one writing point
(``audit.events.EventType.row``, used by ``record`` and ``record_many``) masks every key declared sensitive below,
in nested dicts and lists too; the history renderer (``audit.selectors.readable_changes``) masks again, for rows
written before the rule (migration ``audit 0004`` rewrote them) and for any writer that bypasses ``row``.

When two different numbers mask alike (only the hidden middle digits differ), the masked pair would look unchanged;
``CHANGED_KEY`` in the row's ``after`` lists such keys so the history still shows that the number changed.
"""

from __future__ import annotations

import re

from .chinese import mask_phone

# A key is sensitive when one of its underscore-separated words names a number (phone, contact_phone, phone_digits,
# mobile, landline, tel) or it names an ID number (id_number, id_card, passport). Words rather than substrings, so
# ``telemetry`` or ``hotel`` are not; a small count under such a key (``phones: 2``) is left alone by mask_value.
_PHONE_WORDS = {"phone", "phones", "mobile", "landline", "tel", "telephone", "fax", "cellphone"}
_ID_PATTERNS = (re.compile(r"(^|_)id_?(number|card|no)($|_)"), re.compile(r"(^|_)(passport|identity)($|_)"))

CHANGED_KEY = "_masked_changes"  # keys whose values changed although their masked forms are equal


def is_sensitive(key) -> bool:
    if not isinstance(key, str):
        return False
    k = key.lower()
    return bool(_PHONE_WORDS & set(k.split("_"))) or any(p.search(k) for p in _ID_PATTERNS)


def mask_text(value: str) -> str:
    """The masked form of one stored phone or ID number; an already masked value (it holds ``*``) as it is, so
    masking twice changes nothing."""
    if not value or "*" in value:
        return value
    return mask_phone(value)


def mask_value(value):
    """Mask a sensitive key's value of any shape: a string, numbers in a list, a number stored as int."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000_000:
        return mask_text(str(value))
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value


def mask_data(data):
    """A copy of stored data (dict/list/scalar) with every sensitive key's value masked, at any depth."""
    if isinstance(data, dict):
        return {k: (mask_value(v) if is_sensitive(k) else mask_data(v)) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [mask_data(v) for v in data]
    return data


def mask_pair(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """``before`` and ``after`` of one audit row, masked; a top-level sensitive key whose values differed but mask
    alike is listed under ``CHANGED_KEY`` in ``after`` (which is created for it if the row had none)."""
    masked_before = mask_data(before) if isinstance(before, dict) else before
    masked_after = mask_data(after) if isinstance(after, dict) else after
    old, new = before if isinstance(before, dict) else {}, after if isinstance(after, dict) else {}
    hidden = [k for k in dict.fromkeys([*old, *new])
              if is_sensitive(k) and old.get(k) != new.get(k)
              and (masked_before or {}).get(k) == (masked_after or {}).get(k)]
    if hidden:
        masked_after = dict(masked_after or {})
        masked_after[CHANGED_KEY] = sorted({*masked_after.get(CHANGED_KEY, []), *hidden})
    return masked_before, masked_after
