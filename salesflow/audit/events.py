"""Audit events, declared once per app and written inside the caller's transaction (never from signals).

Each app lists its events in its own ``events.py``, one line per event with its label:

    CUSTOMER_CREATED = declare("customer.created", _("Customer created"))

and its services write them in the same transaction as the change:

    events.CUSTOMER_CREATED.record(by=by, obj=customer, customer_id=customer.pk, after=snapshot(customer, FIELDS))

Bulk writers (imports, sweeps, hand-overs) build one plain row per record with ``EVENT.row(…)`` and write them
all with one ``record_many(rows)`` (one insert, ADR 0005). The action strings are stored in every row and read
by filters and tests: an event's action never changes once declared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesflow.core.masking import mask_pair

from .context import current_ip
from .models import AuditEvent


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "label") and hasattr(value, "value"):
        return value.value
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The audited view of a record: concrete field values, foreign keys as ids."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = _plain(getattr(obj, attname))
    return data


_DECLARED: dict[str, EventType] = {}


@dataclass(frozen=True, eq=False)
class EventType:
    """One kind of audit event: its stored action code and the label the trail shows for it."""

    action: str
    label: str  # usually a lazy translation
    nobody: str = "system"  # the actor name stored when no signed-in user did it

    def __str__(self) -> str:
        return self.action

    def row(
        self,
        *,
        by,
        obj: models.Model | None = None,
        object_type: str | None = None,
        object_id=None,
        object_repr: str = "",
        customer_id: int | None = None,
        before: dict | None = None,
        after: dict | None = None,
        note: str = "",
    ) -> dict:
        """The event as a plain row ({attname: value}, not saved): for ``record_many``.

        Phone and ID numbers in ``before``/``after`` are stored masked (issue #15, ``core.masking``): every
        writer, ``record`` and ``record_many`` alike, goes through here."""
        before, after = mask_pair(before, after)
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = obj.pk if object_id is None else object_id
            object_repr = object_repr or str(obj)[:255]
        return {
            "actor_id": by.pk if getattr(by, "pk", None) else None,
            "actor_name": getattr(by, "username", "") or self.nobody,
            "action": self.action,
            "object_type": object_type or "",
            "object_id": "" if object_id is None else str(object_id),
            "object_repr": (object_repr or "")[:255],
            "customer_id": customer_id,
            "before": before,
            "after": after,
            "note": note or "",
        }

    def record(self, *, by, **kwargs) -> AuditEvent:
        """Write one event now, in the caller's transaction, with the request's IP. Arguments as ``row``."""
        return AuditEvent.objects.create(ip=current_ip(), **self.row(by=by, **kwargs))


def declare(action: str, label, *, nobody: str = "system") -> EventType:
    """Register one event type. Declared at import time of the app's ``events`` module; an action declared twice
    is refused, so two apps cannot silently share (and mislabel) one code."""
    if action in _DECLARED:
        raise ImproperlyConfigured(f"Audit event {action!r} is declared twice.")
    if not action or len(action) > AuditEvent._meta.get_field("action").max_length:
        raise ImproperlyConfigured(f"Audit event {action!r}: the action code is empty or too long.")
    event = EventType(action=action, label=label, nobody=nobody)
    _DECLARED[action] = event
    return event


def declared() -> dict[str, EventType]:
    """Every declared event type by action code (every app's ``events`` module is imported at start-up)."""
    return dict(_DECLARED)


def event_type(action: str) -> EventType | None:
    return _DECLARED.get(action)


def record_many(rows: Iterable[dict]) -> list[int]:
    """Write many events (rows from ``EVENT.row``) with one insert in the caller's transaction; each row takes
    the request's IP unless it carries one. Returns the new ids in row order."""
    from salesflow.core.bulk import insert_dicts

    ip = current_ip()
    rows = [row if row.get("ip") else {**row, "ip": ip} for row in rows]
    return insert_dicts(AuditEvent, rows) if rows else []



# Security events (issue #15): sign-ins and sign-outs, and the refusals a signed-in caller meets (another's record,
# a capability, a reveal, approving one's own request, an illegal transition), recorded by ``audit.security``.
USER_LOGGED_IN = declare("user.logged_in", _("Signed in"))
USER_LOGGED_OUT = declare("user.logged_out", _("Signed out"))
SECURITY_NOT_FOUND = declare("security.not_found", _("Refused: not found or not visible"))
SECURITY_FORBIDDEN = declare("security.forbidden", _("Refused: not permitted"))
SECURITY_INVALID_TRANSITION = declare("security.invalid_transition", _("Refused: not allowed in this state"))
SECURITY_SELF_APPROVAL = declare("security.self_approval", _("Refused: approving one's own request"))
