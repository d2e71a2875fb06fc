"""What the lists' export views of other apps call (they may not import this app's views): the file at once, or the
page that asks for an approval."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import render

from . import services
from .kinds import describe_filters


def file_response(export: services.ExportFile) -> FileResponse:
    return FileResponse(export.stream, as_attachment=True, filename=export.filename,
                        content_type=export.content_type)


def export_or_ask(request, *, kind: str):
    """A list's export button: the file at once within the person's row limit; above it, the page that says so
    and offers to ask for an approval (issue #15). Called by the owning app's export view."""
    plan = services.export_plan(by=request.user, kind=kind, params=request.GET)
    if not plan.needs_approval:
        return file_response(services.export_file(by=request.user, kind=kind, params=request.GET))
    return render(request, "exports/needs_approval.html", {
        "kind": plan.kind, "rows": plan.rows, "limit": plan.limit, "params": sorted(plan.params.items()),
        "filters": describe_filters(plan.filters),
        "list_url": plan.kind.list_url() if plan.kind.list_url else None,
    })
