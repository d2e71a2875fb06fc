"""Append-only tables guarded by the database: triggers refuse every UPDATE and DELETE (ADR 0008).

The ORM already refuses to edit or delete an audit event; these triggers make raw SQL (a shell, a script, a bug that
bypasses the manager) fail the same way on both databases. A migration installs them::

    operations = [*append_only.operations("audit_auditevent")]

Three sanctioned paths may still rewrite or remove rows, each inside one transaction:

- ``with append_only.lifted(connection):`` — a data migration that rewrites history by design (e.g. masking the
  phone numbers stored in old snapshots) and the demo reset. On PostgreSQL it sets the transaction-local setting
  ``salesflow.append_only_lifted`` that the trigger function reads; on SQLite (whose triggers cannot read a
  session setting or a temporary table) it drops the tables' triggers and recreates them from their stored SQL
  before the transaction commits, so no other connection ever sees the table unguarded.
- ``flush`` (pytest-django between transactional tests): PostgreSQL truncates, which row triggers do not see;
  SQLite deletes, so the SQLite backend (``salesflow.core.sqlite``) flushes inside ``lifted``.
- Nothing else. In production the application's PostgreSQL role has no UPDATE, DELETE or TRUNCATE on the audit
  table at all (README, "Production"), so even the setting above cannot help it.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import migrations, transaction

PREFIX = "append_only_"
PG_SETTING = "salesflow.append_only_lifted"
PG_FUNCTION = "salesflow_append_only"
MESSAGE = "append-only table"  # the refusals' text starts with it on both databases

_PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('{PG_SETTING}', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE} %: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'raise_exception';
END;
$$;
"""


def _names(table: str) -> tuple[str, str]:
    return f"{PREFIX}{table}_update", f"{PREFIX}{table}_delete"


def create_sql(vendor: str, table: str) -> list[str]:
    upd, dele = _names(table)
    if vendor == "postgresql":
        return [
            _PG_FUNCTION_SQL,
            f'DROP TRIGGER IF EXISTS {upd} ON "{table}"',
            f'CREATE TRIGGER {upd} BEFORE UPDATE ON "{table}" FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()',
            f'DROP TRIGGER IF EXISTS {dele} ON "{table}"',
            f'CREATE TRIGGER {dele} BEFORE DELETE ON "{table}" FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()',
        ]
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS {upd} BEFORE UPDATE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE} {table}: UPDATE refused'); END",
            f'CREATE TRIGGER IF NOT EXISTS {dele} BEFORE DELETE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE} {table}: DELETE refused'); END",
        ]
    raise NotImplementedError(f"append-only triggers for {vendor}")


def drop_sql(vendor: str, table: str) -> list[str]:
    on = f' ON "{table}"' if vendor == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {name}{on}" for name in _names(table)]


def operations(table: str) -> list[migrations.RunPython]:
    """Migration operations installing the triggers on ``table`` (and removing them when unapplied).

    On SQLite a later migration that rebuilds the table (most ``AlterField``/``AddField`` do) drops its triggers:
    such a migration must end with these operations again (``CREATE TRIGGER IF NOT EXISTS``, so repeating is safe).
    The tests that run raw UPDATE/DELETE catch a forgotten one."""

    def forwards(apps, schema_editor):
        for sql in create_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql, params=None)

    def backwards(apps, schema_editor):
        for sql in drop_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql, params=None)

    return [migrations.RunPython(forwards, backwards, elidable=False)]


def _sqlite_triggers(cursor, tables) -> list[tuple[str, str]]:
    cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
    return [(name, sql) for name, tbl, sql in cursor.fetchall()
            if name.startswith(PREFIX) and (tables is None or tbl in tables)]


@contextmanager
def lifted(connection, tables: list[str] | None = None):
    """Let the code inside rewrite or delete rows of the append-only ``tables`` (all of them by default), within
    one transaction. Only data migrations, the demo reset and the test flush call this (see the module doc)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [PG_SETTING])
            yield
            cursor.execute("SELECT set_config(%s, 'off', true)", [PG_SETTING])
            return
        triggers = _sqlite_triggers(cursor, tables)
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {name}")
        yield
        # On an exception the atomic block rolls the DROPs back with everything else (SQLite DDL is transactional).
        for _name, sql in triggers:
            cursor.execute(sql)
