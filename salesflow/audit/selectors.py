from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from salesflow.core.errors import PermissionRefused
from salesflow.org.roles import has_capability

from .models import AuditEvent


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def audit_event_list(*, user, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    if not has_capability(user, "audit.view"):
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
