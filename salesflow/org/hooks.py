"""Extension points other apps register in their AppConfig.ready (no signals for business logic)."""

from collections.abc import Callable

# Called as handler(from_user=..., to_user=..., by=...) inside the deactivation transaction;
# each app moves the records the leaving user owns and returns how many it moved.
OWNERSHIP_TRANSFER: list[Callable[..., int]] = []

# Called as handler(user=..., by=...) when a user moves to another unit, inside the same transaction; each app
# moves the unit stamp of the records the user owns (data scopes filter on it) and returns how many.
OWNER_UNIT_CHANGED: list[Callable[..., int]] = []
