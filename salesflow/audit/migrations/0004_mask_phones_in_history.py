"""Mask the phone and ID numbers stored in old audit snapshots (issue #15).

Contact, reception, prospect and lead events stored the full number in ``before``/``after``, and every timeline
printed it. New rows are masked when written (``audit.events.EventType.row``); this rewrites the old ones the same
way (``core.masking.mask_pair``, idempotent). History is append-only (ADR 0008): the rewrite runs inside
``append_only.lifted``, the one sanctioned path, in this migration's transaction. Not reversible: the numbers are
gone, which is the point.
"""

from django.db import migrations

from salesflow.core import append_only
from salesflow.core.masking import mask_pair

TABLE = "audit_auditevent"
CHUNK = 2000


def mask_history(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    db = schema_editor.connection.alias
    rows = (AuditEvent.objects.using(db).exclude(before__isnull=True, after__isnull=True)
            .order_by("pk").values_list("pk", "before", "after"))
    with append_only.lifted(schema_editor.connection, [TABLE]):
        last = 0
        while True:
            chunk = list(rows.filter(pk__gt=last)[:CHUNK])
            if not chunk:
                break
            last = chunk[-1][0]
            for pk, before, after in chunk:
                masked = mask_pair(before, after)
                if masked != (before, after):
                    AuditEvent.objects.using(db).filter(pk=pk).update(before=masked[0], after=masked[1])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_append_only_triggers"),
    ]

    operations = [
        migrations.RunPython(mask_history, migrations.RunPython.noop, elidable=False),
    ]
