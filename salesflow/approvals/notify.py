"""Notifications: in-app rows written in the caller's transaction; e-mail leaves only after commit."""

from __future__ import annotations

from django.db import transaction

from .models import Notification


def notify(users, *, kind: str, title: str, body: str = "", url: str = "") -> list[Notification]:
    rows = [Notification(user=u, kind=kind, title=title[:255], body=body, url=url) for u in {u.pk: u for u in users}.values()]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk]

    def send():
        from .tasks import send_notification_emails

        send_notification_emails.enqueue(ids)

    if ids:
        transaction.on_commit(send)
    return created
