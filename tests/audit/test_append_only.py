"""Issue #15: the audit trail is append-only in the database, not only in the ORM. Raw UPDATE and DELETE fail on
both databases (triggers of audit 0003); the sanctioned paths — a data migration or the demo reset inside
``append_only.lifted``, the test flush — still work, and the guard is back afterwards."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from salesflow.audit import events
from salesflow.audit.models import AuditEvent
from salesflow.core import append_only

TABLE = AuditEvent._meta.db_table
RAW_ACTION = events.declare("test.raw_sql", "Raw SQL test")


def raw(sql, params=()):
    # A savepoint, so the refusal does not poison the test's transaction on PostgreSQL.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def note_of(pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT note FROM {TABLE} WHERE id = %s", [pk])  # noqa: S608 — identifiers only
        row = cursor.fetchone()
    return row[0] if row else None


@pytest.fixture
def event(db):
    return RAW_ACTION.record(by=None, object_type="test.thing", object_id=1, note="original")


def test_raw_update_is_refused(event):
    with pytest.raises(DatabaseError, match=append_only.MESSAGE):
        raw(f"UPDATE {TABLE} SET note = %s WHERE id = %s", ["tampered", event.pk])  # noqa: S608
    assert note_of(event.pk) == "original"


def test_raw_delete_is_refused(event):
    with pytest.raises(DatabaseError, match=append_only.MESSAGE):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    with pytest.raises(DatabaseError, match=append_only.MESSAGE):
        raw(f"DELETE FROM {TABLE}")  # noqa: S608
    assert note_of(event.pk) == "original"


def test_the_orms_raw_delete_is_refused_too(event):
    with pytest.raises(DatabaseError, match=append_only.MESSAGE), transaction.atomic():
        AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_inserts_still_work(event):
    raw(f"INSERT INTO {TABLE} (at, actor_name, ip, action, object_type, object_id, object_repr, note) "  # noqa: S608
        "VALUES (%s, '', '', %s, 'test.thing', '2', '', '')", [event.at, RAW_ACTION.action])
    assert AuditEvent.objects.filter(action=RAW_ACTION.action).count() == 2


def test_a_sanctioned_rewrite_works_and_the_guard_is_back_afterwards(event):
    with append_only.lifted(connection):
        raw(f"UPDATE {TABLE} SET note = %s WHERE id = %s", ["masked", event.pk])  # noqa: S608
    assert note_of(event.pk) == "masked"
    with pytest.raises(DatabaseError, match=append_only.MESSAGE):
        raw(f"UPDATE {TABLE} SET note = %s WHERE id = %s", ["tampered", event.pk])  # noqa: S608
    with append_only.lifted(connection, [TABLE]):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    assert note_of(event.pk) is None


def test_a_failed_rewrite_rolls_back_and_keeps_the_guard(event):
    with pytest.raises(RuntimeError), append_only.lifted(connection):
        raw(f"UPDATE {TABLE} SET note = %s WHERE id = %s", ["half-done", event.pk])  # noqa: S608
        raise RuntimeError("migration failed half-way")
    assert note_of(event.pk) == "original"
    with pytest.raises(DatabaseError, match=append_only.MESSAGE):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608


def test_the_demo_reset_may_clear_the_trail(event, settings):
    from salesflow.audit.demo import reset_audit

    assert reset_audit()["audit events"] >= 1
    assert not AuditEvent.objects.exists()
    RAW_ACTION.record(by=None, object_type="test.thing", object_id=2)
    with pytest.raises(DatabaseError, match=append_only.MESSAGE):
        raw(f"DELETE FROM {TABLE}")  # noqa: S608


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_keeps_the_guard():
    # pytest-django flushes after every transactional test: TRUNCATE on PostgreSQL, DELETE on SQLite.
    event = RAW_ACTION.record(by=None, object_type="test.thing", object_id=3)
    call_command("flush", verbosity=0, interactive=False)
    assert not AuditEvent.objects.exists()
    event = RAW_ACTION.record(by=None, object_type="test.thing", object_id=4)
    with pytest.raises(DatabaseError, match=append_only.MESSAGE):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    # and the teardown's flush must empty it again (a refused flush fails this test's teardown)
