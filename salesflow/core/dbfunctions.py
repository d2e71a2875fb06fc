"""Small database functions Django lacks, written once for both databases."""

from __future__ import annotations

from django.db.models import FloatField, Func


class SecondsBetween(Func):
    """``end − start`` in seconds (a float; NULL when either is NULL). Django's DurationField subtraction calls a
    Python function for every row on SQLite; julianday arithmetic (SQLite) and EXTRACT(EPOCH …) (PostgreSQL) stay
    in the database, so an aggregate over 100,000 rows does not leave it."""

    arity = 2
    output_field = FloatField()

    def _operands(self, compiler, connection):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return end, start, (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        end, start, params = self._operands(compiler, connection)
        return f"((julianday({end}) - julianday({start})) * 86400.0)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        end, start, params = self._operands(compiler, connection)
        return f"EXTRACT(EPOCH FROM ({end} - {start}))::double precision", params
