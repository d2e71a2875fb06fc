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

CUSTOMER_OWNER_CHANGED = Hook(
    "crm.customer_owner_changed",
    signature="handler(*, changes: dict[int, int | None], new_owner: User | None, by, at, note) -> int",
    doc="Inside the transaction that changed the owner of customers (reassigned, released or returned to the "
        "pool, claimed, assigned from the pool, handed over on a user's deactivation), after the customer rows are "
        "written and audited and while they are locked. ``changes``: {customer id: previous owner id, None when it "
        "came from the pool}; ``new_owner``: the user who has them now, None for the pool; ``by``: None for the "
        "pool's sweep. Each app moves what belongs to the customers' relationship (open opportunities, draft "
        "requests, planned visits…) by one rule — closed documents keep their historical owner — locks its rows "
        "after the customers' (the writers' lock order), records one audit row per record moved, and returns how "
        "many it changed. Batch the writes: a customer may have many records, a sweep many customers.",
)
