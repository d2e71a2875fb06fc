"""audit 0004 rewrites the phone numbers that old audit snapshots stored in full (issue #15), through the one
sanctioned path around the append-only triggers (ADR 0008), and leaves everything else as it was."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from salesflow.audit.models import AuditEvent

BEFORE = [("audit", "0003_append_only_triggers")]
AFTER = [("audit", "0004_mask_phones_in_history")]


@pytest.mark.django_db(transaction=True)
def test_old_rows_with_full_phones_are_masked_by_the_migration():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    OldEvent = executor.loader.project_state(BEFORE).apps.get_model("audit", "AuditEvent")
    rows = OldEvent.objects.bulk_create([
        OldEvent(action="contact.created", object_type="crm.contact", object_id="1", customer_id=7,
                 after={"name": "刘工", "phone": "13712340001", "email": "", "is_primary": True}),
        OldEvent(action="contact.updated", object_type="crm.contact", object_id="1", customer_id=7,
                 before={"phone": "13712340001"}, after={"phone": "13755550001"}),  # masks alike
        OldEvent(action="reception.created", object_type="reception.receptionrecord", object_id="3",
                 after={"company": "某公司", "phone": "021-62345678", "visitor_count": 2}),
        OldEvent(action="crm.imported", object_type="crm.customer", object_id="9",
                 after={"contacts": [{"name": "王", "phone": "13900001111"}], "owner": 5}),
        OldEvent(action="customer.reassigned", object_type="crm.customer", object_id="9",
                 before={"owner": 4}, after={"owner": 5}, note="unchanged"),
    ])
    ids = [r.pk for r in rows]

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    events = {e.pk: e for e in AuditEvent.objects.filter(pk__in=ids)}
    stored = json.dumps([[e.before, e.after] for e in events.values()], ensure_ascii=False)
    for number in ("13712340001", "13755550001", "62345678", "13900001111"):
        assert number not in stored
    created, updated, received, imported, reassigned = (events[i] for i in ids)
    assert created.after == {"name": "刘工", "phone": "137****0001", "email": "", "is_primary": True}
    assert updated.raw_changes() == [("phone", "137****0001", "137****0001")]  # still reads as a change
    assert received.after == {"company": "某公司", "phone": "021-****5678", "visitor_count": 2}
    assert imported.after == {"contacts": [{"name": "王", "phone": "139****1111"}], "owner": 5}
    assert (reassigned.before, reassigned.after, reassigned.note) == ({"owner": 4}, {"owner": 5}, "unchanged")

    # The triggers are back: raw SQL still cannot rewrite history after the migration.
    from django.db import DatabaseError, transaction
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET note = 'x' WHERE id = %s", [ids[0]])
