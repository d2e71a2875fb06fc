"""Small helpers that write audit rows inside the caller's transaction (never from signals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models

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


def record(
    *,
    by,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id=None,
    object_repr: str = "",
    customer_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_repr = object_repr or str(obj)[:255]
    return AuditEvent.objects.create(
        actor=by if getattr(by, "pk", None) else None,
        actor_name=getattr(by, "username", "") or ("system" if not action.endswith("login_failed") else "-"),
        ip=current_ip(),
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=object_repr[:255],
        customer_id=customer_id,
        before=before,
        after=after,
        note=note,
    )
