"""The demo reset clears the audit trail first."""

from salesflow.demo.registry import resetter

from .models import AuditEvent


@resetter(order=10)
def reset_audit() -> dict[str, int]:
    # The audit trail is append-only for the application, so it is cleared with a raw delete here, the one
    # place that may (development only: the registry refuses unless demo data is allowed).
    return {"audit events": AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)}
