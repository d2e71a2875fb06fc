"""Helpers for race tests: real threads on PostgreSQL (SQLite ignores select_for_update)."""

import threading

import pytest
from django.db import connection, connections


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def run_together(*functions):
    """Start every function at the same moment in its own thread; return (results, errors) per function."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), [None] * len(functions)

    def runner(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 — the test inspects what each thread raised
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results, errors
