"""The import pages every kind of import shares: upload beside the history of the user's imports, the
mapping → check → preview → confirm page with its progress partial (polled by htmx), and cancel.

A kind describes its pages with an ``ImportPages`` and routes the three views of ``page_views`` under its own
URL namespace (``<namespace>:import_start``, ``:import_detail``, ``:import_cancel``); its templates extend
``imports/import_start.html`` and ``imports/import_detail.html``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.core.errors import AppError, NotFound
from salesflow.core.pages import form_errors, page_view, paginate
from salesflow.org.roles import has_capability

from . import selectors, services
from .files import check_upload
from .forms import UploadForm
from .handlers import columns_of, handler_for, options_of
from .models import ImportStatus


@dataclass(frozen=True)
class ImportPages:
    kind: str
    namespace: str  # URL names: <namespace>:import_start, :import_detail, :import_cancel
    start_template: str
    detail_template: str
    title: object  # "Import customers"
    list_url: str  # the list the imported records appear in
    list_label: object
    open_label: object  # "Open the customer list", shown when an import is done
    # The kind's options read from the POST of the mapping step and of the confirm step.
    mapping_options: Callable[[dict], dict] = field(default=lambda post: {})
    confirm_options: Callable[[dict], dict] = field(default=lambda post: {})
    # Extra context of the detail page (choices for the options): (request, job) → dict.
    detail_context: Callable = field(default=lambda request, job: {})


def _allowed(request, pages: ImportPages) -> bool:
    return has_capability(request.user, handler_for(pages.kind).capability)


def _refused(request):
    return render(request, "core/error.html", {"title": _("Not allowed")}, status=403)


def start_page(request, pages: ImportPages):
    if not _allowed(request, pages):
        return _refused(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Only stored here; the worker reads it (issue #15). The size is known before the file is read in.
            check_upload(upload.name, upload.size, services.limits())
            job = services.import_receive(by=request.user, kind=pages.kind, file_name=upload.name,
                                          content=upload.read())
        except AppError as exc:
            form_errors(form, exc)
        else:
            return redirect(f"{pages.namespace}:import_detail", job_id=job.pk)
    history = paginate(request, selectors.import_history(by=request.user, kind=pages.kind))
    return render(request, pages.start_template, {"form": form, "history": history, "pages": pages,
                                                  "show_owner": has_capability(request.user, "import.view_all")})


def detail_page(request, job_id: int, pages: ImportPages):
    job = selectors.import_get(by=request.user, kind=pages.kind, job_id=job_id)
    errors = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                job = services.import_confirm(by=request.user, kind=pages.kind, job_id=job.pk,
                                              options=pages.confirm_options(request.POST))
            else:
                mapping = {key: request.POST.get(f"map_{key}", "") for key in handler_for(pages.kind).targets}
                job = services.import_check(by=request.user, kind=pages.kind, job_id=job.pk, mapping=mapping,
                                            options=pages.mapping_options(request.POST))
        except AppError as exc:
            errors = exc.fields
            messages.error(request, str(exc.message))
        else:
            return redirect(f"{pages.namespace}:import_detail", job_id=job.pk)
        job = selectors.import_get(by=request.user, kind=pages.kind, job_id=job_id)
    mine = job.created_by_id == request.user.pk
    context = {
        "job": job, "pages": pages, "mapping_errors": errors, "options": options_of(job),
        "targets": [(k, v[0]) for k, v in handler_for(pages.kind).targets.items()],
        "columns": columns_of(job), "headers": list(enumerate(job.headers)),
        "running": job.status in services.RUNNING,
        "can_map": mine and job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.INVALID),
        **pages.detail_context(request, job),
    }
    if request.htmx and request.GET.get("poll"):
        response = render(request, "imports/_import_status.html", context)
        if not context["running"]:
            response["HX-Refresh"] = "true"  # the check or import finished: show its errors or result
        return response
    return render(request, pages.detail_template, context)


def cancel(request, job_id: int, pages: ImportPages):
    try:
        services.import_cancel(by=request.user, kind=pages.kind, job_id=job_id)
        messages.info(request, _("Import cancelled; nothing was written."))
    except NotFound:
        raise  # another user's import answers like a missing one
    except AppError as exc:
        messages.error(request, str(exc.message))
    return redirect(f"{pages.namespace}:import_start")


def page_views(pages: ImportPages):
    """A kind's three import views, for its urls: the upload page with the history, the job's page, cancel."""

    @page_view
    def import_start(request):
        return start_page(request, pages)

    @page_view
    def import_detail(request, job_id: int):
        return detail_page(request, job_id, pages)

    @require_POST
    @page_view
    def import_cancel(request, job_id: int):
        return cancel(request, job_id, pages)

    return import_start, import_detail, import_cancel
