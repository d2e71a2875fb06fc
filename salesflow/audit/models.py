from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("Audit events cannot be edited.")

    def delete(self):
        raise ImmutableError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what to which record, when, from where, with the values before and after.

    Append-only: the model and its queryset refuse updates and deletes, no page or endpoint offers them,
    and the admin registers it read-only.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_constraint=False,
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.CharField(_("IP address"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    # The customer the event belongs to, so a customer's timeline is one indexed read.
    customer_id = models.BigIntegerField(_("customer id"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("Audit events cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Audit events cannot be deleted.")

    @property
    def action_label(self) -> str:
        from .labels import action_label

        return action_label(self.action)

    def raw_changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field whose value changed, as stored; a phone whose old and new numbers
        mask alike is listed under ``core.masking.CHANGED_KEY`` and counts as changed."""
        from salesflow.core.masking import CHANGED_KEY

        before, after = self.before or {}, self.after or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return []
        forced = after.get(CHANGED_KEY) or []
        forced = set(forced) if isinstance(forced, list) else set()
        keys = [k for k in dict.fromkeys([*before.keys(), *after.keys()]) if k != CHANGED_KEY]
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k) or k in forced]

    @property
    def object_label(self) -> str:
        from django.apps import apps

        from .labels import current_object_type

        try:
            return str(apps.get_model(current_object_type(self.object_type))._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type
