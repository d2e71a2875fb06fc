"""The audit trail (the administrator only)."""

from __future__ import annotations

from .base import row

ROWS = [
    row("audit", "get", "/api/v1/audit-events", {"admin"}),
    row("audit_page", "get", "/audit/", {"admin"}),
]
