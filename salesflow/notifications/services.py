"""Telling people: in-app rows written in the caller's transaction; the e-mail and group-robot copies leave only
after commit (a rolled-back decision must not have told anyone).

Texts are composed in each recipient's own language (their saved choice, else the default 简体), not the
actor's: ``title`` and ``body`` are callables that build the text while that language is active.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from .models import Notification


def notify(users, *, kind: str, title: Callable[[], str], body: Callable[[], str] | None = None,
           url: str = "") -> list[Notification]:
    """One notice per distinct user, in the caller's transaction."""
    rows = []
    for user in {u.pk: u for u in users}.values():
        with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
            rows.append(Notification(user=user, kind=kind, title=str(title())[:255],
                                     body=str(body()) if body else "", url=url))
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    send_after_commit([n.pk for n in created if n.pk])
    return created


def notice_rows(users, *, kind: str, title: Callable[[], str], body: Callable[[], str] | None = None,
                url: str = "") -> list[dict]:
    """The same notices as plain rows for ``notices_insert``: for sweeps that write thousands at once."""
    rows = []
    for user in {u.pk: u for u in users}.values():
        with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
            rows.append({"user_id": user.pk, "kind": kind, "title": str(title())[:255],
                         "body": str(body()) if body else "", "url": url})
    return rows


def notices_insert(rows: list[dict]) -> list[int]:
    """Write plain notice rows (COPY / executemany, not an ORM object each) and send their copies after commit.
    Call it inside the caller's transaction."""
    from salesflow.core.bulk import insert_dicts

    ids = insert_dicts(Notification, rows)
    send_after_commit(ids)
    return ids


def send_after_commit(notification_ids: list[int]) -> None:
    """Queue the copies that leave the process (e-mail, team robots) for when the caller's transaction commits."""
    if not notification_ids:
        return
    ids = list(notification_ids)

    def send():
        from .tasks import send_notification_emails, send_team_robot_messages

        send_notification_emails.enqueue(ids)
        send_team_robot_messages.enqueue(ids)

    transaction.on_commit(send)


@transaction.atomic
def notifications_mark_read(*, by, ids: list[int] | None = None) -> int:
    """Mark the user's own unread notices read: all of them, or those among ``ids``."""
    qs = Notification.objects.filter(user=by, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
