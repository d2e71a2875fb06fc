"""The deals' hooks: other apps register in their AppConfig.ready (ADR 0004)."""

from salesflow.core.hooks import Hook

OPPORTUNITY_WON = Hook(
    "deals.opportunity_won",
    signature="handler(*, opportunity, by) -> Any",
    doc="Inside the win transaction, after the opportunity is saved as won and audited (R15: the reception app "
        "hands the customer's prospect files to customer service).",
)

OPPORTUNITY_PANELS = Hook(
    "deals.opportunity_panels",
    signature="handler(*, opportunity, user, request) -> core.panels.Panel | Iterable[Panel] | None",
    doc="Read-only, while the opportunity page is built: what an app above deals shows on it for this user "
        "(None: nothing). Slots: 'actions' (buttons in the header, before the opportunity's own).",
    in_transaction=False,
)

CUSTOMER_CONVERSIONS = Hook(
    "deals.customer_conversions",
    signature="handler(*, user, owner, unit, region, period) -> deals.funnel.Conversion | None",
    doc="Read-only, while the funnel is computed: an app above deals whose records become customers (leads, "
        "reception's prospects) counts them for seed 004's conversion rate (潜在客户转化为实际客户的比例) under "
        "``user``'s data scope, narrowed like the funnel (owner id, unit id: its subtree, region id, period: a "
        "(start, end) pair of aware datetimes or None); one aggregate query. None: nothing to report.",
    in_transaction=False,
)
