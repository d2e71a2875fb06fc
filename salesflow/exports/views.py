"""Export pages: "my exports"; an export request's page with its one download (the lists' export buttons go
through ``pages.export_or_ask``)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.approvals.services import request_for
from salesflow.core.errors import AppError, NotFound, PermissionRefused
from salesflow.core.pages import page_view, paginate

from . import error_codes as codes
from . import selectors, services
from .kinds import KINDS
from .models import DOCUMENT_TYPE, ExportStatus
from .pages import file_response


@require_POST
@page_view
def request_create(request):
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        raise NotFound()
    try:
        doc = services.export_request_create(by=request.user, kind=kind, params=request.POST)
    except (NotFound, PermissionRefused):
        raise
    except AppError as exc:
        messages.error(request, str(exc.message))
        return redirect("exports:request_list")
    messages.success(request, _("Export requested: {rows} rows, waiting for approval.").format(rows=doc.row_count))
    return redirect("exports:request_detail", request_id=doc.pk)


@page_view
def request_list(request):
    page = paginate(request, selectors.export_request_list(user=request.user))
    return render(request, "exports/request_list.html", {"page": page, "labels": _labels()})


def _labels() -> dict:
    return {code: kind.label for code, kind in KINDS.items()}


@page_view
def request_detail(request, request_id: int):
    doc = selectors.export_request_get(user=request.user, request_id=request_id)
    approval = request_for(DOCUMENT_TYPE, doc.pk)
    return render(request, "exports/request_detail.html", {
        "doc": doc, "label": _labels().get(doc.kind, doc.kind), "approval": approval,
        "can_download": doc.can("download", by=request.user) and doc.status == ExportStatus.APPROVED,
        "is_requester": doc.requester_id == request.user.pk,
    })


@require_POST
@page_view
def request_download(request, request_id: int):
    try:
        export = services.export_request_download(by=request.user, request_id=request_id)
    except (NotFound, PermissionRefused):
        raise
    except AppError as exc:
        if exc.code not in (codes.EXPORT_ALREADY_DOWNLOADED, codes.EXPORT_NOT_READY, codes.EXPORT_EXPIRED):
            raise
        messages.error(request, str(exc.message))
        return redirect("exports:request_detail", request_id=request_id)
    return file_response(export)

