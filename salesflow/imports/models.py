from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesflow.core.statemachine import StateMachine


class ImportStatus(models.TextChoices):
    # Stored by the web request; the task worker reads the file (issue #15: never the web process).
    RECEIVED = "received", _("Received, reading the file")
    UPLOADED = "uploaded", _("Uploaded, waiting for the column mapping")
    CHECKING = "checking", _("Checking the rows")
    VALIDATED = "validated", _("Checked, waiting for confirmation")
    INVALID = "invalid", _("Has errors, nothing imported")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed, nothing imported")
    CANCELLED = "cancelled", _("Cancelled, nothing imported")


IMPORT_FLOW = StateMachine(
    ImportStatus,
    {
        ImportStatus.RECEIVED: {"read_ok": ImportStatus.UPLOADED, "read_bad": ImportStatus.FAILED,
                                "cancel": ImportStatus.CANCELLED},
        ImportStatus.UPLOADED: {"check": ImportStatus.CHECKING, "cancel": ImportStatus.CANCELLED},
        ImportStatus.CHECKING: {"validate_ok": ImportStatus.VALIDATED, "validate_bad": ImportStatus.INVALID},
        ImportStatus.VALIDATED: {"confirm": ImportStatus.QUEUED, "remap": ImportStatus.UPLOADED,
                                 "cancel": ImportStatus.CANCELLED},
        ImportStatus.INVALID: {"remap": ImportStatus.UPLOADED, "cancel": ImportStatus.CANCELLED},
        ImportStatus.QUEUED: {"start": ImportStatus.RUNNING},
        ImportStatus.RUNNING: {"finish": ImportStatus.DONE, "fail": ImportStatus.FAILED},
    },
)


class ImportJob(models.Model):
    """An upload on its way in, of any kind: file, column mapping, the check's findings, and the outcome."""

    # The kind's handler (handlers.py), registered by the app that owns the rows: no choices here, so a new kind
    # needs no change to this app and no migration; services accept only a registered kind.
    kind = models.CharField(_("type"), max_length=16)
    # Rows checked or written so far, for the progress bar of big files.
    progress = models.PositiveIntegerField(_("rows processed"), default=0)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    # The checked rows (compressed JSON), written by the check and consumed by the import.
    payload = models.BinaryField(_("checked rows"), editable=False, default=b"")
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    headers = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    # The file's size once unzipped (a CSV's own size), measured by the worker's read: only small files are
    # checked again inside a web request.
    expanded_size = models.PositiveBigIntegerField(_("size unzipped"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    warnings = models.JSONField(_("warnings"), default=list)
    preview = models.JSONField(_("preview"), default=list)
    created_count = models.PositiveIntegerField(_("imported"), default=0)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        # The table the job had when it belonged to crm: moved without copying a row (migrations 0001 here and
        # crm 0007).
        db_table = "crm_importjob"
        verbose_name = _("data import")
        verbose_name_plural = _("data imports")
        ordering = ["-id"]

    def __str__(self):
        return self.file_name

    @property
    def kind_label(self) -> str:
        from .handlers import kind_label

        return kind_label(self.kind)
