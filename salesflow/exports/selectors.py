"""Permission-scoped reads of export requests; every read goes through visible_to."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from salesflow.core.errors import NotFound

from .models import ExportRequest


def export_request_list(*, user, mine: bool = True, status: str = "") -> QuerySet:
    """"My exports" by default; ``mine=False``: every request the user may read (their reps', those to approve)."""
    qs = ExportRequest.objects.visible_to(user).select_related("requester")
    if mine:
        qs = qs.filter(requester=user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def export_request_get(*, user, request_id: int) -> ExportRequest:
    doc = ExportRequest.objects.visible_to(user).select_related("requester").filter(pk=request_id).first()
    if doc is None:
        raise NotFound(_("Export request not found."))
    return doc
