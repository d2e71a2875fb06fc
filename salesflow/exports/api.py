"""Exports over the API (issue #15): the same limits, requests and one download as the pages.

``GET /exports/lists/{kind}`` says how many rows an export would hold and whether it needs an approval;
``GET /exports/lists/{kind}/file`` is the file (409 ``export_needs_approval`` above the limit); ``POST /exports``
asks for an approval; ``POST /exports/{id}/download`` is the approved file, once. Filters are the list's query
parameters, as on its page."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from salesflow.core.pagination import PageNumberPagination

from . import selectors, services
from .kinds import freeze_params
from .pages import file_response

router = Router(tags=["exports"])


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict


class PlanOut(Schema):
    kind: str
    rows: int
    limit: int | None
    needs_approval: bool


class ExportRequestOut(Schema):
    id: int
    kind: str
    requester_id: int
    filters: dict
    params: dict
    row_count: int
    row_limit: int
    status: str
    last_opinion: str
    approved_at: datetime | None
    expires_at: datetime | None
    downloaded_at: datetime | None
    downloaded_rows: int | None
    created_at: datetime


class ExportRequestIn(Schema):
    kind: str
    filters: dict[str, str] = {}


@router.get("", response=list[ExportRequestOut])
@paginate(PageNumberPagination, page_size=50, max_page_size=200)
def list_exports(request, status: str = ""):
    """My export requests, newest first."""
    return selectors.export_request_list(user=request.user, status=status)


@router.post("", response={201: ExportRequestOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut})
def create_export_request(request, payload: ExportRequestIn):
    doc = services.export_request_create(by=request.user, kind=payload.kind, params=payload.filters)
    return Status(201, selectors.export_request_get(user=request.user, request_id=doc.pk))


@router.get("/lists/{kind}", response={200: PlanOut, 400: ErrorOut, 403: ErrorOut})
def export_check(request, kind: str):
    plan = services.export_plan(by=request.user, kind=kind, params=request.GET)
    return {"kind": plan.kind.code, "rows": plan.rows, "limit": plan.limit, "needs_approval": plan.needs_approval}


@router.get("/lists/{kind}/file", response={200: None, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut})
def export_list_file(request, kind: str):
    return file_response(services.export_file(by=request.user, kind=kind, params=freeze_params(request.GET)))


@router.get("/{request_id}", response={200: ExportRequestOut, 404: ErrorOut})
def get_export_request(request, request_id: int):
    return selectors.export_request_get(user=request.user, request_id=request_id)


@router.post("/{request_id}/download", response={200: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def download_export(request, request_id: int):
    return file_response(services.export_request_download(by=request.user, request_id=request_id))
