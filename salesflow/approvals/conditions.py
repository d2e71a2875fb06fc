"""Policy conditions: when a policy applies, tested against the facts a document exposes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

OPERATORS = {
    "eq": _("equals"), "ne": _("differs from"), "gt": _("greater than"), "gte": _("at least"),
    "lt": _("less than"), "lte": _("at most"), "in": _("one of"),
}


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def holds(condition: dict, facts: dict) -> bool:
    op, expected = condition["op"], condition.get("value")
    actual = facts.get(condition["field"])
    if op == "in":
        return str(actual) in {str(v) for v in (expected or [])}
    a, b = _number(actual), _number(expected)
    if a is not None and b is not None:
        left, right = a, b
    else:
        left, right = str(actual).lower() if actual is not None else "", str(expected).lower()
        if op not in ("eq", "ne"):
            return False
    return {
        "eq": left == right, "ne": left != right, "gt": left > right, "gte": left >= right,
        "lt": left < right, "lte": left <= right,
    }[op]


def all_hold(conditions: list[dict], facts: dict) -> bool:
    return all(holds(c, facts) for c in conditions or [])
