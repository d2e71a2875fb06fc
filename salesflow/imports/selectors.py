"""Reading import jobs: a user's own imports; an administrator's (``import.view_all``) everybody's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.org.roles import has_capability

from .handlers import handler_for
from .models import ImportJob


def _visible_jobs(by, kind: str) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.filter(kind=kind)
    return qs if has_capability(by, "import.view_all") else qs.filter(created_by=by)


def import_get(*, by, kind: str, job_id: int) -> ImportJob:
    """One job without its file and checked rows; another user's answers like a missing one."""
    job = _visible_jobs(by, kind).select_related("created_by").defer("content", "payload").filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def import_history(*, by, kind: str) -> QuerySet[ImportJob]:
    """The import history page: newest first, without the file, the checked rows or the findings."""
    if not has_capability(by, handler_for(kind).capability):
        raise PermissionRefused()
    return (_visible_jobs(by, kind).select_related("created_by")
            .defer("content", "payload", "headers", "mapping", "errors", "warnings", "preview").order_by("-id"))
