"""The customer file's hooks: other apps register in their AppConfig.ready (ADR 0004)."""

from salesflow.core.hooks import Hook

CUSTOMER_FROM_POOL = Hook(
    "crm.customer_from_pool",
    signature="handler(*, customer, owner, by) -> None",
    doc="Inside the transaction, with the receiving user's row and the customer locked, just before a customer "
        "waiting in the public pool gets an owner (claimed or assigned): a handler may refuse with an AppError "
        "(the pool app checks the receiving user's customer cap).",
)

CUSTOMER_PANELS = Hook(
    "crm.customer_panels",
    signature="handler(*, customer, user, request) -> core.panels.Panel | Iterable[Panel] | None",
    doc="Read-only, while the customer page is built: what an app above crm shows on the customer file, for this "
        "user (None: nothing). Slots: 'actions' (buttons in the header, before the file's own), 'top' (the main "
        "column, above the file), 'main' (the main column, below the contacts), 'side' (the side column, above "
        "the timeline).",
    in_transaction=False,
)
