from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.db.models import QuerySet

from salesflow.core.errors import PermissionRefused
from salesflow.core.masking import is_sensitive, mask_data, mask_value

from .labels import current_object_type, object_type_names
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
    if f.object_type:  # a moved model's rows under its old name too (labels.OBJECT_TYPE_RENAMED)
        qs = qs.filter(object_type__in=object_type_names(f.object_type))
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lt=f.until)
    return qs.order_by("-at", "-id")


def my_recent_actions(*, user, limit: int = 10) -> QuerySet[AuditEvent]:
    """What the user did lately (the home page): their own actions only, so no capability is needed."""
    return AuditEvent.objects.filter(actor=user).order_by("-at", "-id")[:limit]


def _model(object_type: str):
    try:
        return apps.get_model(current_object_type(object_type)) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def _key(field, value):
    """The value as the related model's primary key, or None when it cannot be one (a code, a list…)."""
    if value in (None, "") or isinstance(value, dict | list | bool):
        return None
    target = field.target_field
    if isinstance(target, models.IntegerField):  # AutoField too: 1.5 or "1a" are not ids (to_python would round)
        if isinstance(value, str) and value.isdecimal() and value.isascii():
            value = int(value)
        if not isinstance(value, int):
            return None
        # An id no column can hold is no row's, and asking SQLite for it fails the whole query (OverflowError):
        # shown as stored.
        low, high = connection.ops.integer_field_range(target.get_internal_type())
        return value if (low is None or value >= low) and (high is None or value <= high) else None
    try:
        return target.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None


def _choice(field, value):
    try:
        return dict(field.flatchoices).get(value, value)
    except TypeError:  # an unhashable value (a list stored under a choice field)
        return value


def readable_changes(events) -> list:
    """Give each event ``readable`` = [(label, before, after)] in the reader's language: choice codes become
    their labels and foreign-key ids the related record's name, fetched with one query per related model.

    Stored rows are history: a value this code cannot resolve (a code where an id is expected, an id whose row
    is gone, a list) is shown as it was stored (a missing row as "#id"), never raised on."""
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
                    pk = _key(field, value)
                    if pk is not None:
                        wanted.setdefault(field.related_model, set()).add(pk)
            rows.append((key, field, old, new))
        plan.append((event, rows))
    names = {}
    for related, ids in wanted.items():
        names[related] = {obj.pk: str(obj) for obj in related._default_manager.filter(pk__in=ids)}

    def show(field, value):
        if value in (None, "") or field is None:
            return value
        if field.is_relation and field.many_to_one:
            pk = _key(field, value)
            if pk is None:
                return value
            return names.get(field.related_model, {}).get(pk, f"#{value}")
        if getattr(field, "choices", None):
            return _choice(field, value)
        return value

    def shown(key, field, value):
        # Defence in depth (issue #15): a phone or ID number is masked whatever the row holds (rows are masked when
        # written and old ones were rewritten by audit 0004; a writer that bypassed EventType.row is caught here).
        return mask_value(value) if is_sensitive(key) else mask_data(show(field, value))

    for event, rows in plan:
        event.readable = [
            (str(getattr(field, "verbose_name", key)) if field is not None else key,
             shown(key, field, old), shown(key, field, new))
            for key, field, old, new in rows
            if not (old in (None, "") and new in (None, ""))
        ]
    return events
