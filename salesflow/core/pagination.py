"""The API's page-number pagination with a bounded page number.

ninja's ``page`` is any integer ≥ 1: ``?page=99999999999999999999`` became an OFFSET that overflows the database's
64-bit integer (a 500 on PostgreSQL and SQLite). Here it is a 400 ``validation_error`` beyond ``MAX_PAGE`` — far
past any list's end (a page past the end answers an empty page, as before).
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

from .pages import COUNT_CAP

MAX_PAGE = 1_000_000


class PageNumberPagination(NinjaPageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)


class CappedPagination(PageNumberPagination):
    """Like PageNumberPagination, but counts at most 10,001 rows: a count of 10,001 means "more than 10,000"."""

    def _items_count(self, queryset) -> int:
        return queryset[:COUNT_CAP + 1].count()
