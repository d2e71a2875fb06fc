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


@register.simple_tag(takes_context=True)
def render_panel(context, panel) -> str:
    """``{% render_panel panel %}``: a ``core.panels.Panel`` other apps contribute to a page, rendered as
    ``{% include panel.template with <panel.context> %}`` would (the page's context plus the panel's own)."""
    template_ = context.template.engine.get_template(panel.template)
    with context.push(**panel.context):
        return template_.render(context)
