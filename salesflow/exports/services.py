"""Exports out of the system (issue #15): every file is audited (who, which list, the filters, the row count), and
an export above the person's row limit (``limits.row_limit``) becomes an export request that the approval engine
decides; the requester then downloads it once, within EXPORT_DOWNLOAD_DAYS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.approvals.services import approval_submit
from salesflow.core.errors import Conflict, NotFound, PermissionRefused
from salesflow.org.roles import has_capability

from . import error_codes as codes
from . import events
from .kinds import ExportKind, describe_filters, freeze_params, kind_for
from .limits import row_limit
from .models import DOCUMENT_TYPE, EXPORT_FLOW, ExportRequest, ExportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ExportPlan:
    kind: ExportKind
    params: dict
    filters: object
    queryset: object
    rows: int
    limit: int | None

    @property
    def needs_approval(self) -> bool:
        return self.limit is not None and self.rows > self.limit


@dataclass
class ExportFile:
    stream: IO[bytes]
    filename: str
    rows: int
    content_type: str = XLSX


def export_plan(*, by, kind: str, params) -> ExportPlan:
    """What an export of this list with these filters would hold for ``by``: its rows (in their data scope) and
    whether that is above their limit."""
    export_kind = kind_for(kind)
    if export_kind.capability and not has_capability(by, export_kind.capability):
        raise PermissionRefused()
    frozen = freeze_params(params)
    filters = export_kind.filters(frozen)
    qs = export_kind.queryset(by, filters)
    return ExportPlan(kind=export_kind, params=frozen, filters=filters, queryset=qs, rows=qs.order_by().count(),
                      limit=row_limit(by))


def needs_approval_error(plan: ExportPlan) -> Conflict:
    return Conflict(codes.EXPORT_NEEDS_APPROVAL,
                    _("This export needs approval ({rows} rows > {limit}).").format(rows=plan.rows, limit=plan.limit),
                    fields={"rows": [str(plan.rows)], "limit": [str(plan.limit)]})


def _filename(kind: ExportKind) -> str:
    return f"{kind.filename}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def _audit(*, by, plan: ExportPlan, rows: int, doc: ExportRequest | None = None) -> None:
    after = {"list": plan.kind.code, "filters": describe_filters(plan.filters), "rows": rows}
    if doc is not None:
        events.EXPORT_DOWNLOADED.record(by=by, obj=doc, after={**after, "request": doc.pk})
    else:
        events.EXPORT_DOWNLOADED.record(by=by, object_type="exports.list", object_id=plan.kind.code,
                                        object_repr=plan.kind.code, after=after)


def export_file(*, by, kind: str, params) -> ExportFile:
    """The file at once when it is within the person's limit (else ``export_needs_approval``), audited."""
    plan = export_plan(by=by, kind=kind, params=params)
    if plan.needs_approval:
        raise needs_approval_error(plan)
    stream = plan.kind.write(by, plan.queryset)
    with transaction.atomic():
        _audit(by=by, plan=plan, rows=plan.rows)
    return ExportFile(stream=stream, filename=_filename(plan.kind), rows=plan.rows)


@transaction.atomic
def export_request_create(*, by, kind: str, params) -> ExportRequest:
    """Ask for an export above the limit: the filters are frozen now and the request goes to the engine."""
    plan = export_plan(by=by, kind=kind, params=params)
    if not plan.needs_approval:
        raise Conflict(codes.EXPORT_NO_APPROVAL_NEEDED,
                       _("This export is within your limit; download it directly."))
    doc = ExportRequest.objects.create(
        requester=by, unit_id=by.unit_id, kind=plan.kind.code, params=plan.params,
        filters=describe_filters(plan.filters), row_count=plan.rows, row_limit=plan.limit)
    events.EXPORT_REQUESTED.record(by=by, obj=doc, after={"list": doc.kind, "filters": doc.filters,
                                                          "rows": doc.row_count, "limit": doc.row_limit})
    approval_submit(by=by, document_type=DOCUMENT_TYPE, document_id=doc.pk)
    return doc


def export_apply_verdict(doc: ExportRequest, action: str, *, by=None, **fields) -> None:
    """The engine's verdict (approve / return) on a locked export request; audited on the request."""
    before = doc.status
    doc.status = EXPORT_FLOW.next(doc.status, action)
    for name, value in fields.items():
        setattr(doc, name, value)
    doc.save(update_fields=["status", "updated_at", *fields])
    event = events.EXPORT_APPROVED if action == "approve" else events.EXPORT_RETURNED
    event.record(by=by, obj=doc, before={"status": before}, after={"status": doc.status})


@transaction.atomic
def export_request_download(*, by, request_id: int) -> ExportFile:
    """The approved export, once, by its requester only: the frozen filters over the requester's data scope now."""
    doc = (ExportRequest.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=request_id).first())
    if doc is None:
        raise NotFound(_("Export request not found."))
    if doc.requester_id != by.pk:
        raise PermissionRefused(_("Only the person who asked for this export can download it."),
                                codes.EXPORT_NOT_REQUESTER)
    if doc.status == ExportStatus.DOWNLOADED:
        raise Conflict(codes.EXPORT_ALREADY_DOWNLOADED, _("This export has been downloaded already; ask again."))
    if doc.status != ExportStatus.APPROVED:
        raise Conflict(codes.EXPORT_NOT_READY, _("This export has not been approved."))
    now = timezone.now()
    if now > doc.expires_at:
        raise Conflict(codes.EXPORT_EXPIRED, _("The approval of this export ran out after {days} days; ask again.")
                       .format(days=settings.EXPORT_DOWNLOAD_DAYS))
    doc.require("download", by=by)
    export_kind = kind_for(doc.kind)
    filters = export_kind.filters(doc.params)
    qs = export_kind.queryset(by, filters)
    rows = qs.order_by().count()
    stream = export_kind.write(by, qs)
    doc.status = EXPORT_FLOW.next(doc.status, "download")
    doc.downloaded_at, doc.downloaded_rows = now, rows
    doc.save(update_fields=["status", "downloaded_at", "downloaded_rows", "updated_at"])
    plan = ExportPlan(kind=export_kind, params=doc.params, filters=filters, queryset=qs, rows=rows, limit=None)
    _audit(by=by, plan=plan, rows=rows, doc=doc)
    return ExportFile(stream=stream, filename=_filename(export_kind), rows=rows)
