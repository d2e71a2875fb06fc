"""What every demo builder shares: the context passed along, the seed, the published password, the guard."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEMO_PASSWORD = "demo12345"  # noqa: S105 — documented demo credential, refused in production
SEED = 20240601


class DemoRefused(ImproperlyConfigured):
    pass


def ensure_allowed() -> None:
    if not getattr(settings, "ALLOW_DEMO_DATA", False):
        raise DemoRefused(
            "Demo data is disabled here (settings.ALLOW_DEMO_DATA is False, e.g. SALESFLOW_ENV=production): "
            "refusing to create demo logins with a published password."
        )


@dataclass
class DemoContext:
    """Handed from builder to builder: the administrator who acts, the units and users by code/username, the
    customer groups by name, and counts of what was created (printed by ``salesflow demo``)."""

    admin: Any = None
    units: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.created[key] = self.created.get(key, 0) + n
