from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet

from salesflow.core.errors import PermissionRefused

from .models import AuditEvent


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _may_read(user) -> bool:
    # Asked of the user object (org.User.has_capability), so the audit trail does not import the organisation.
    check = getattr(user, "has_capability", None)
    return bool(check and check("audit.view"))


def audit_event_list(*, user, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    if not _may_read(user):
        raise PermissionRefused()
    f = filters or AuditFilters()
    qs = AuditEvent.objects.all()
    if f.actor:
        qs = qs.filter(actor_name=f.actor)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lt=f.until)
    return qs.order_by("-at", "-id")


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def readable_changes(events) -> list:
    """Give each event ``readable`` = [(label, before, after)] in the reader's language: choice codes become
    their labels and foreign-key ids the related record's name, fetched with one query per related model."""
    events = list(events)
    wanted: dict = {}
    plan = []
    for event in events:
        model = _model(event.object_type)
        rows = []
        for key, old, new in event.raw_changes():
            field = None
            if model is not None:
                try:
                    field = model._meta.get_field(key)
                except FieldDoesNotExist:
                    field = None
            if field is not None and field.is_relation and field.many_to_one:
                for value in (old, new):
                    if value not in (None, ""):
                        wanted.setdefault(field.related_model, set()).add(value)
            rows.append((key, field, old, new))
        plan.append((event, rows))
    names = {}
    for related, ids in wanted.items():
        names[related] = {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}

    def show(field, value):
        if value in (None, ""):
            return value
        if field is None:
            return value
        if field.is_relation and field.many_to_one:
            return names.get(field.related_model, {}).get(value, f"#{value}")
        if getattr(field, "choices", None):
            return dict(field.flatchoices).get(value, value)
        return value

    for event, rows in plan:
        event.readable = [
            (str(getattr(field, "verbose_name", key)) if field is not None else key, show(field, old), show(field, new))
            for key, field, old, new in rows
            if not (old in (None, "") and new in (None, ""))
        ]
    return events
