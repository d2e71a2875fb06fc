"""The import pages every kind of import shares (customers, leads): upload beside the history of the user's
imports, the mapping → check → preview → confirm page with its progress partial (polled by htmx), and cancel.
A kind's views are thin wrappers that pass its ``ImportPages``."""

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

from . import imports
from .forms import UploadForm
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
    return has_capability(request.user, imports.handler_for(pages.kind).capability)


def _refused(request):
    return render(request, "core/error.html", {"title": _("Not allowed")}, status=403)


def start_page(request, pages: ImportPages):
    if not _allowed(request, pages):
        return _refused(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > imports.MAX_FILE_BYTES:
                raise imports.ImportFileError(_("The file is larger than 50 MB."))
            job = imports.import_upload(by=request.user, file_name=upload.name, content=upload.read(),
                                        kind=pages.kind)
        except AppError as exc:
            form_errors(form, exc)
        else:
            return redirect(f"{pages.namespace}:import_detail", job_id=job.pk)
    history = paginate(request, imports.import_history(by=request.user, kind=pages.kind))
    return render(request, pages.start_template, {"form": form, "history": history, "pages": pages,
                                                  "show_owner": has_capability(request.user, "import.view_all")})


def detail_page(request, job_id: int, pages: ImportPages):
    job = imports.import_get(by=request.user, job_id=job_id, kind=pages.kind)
    errors = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                job = imports.import_confirm(by=request.user, job_id=job.pk, kind=pages.kind,
                                             options=pages.confirm_options(request.POST))
            else:
                handler = imports.handler_for(pages.kind)
                mapping = {key: request.POST.get(f"map_{key}", "") for key in handler.targets}
                job = imports.import_check(by=request.user, job_id=job.pk, mapping=mapping, kind=pages.kind,
                                           options=pages.mapping_options(request.POST))
        except AppError as exc:
            errors = exc.fields
            messages.error(request, str(exc.message))
        else:
            return redirect(f"{pages.namespace}:import_detail", job_id=job.pk)
        job = imports.import_get(by=request.user, job_id=job_id, kind=pages.kind)
    mine = job.created_by_id == request.user.pk
    context = {
        "job": job, "pages": pages, "mapping_errors": errors, "options": imports.options_of(job),
        "targets": [(k, v[0]) for k, v in imports.handler_for(pages.kind).targets.items()],
        "columns": imports.columns_of(job), "headers": list(enumerate(job.headers)),
        "running": job.status in imports.RUNNING,
        "can_map": mine and job.status in (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.INVALID),
        **pages.detail_context(request, job),
    }
    if request.htmx and request.GET.get("poll"):
        response = render(request, "crm/_import_status.html", context)
        if not context["running"]:
            response["HX-Refresh"] = "true"  # the check or import finished: show its errors or result
        return response
    return render(request, pages.detail_template, context)


def cancel(request, job_id: int, pages: ImportPages):
    try:
        imports.import_cancel(by=request.user, job_id=job_id, kind=pages.kind)
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
