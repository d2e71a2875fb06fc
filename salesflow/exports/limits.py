"""How many rows a person may export at once without an approval (issue #15): policy data in settings.

``EXPORT_ROW_LIMITS`` maps a role to its limit (None: no limit); a person with several roles gets the most generous
of them; roles not named get ``EXPORT_ROW_LIMIT_DEFAULT`` (500). Leadership is exempt by default."""

from __future__ import annotations

from django.conf import settings

from salesflow.org.roles import LEADERSHIP

DEFAULT_LIMIT = 500


def _limits() -> dict:
    limits = {role.value if hasattr(role, "value") else role: None for role in LEADERSHIP}
    limits.update(getattr(settings, "EXPORT_ROW_LIMITS", None) or {})
    return limits


def row_limit(user) -> int | None:
    """The most rows ``user`` may export without asking; None when they may export any number."""
    default = getattr(settings, "EXPORT_ROW_LIMIT_DEFAULT", DEFAULT_LIMIT)
    limits = _limits()
    found = [limits.get(role, default) for role in user.role_list]
    if not found:
        return default
    if any(limit is None for limit in found):
        return None
    return max(found)
