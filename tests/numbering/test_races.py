"""Numbers under concurrent requests, with real threads on PostgreSQL (SQLite ignores select_for_update)."""

import datetime as dt
import time

import pytest
from django.db import connection, transaction

from salesflow.numbering.models import NumberCounter
from salesflow.numbering.series import DocumentSeries
from salesflow.numbering.services import next_number
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ON = dt.date(2031, 5, 1)


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL")


def take(*, fail: bool = False):
    def run():
        with transaction.atomic():
            number = next_number(DocumentSeries.INVOICE, on=ON)
            time.sleep(0.02)  # hold the counter lock a moment, as a document save would, so the others queue
            if fail:
                raise RuntimeError(f"the invoice {number} failed to save")
            return number
    return run


def expected(first: int, count: int) -> set[str]:
    return {f"FP-2031-{n:06d}" for n in range(first, first + count)}


def test_concurrent_requests_get_distinct_consecutive_numbers():
    # The first round also races to create the year's counter row.
    results, errors = run_together(*[take() for _ in range(THREADS)])
    assert errors == [None] * THREADS
    assert set(results) == expected(1, THREADS)
    # The second round finds the row and queues on its lock.
    results, errors = run_together(*[take() for _ in range(THREADS)])
    assert errors == [None] * THREADS
    assert set(results) == expected(THREADS + 1, THREADS)
    assert NumberCounter.objects.get(series="invoice", year=2031).last_number == 2 * THREADS


def test_numbers_of_rolled_back_requests_go_to_the_next_ones():
    results, errors = run_together(*[take(fail=i % 2 == 1) for i in range(THREADS)])
    committed = [r for r in results if r is not None]
    assert len(committed) == THREADS // 2
    assert all(isinstance(e, RuntimeError) for e in errors[1::2])
    # No gap: the committed invoices hold exactly the first numbers of the register.
    assert set(committed) == expected(1, THREADS // 2)
    assert NumberCounter.objects.get(series="invoice", year=2031).last_number == THREADS // 2
