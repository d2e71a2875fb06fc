"""The export request (导出申请, issue #15): an export above the requester's row limit waits for an approval through
the engine; once approved, the requester downloads it once, within EXPORT_DOWNLOAD_DAYS, with the filters frozen
when they asked and the rows of their own data scope."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesflow.core.statemachine import StateMachine
from salesflow.org.guards import Guarded, Permit
from salesflow.org.scope import ScopedQuerySet

from .error_codes import EXPORT_NOT_REQUESTER

DOCUMENT_TYPE = "exports.exportrequest"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")  # the approval engine owns it
    APPROVED = "approved", _("Approved")  # the requester may download it once, within the window
    RETURNED = "returned", _("Returned")  # rejected or withdrawn: a new request is a new document
    DOWNLOADED = "downloaded", _("Downloaded")  # the one download is done


EXPORT_FLOW = StateMachine(
    ExportStatus,
    {
        ExportStatus.PENDING: {"approve": ExportStatus.APPROVED, "return": ExportStatus.RETURNED},
        # Returned is final: asking again is a new request, counted again under the filters of that moment.
        ExportStatus.APPROVED: {"download": ExportStatus.DOWNLOADED},
    },
)


class ExportRequestQuerySet(ScopedQuerySet):
    """The requester sees their own; the heads above them and leadership see them as they see the requester's
    records; whoever is asked to approve one sees it. Only the requester downloads (the guard)."""

    scope_owner = "requester_id"
    scope_owner_always = True

    def extra_scope(self, user, scope):
        from salesflow.approvals.models import ApprovalTask

        return Q(pk__in=ApprovalTask.objects.filter(approver_id=scope.user_id, request__document_type=DOCUMENT_TYPE)
                 .values("request__document_id"))


class ExportRequest(Guarded, models.Model):
    flow = EXPORT_FLOW
    permits = {
        "download": Permit(who="owner", label=_("download"), refusal=_("Only the person who asked for this export "
                                                                       "can download it."),
                           code=EXPORT_NOT_REQUESTER),
    }

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.PROTECT,
                                  related_name="export_requests")
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(_("list"), max_length=64)
    params = models.JSONField(_("filters (as asked)"), default=dict, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows when asked"))
    row_limit = models.PositiveIntegerField(_("row limit when asked"))
    status = models.CharField(_("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    last_opinion = models.TextField(_("last opinion"), blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)
    downloaded_rows = models.PositiveIntegerField(_("rows downloaded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ExportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExportStatus.values), name="exports_request_status_valid"),
            # Downloaded once, and only after an approval.
            models.CheckConstraint(condition=~Q(status="downloaded") | Q(downloaded_at__isnull=False,
                                                                          approved_at__isnull=False),
                                   name="exports_downloaded_after_approval"),
        ]
        indexes = [
            models.Index(fields=["requester", "-id"], name="exports_req_requester_idx"),
            models.Index(fields=["unit", "-id"], name="exports_req_unit_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.kind} ({self.row_count})"

    @property
    def expires_at(self):
        if self.approved_at is None:
            return None
        return self.approved_at + dt.timedelta(days=settings.EXPORT_DOWNLOAD_DAYS)
