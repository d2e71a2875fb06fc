"""The audit trail is append-only in the database too: triggers refuse raw UPDATE and DELETE (issue #15, ADR 0008).

A later migration that must rewrite audit rows (e.g. masking phone numbers in old snapshots) depends on this one
and does its writes inside ``salesflow.core.append_only.lifted(schema_editor.connection)``. On SQLite, a later
migration that rebuilds this table drops the triggers: it ends with ``*append_only.operations(TABLE)`` again.
"""

from django.db import migrations

from salesflow.core import append_only

TABLE = "audit_auditevent"


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_initial"),
    ]

    operations = [*append_only.operations(TABLE)]
