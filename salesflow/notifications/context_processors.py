from django.utils.functional import cached_property

from . import selectors


class NotificationCounts:
    """The bell's number, read (one indexed count) only when a template shows it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return selectors.unread_count(user=self.user)


def notification_counts(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = getattr(request, "_notification_counts", None)
    if counts is None:
        counts = request._notification_counts = NotificationCounts(user)
    return {"notification_counts": counts}
