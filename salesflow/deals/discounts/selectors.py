"""Permission-scoped reads of discount requests; every read goes through visible_to."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from salesflow.core.errors import NotFound

from .models import DiscountRequest


def discount_list(*, user, status: str = "", customer_id: int | None = None, mine: bool = False) -> QuerySet:
    qs = DiscountRequest.objects.visible_to(user).select_related("customer", "requester")
    if status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if mine:
        qs = qs.filter(requester=user)
    return qs.order_by("-id")


def discount_get(*, user, discount_id: int) -> DiscountRequest:
    doc = DiscountRequest.objects.visible_to(user).select_related("customer", "requester").filter(pk=discount_id).first()
    if doc is None:
        raise NotFound(_("Discount request not found."))
    return doc
