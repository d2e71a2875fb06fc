"""The numbering service: one locked counter row per series and year (ADR 0007)."""

import datetime as dt

import pytest
import time_machine
from django.core import checks
from django.db import IntegrityError, transaction
from django.utils import translation

from salesflow.core.errors import AppError
from salesflow.numbering.models import NumberCounter
from salesflow.numbering.series import SERIES, DocumentSeries
from salesflow.numbering.services import next_number

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 1)


def test_numbers_follow_each_other_per_series():
    assert [next_number(DocumentSeries.CONTRACT, on=MARCH) for _ in range(3)] == [
        "HT-2026-000001", "HT-2026-000002", "HT-2026-000003"]
    # Another series counts on its own.
    assert next_number(DocumentSeries.INVOICE, on=MARCH) == "FP-2026-000001"
    assert next_number("contract", on=MARCH) == "HT-2026-000004"  # the plain code works as well
    assert NumberCounter.objects.get(series="contract", year=2026).last_number == 4


def test_every_declared_series_has_its_own_prefix():
    numbers = {code: next_number(code, on=MARCH) for code in DocumentSeries.values}
    assert numbers == {"quotation": "BJ-2026-000001", "contract": "HT-2026-000001", "order": "DD-2026-000001",
                       "delivery_note": "FH-2026-000001", "invoice": "FP-2026-000001", "receipt": "SJ-2026-000001"}
    assert set(SERIES) == set(DocumentSeries.values)
    assert {code for code, s in SERIES.items() if s.gap_free} == {"invoice", "receipt"}


def test_a_new_year_starts_again_at_one():
    assert next_number(DocumentSeries.ORDER, on=dt.date(2026, 12, 31)) == "DD-2026-000001"
    assert next_number(DocumentSeries.ORDER, on=dt.date(2026, 12, 31)) == "DD-2026-000002"
    assert next_number(DocumentSeries.ORDER, on=dt.date(2027, 1, 1)) == "DD-2027-000001"
    # A document dated in the old year (entered late) continues the old year's register.
    assert next_number(DocumentSeries.ORDER, on=dt.date(2026, 12, 30)) == "DD-2026-000003"
    assert NumberCounter.objects.filter(series="order").count() == 2


def test_without_a_date_the_year_is_the_companys_today():
    # 2026-12-31 17:00 UTC is already New Year's Day 01:00 in Shanghai.
    with time_machine.travel(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC), tick=False):
        assert next_number(DocumentSeries.RECEIPT) == "SJ-2027-000001"


def test_a_rolled_back_transaction_gives_its_number_back():
    assert next_number(DocumentSeries.INVOICE, on=MARCH) == "FP-2026-000001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number(DocumentSeries.INVOICE, on=MARCH) == "FP-2026-000002"
        raise RuntimeError("the invoice failed to save")
    assert next_number(DocumentSeries.INVOICE, on=MARCH) == "FP-2026-000002"  # no gap in the register


def test_a_rolled_back_first_number_of_the_year_leaves_no_counter():
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number(DocumentSeries.RECEIPT, on=MARCH)
        raise RuntimeError("the receipt failed to save")
    assert not NumberCounter.objects.filter(series="receipt").exists()
    assert next_number(DocumentSeries.RECEIPT, on=MARCH) == "SJ-2026-000001"


@pytest.mark.django_db(transaction=True)
def test_gap_free_series_are_refused_outside_the_documents_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        next_number(DocumentSeries.INVOICE, on=MARCH)
    assert not NumberCounter.objects.exists()
    with transaction.atomic():
        assert next_number(DocumentSeries.INVOICE, on=MARCH) == "FP-2026-000001"
    # A series that may skip numbers takes one in a transaction of its own.
    assert next_number(DocumentSeries.QUOTATION, on=MARCH) == "BJ-2026-000001"
    assert NumberCounter.objects.get(series="quotation").last_number == 1


def test_an_unknown_series_is_refused_with_a_translated_error():
    with pytest.raises(AppError) as caught:
        next_number("purchase_order", on=MARCH)
    assert caught.value.code == "numbering_unknown_series"
    assert caught.value.as_dict()["message"] == "There is no document number series “purchase_order”."
    with translation.override("zh-hans"), pytest.raises(AppError) as caught:
        next_number("purchase_order", on=MARCH)
    assert caught.value.as_dict()["message"] == "没有名为“purchase_order”的单据编号序列。"
    assert not NumberCounter.objects.exists()


def test_the_database_refuses_a_second_counter_for_one_series_and_year():
    NumberCounter.objects.create(series="invoice", year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        NumberCounter.objects.create(series="invoice", year=2026)


def test_a_deployment_may_change_prefix_and_format(settings):
    settings.NUMBERING = {"invoice": {"prefix": "INV", "format": "{prefix}{year}{number:08d}"},
                          "contract": {"prefix": "SH-HT"}}
    assert next_number(DocumentSeries.INVOICE, on=MARCH) == "INV202600000001"
    assert next_number(DocumentSeries.CONTRACT, on=MARCH) == "SH-HT-2026-000001"
    assert checks.run_checks() == [] or all(not e.id.startswith("numbering.") for e in checks.run_checks())


@pytest.mark.parametrize(("setting", "error"), [
    ({"purchase_order": {"prefix": "PO"}}, "numbering.E002"),
    ({"invoice": {"prefix": "FP", "gap_free": False}}, "numbering.E003"),
    ({"invoice": {"format": "{prefix}-{number:06d}-{oops}"}}, "numbering.E004"),
    ({"invoice": {"format": "{prefix}-{number:06d}"}}, "numbering.E005"),  # two years would share numbers
])
def test_a_bad_setting_fails_the_system_check(settings, setting, error):
    settings.NUMBERING = setting
    assert [e.id for e in checks.run_checks() if e.id.startswith("numbering.")] == [error]
