from decimal import Decimal, InvalidOperation

from django import template

from salesflow.core.chinese import amount_in_words
from salesflow.core.parsers import round_money

register = template.Library()


@register.filter
def money(value) -> str:
    """¥1,290,000.00 — Decimal in, grouped with two decimals; never through float."""
    if value in (None, ""):
        return "—"
    try:
        amount = round_money(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"¥{amount:,.2f}"


@register.filter
def capital_amount(value) -> str:
    """金额大写 for printed documents."""
    try:
        return amount_in_words(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""
