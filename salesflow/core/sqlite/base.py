"""Django's SQLite backend, except that ``flush`` may empty the append-only tables (``core.append_only``).

PostgreSQL flushes with TRUNCATE, which row triggers do not see; SQLite flushes with DELETE, which the append-only
triggers refuse. pytest-django flushes after every transactional test, and ``flush`` is meant to empty everything,
so it runs inside ``append_only.lifted``. Selected in settings for every ``sqlite://`` DATABASE_URL.
"""

from django.db.backends.sqlite3 import base

from salesflow.core import append_only


class DatabaseOperations(base.DatabaseOperations):
    def execute_sql_flush(self, sql_list):
        with append_only.lifted(self.connection):
            super().execute_sql_flush(sql_list)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
