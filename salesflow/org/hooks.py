"""The organisation's hooks: other apps register in their AppConfig.ready (no signals for business logic, ADR 0004)."""

from salesflow.core.hooks import Hook

OWNERSHIP_TRANSFER = Hook(
    "org.ownership_transfer",
    signature="handler(*, from_user, to_user, by) -> int",
    doc="Inside the deactivation transaction: each app moves the records the leaving user owns to their "
        "successor and returns how many it moved (recorded on the user's audit event).",
)

OWNER_UNIT_CHANGED = Hook(
    "org.owner_unit_changed",
    signature="handler(*, user, by) -> int",
    doc="Inside the user update when a user moves to another unit: each app moves the unit stamp of the records "
        "the user owns (data scopes filter on it) and returns how many.",
)
