"""The bell: in-app notices. Any app tells a user something through ``services.notify``; the e-mail and
group-robot copies leave only after the caller's transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One notice to one user (an approval waiting, a plan adjusted, a customer about to go back to the pool…)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        # The table was created by the approvals app, where notices began; it keeps its name so existing
        # databases move without copying rows (migrations 0003 in approvals, 0001 here).
        db_table = "approvals_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-id"], condition=Q(read_at__isnull=True), name="notif_unread_idx")]

    def __str__(self):
        return self.title
