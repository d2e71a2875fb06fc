"""Reads for the bell and the notification page: always the user's own notices only."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification


def notifications(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
