"""The audit trail (the administrator only)."""

from __future__ import annotations

from .base import HISTORY_BUG, row

ROWS = [
    row("audit", "get", "/api/v1/audit-events", {"admin"}),
    row("audit_page", "get", "/audit/", {"admin"}, bug=HISTORY_BUG),
]
