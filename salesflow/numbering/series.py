"""The document number series, declared once: which documents are numbered, their prefix, and which must be
gap-free. The apps that own the documents (quotations, contracts, orders, fulfilment, finance) only call
``numbering.services.next_number(DocumentSeries.…)``; they never declare a series of their own.

Gap-free series are the ones a tax inspection or an auditor reads as a register: every invoice and every receipt
number from 1 up, none missing (a missing number has to be explained as a voided document, not a lost one). The
others must be unique but may skip a number.

A deployment may change a series' prefix or format with the ``NUMBERING`` setting, e.g.
``NUMBERING = {"invoice": {"prefix": "INV", "format": "{prefix}{year}{number:08d}"}}``; the format takes
``{prefix}``, ``{year}`` and ``{number}`` (an int, so ``{number:06d}`` pads it) and must show the year and the
number, or two years' numbers would collide (a system check refuses it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_FORMAT = "{prefix}-{year}-{number:06d}"  # HT-2026-000123


class DocumentSeries(models.TextChoices):
    QUOTATION = "quotation", _("Quotation")  # 报价单
    CONTRACT = "contract", _("Contract")  # 合同
    ORDER = "order", _("Sales order")  # 销售订单
    DELIVERY_NOTE = "delivery_note", _("Delivery note")  # 发货单
    INVOICE = "invoice", _("Invoice")  # 发票 (our register number; the tax system's 发票号码 is stored beside it)
    RECEIPT = "receipt", _("Receipt")  # 收据 / 收款单


@dataclass(frozen=True)
class Series:
    code: str
    prefix: str
    gap_free: bool
    format: str = DEFAULT_FORMAT

    def render(self, *, year: int, number: int) -> str:
        return self.format.format(prefix=self.prefix, year=year, number=number)


SERIES: dict[str, Series] = {
    DocumentSeries.QUOTATION: Series(DocumentSeries.QUOTATION, "BJ", gap_free=False),
    DocumentSeries.CONTRACT: Series(DocumentSeries.CONTRACT, "HT", gap_free=False),
    DocumentSeries.ORDER: Series(DocumentSeries.ORDER, "DD", gap_free=False),
    DocumentSeries.DELIVERY_NOTE: Series(DocumentSeries.DELIVERY_NOTE, "FH", gap_free=False),
    DocumentSeries.INVOICE: Series(DocumentSeries.INVOICE, "FP", gap_free=True),
    DocumentSeries.RECEIPT: Series(DocumentSeries.RECEIPT, "SJ", gap_free=True),
}


def configured(code: str) -> Series | None:
    """The declared series with the deployment's prefix and format, or None for a series nobody declared."""
    declared = SERIES.get(code)
    if declared is None:
        return None
    override = getattr(settings, "NUMBERING", {}).get(code, {})
    return Series(declared.code, prefix=override.get("prefix", declared.prefix), gap_free=declared.gap_free,
                  format=override.get("format", declared.format))
