from django.utils.functional import cached_property

from . import selectors


class ApprovalCounts:
    """The navbar's approvals badge, read (one indexed count) only when a template shows it; the bell's number
    is the notifications app's."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def pending(self) -> int:
        return selectors.inbox_count(user=self.user)


def approval_counts(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = getattr(request, "_approval_counts", None)
    if counts is None:
        counts = request._approval_counts = ApprovalCounts(user)
    return {"approval_counts": counts}
