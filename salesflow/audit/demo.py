"""The demo reset clears the audit trail first."""

from django.db import connection

from salesflow.core import append_only
from salesflow.demo.registry import resetter

from .models import AuditEvent


@resetter(order=10)
def reset_audit() -> dict[str, int]:
    # The audit trail is append-only for the application and in the database (triggers, ADR 0008); the demo reset
    # is one of its sanctioned paths (development only: the registry refuses unless demo data is allowed).
    with append_only.lifted(connection, [AuditEvent._meta.db_table]):
        return {"audit events": AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)}
