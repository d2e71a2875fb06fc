"""Imports from Excel/CSV: upload → column mapping → check (every row) → confirm → one transaction.

Every state change of an import job, for every kind: the kind's handler (handlers.py) checks and writes the
rows; this module keeps the job's state machine, the progress count and the all-or-nothing write. Rows are
validated in Python against prepared look-ups (no query per row) and written in batches inside one transaction.
Row numbers in errors are the sheet's own (header = row 1).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import zlib
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.core.errors import AppError, NotFound, PermissionRefused, ValidationFailed
from salesflow.org.roles import has_capability

from . import error_codes as codes
from . import files
from .handlers import MAX_REPORTED_ERRORS, OPTIONS, ImportHandler, handler_for, options_of
from .models import IMPORT_FLOW, ImportJob, ImportStatus

logger = logging.getLogger(__name__)

# Read at call time (tests lower them); the defaults come from settings (IMPORT_MAX_*).
MAX_FILE_BYTES = settings.IMPORT_MAX_FILE_BYTES
MAX_ROWS = settings.IMPORT_MAX_ROWS
INLINE_CHECK_ROWS = 2000  # bigger files are checked by the task worker while the page polls
INLINE_CHECK_BYTES = 8 * 1024 * 1024  # and so are files bigger than this once unzipped (issue #15)
PROGRESS_EVERY = 5000  # rows between two saves of the progress count (one UPDATE each)
RUNNING = (ImportStatus.RECEIVED, ImportStatus.CHECKING, ImportStatus.QUEUED, ImportStatus.RUNNING)


class Progress:
    """Rows processed so far (``ImportJob.progress``), saved every PROGRESS_EVERY rows where the polling page
    can see them. The check runs outside any transaction, so a plain UPDATE commits at once. The write is one
    transaction: on PostgreSQL the count goes through a second connection (the write does not lock the job
    row until it finishes); SQLite has one writer at a time, so there the count moves when the write commits."""

    def __init__(self, job_id: int, *, in_write: bool = False, every: int | None = None):
        self.job_id = job_id
        self.in_write = in_write
        self.every = every or PROGRESS_EVERY
        self.done = 0
        self._saved = 0
        self._side = None

    def iterate(self, items: Iterable) -> Iterator:
        for item in items:
            yield item
            self.advance(1)

    def advance(self, n: int) -> None:
        self.done += n
        if self.done - self._saved >= self.every:
            self.save()

    def save(self) -> None:
        self._saved = self.done
        if not self.in_write:
            ImportJob.objects.filter(pk=self.job_id).update(progress=self.done)
        elif connection.vendor == "postgresql":
            if self._side is None:
                self._side = connections.create_connection(connection.alias)
            table = connection.ops.quote_name(ImportJob._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET progress = %s WHERE id = %s",  # noqa: S608 — identifier only
                               [self.done, self.job_id])

    def stage(self, message: str) -> None:
        """What the check is doing once every row is read (e.g. looking for duplicates), shown under the bar."""
        if not self.in_write:
            ImportJob.objects.filter(pk=self.job_id).update(message=message)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


# --- the job's steps ------------------------------------------------------------------------------------------

def limits() -> files.Limits:
    return dataclasses.replace(files.Limits.from_settings(rows=MAX_ROWS), file_bytes=MAX_FILE_BYTES)


def _uploader(by, kind: str):
    handler = handler_for(kind)
    if not has_capability(by, handler.capability):
        raise PermissionRefused()
    return handler


def _read(job: ImportJob, handler: ImportHandler, content: bytes) -> None:
    """Read the file into the job's header, suggested mapping, row count and size (the job is not saved)."""
    sheet = files.read_sheet(job.file_name, content, limits())
    if len(sheet.rows) < 2:
        raise files.ImportFileError(_("The file has no data rows under its header row."))
    job.headers = [str(h or "").strip() for h in sheet.rows[0]]
    job.mapping = files.suggest_mapping(job.headers, handler.targets)
    job.total_rows = len(sheet.rows) - 1
    job.expanded_size = sheet.expanded_bytes


def import_upload(*, by, kind: str, file_name: str, content: bytes) -> ImportJob:
    """Read and store a file in one go, refusing a bad one before anything is stored: for the command line and
    the demo, which are no web request. A web request stores the file with ``import_receive`` instead."""
    handler = _uploader(by, kind)
    job = ImportJob(kind=kind, created_by=by, file_name=file_name[:255], content=content)
    _read(job, handler, content)
    job.save()
    return job


def import_receive(*, by, kind: str, file_name: str, content: bytes) -> ImportJob:
    """The web request's part of an upload (issue #15): check what can be checked without reading the file
    (type, size), store it, and queue the read for the worker; the job's page polls until it is read."""
    from .tasks import read_import

    _uploader(by, kind)
    files.check_upload(file_name, len(content), limits())
    job = ImportJob.objects.create(kind=kind, created_by=by, file_name=file_name[:255], content=content,
                                   status=ImportStatus.RECEIVED)
    # Not on commit: outside a transaction the row is committed already, and inside one the database
    # backend's task row commits with it (the other import steps run in a transaction and queue on commit).
    read_import.enqueue(job.pk)
    return job


def import_read(job_id: int) -> ImportJob | None:
    """The worker's read of a received file: its header and rows counted within the caps, or the job fails
    with the reason (a refused file is dropped: nothing of it is kept but its name)."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.RECEIVED).first()
    if job is None:
        return ImportJob.objects.defer("content", "payload").filter(pk=job_id).first()
    content = bytes(job.content)
    refused = ""
    try:
        _read(job, handler_for(job.kind), content)
    except AppError as exc:
        refused = str(exc.message)
    del content
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().defer("content", "payload").filter(pk=job_id).first()
        if current is None or current.status != ImportStatus.RECEIVED:  # cancelled meanwhile
            return current
        if refused:
            current.status = IMPORT_FLOW.next(current.status, "read_bad")
            current.message = refused
            current.content = b""
            current.finished_at = timezone.now()
            current.save(update_fields=["status", "message", "content", "finished_at"])
            return current
        current.status = IMPORT_FLOW.next(current.status, "read_ok")
        for name in ("headers", "mapping", "total_rows", "expanded_size"):
            setattr(current, name, getattr(job, name))
        current.save(update_fields=["status", "headers", "mapping", "total_rows", "expanded_size"])
    return current


def _job_for_update(by, job_id: int, kind: str) -> ImportJob:
    """Only the uploader acts on an import (an administrator may look, not act)."""
    job = (ImportJob.objects.select_for_update().defer("content", "payload")
           .filter(pk=job_id, created_by=by, kind=kind).first())
    if job is None:
        raise NotFound(_("Import not found."))
    return job


def _parse_mapping(mapping: dict, headers: list[str], handler: ImportHandler) -> dict[str, int]:
    clean, errors = {}, {}
    for key, value in mapping.items():
        if key not in handler.targets or value in (None, "", -1, "-1"):
            continue
        try:
            index = int(value)
        except (TypeError, ValueError):
            errors[key] = [_("Choose a column.")]
            continue
        if not 0 <= index < len(headers):
            errors[key] = [_("Choose a column.")]
        clean[key] = index
    for key, message in handler.required.items():
        if key not in clean:
            errors[key] = [str(message)]
    if errors:
        raise ValidationFailed(errors, code=codes.IMPORT_MAPPING_INVALID)
    return clean


@transaction.atomic
def import_check(*, by, kind: str, job_id: int, mapping: dict, options: dict | None = None) -> ImportJob:
    """Apply a column mapping (and the kind's options) and check every row; nothing is written to the
    business tables. Small files are checked at once; big ones by the task worker (the page shows progress)."""
    from .tasks import check_import

    handler = handler_for(kind)
    job = _job_for_update(by, job_id, kind)
    if job.status in (ImportStatus.VALIDATED, ImportStatus.INVALID):
        job.status = IMPORT_FLOW.next(job.status, "remap")
    columns = _parse_mapping(mapping, job.headers, handler)
    chosen = handler.clean_options(by=by, stage="mapping", data=options or {})
    job.mapping = {**columns, OPTIONS: chosen} if chosen else columns
    job.status = IMPORT_FLOW.next(job.status, "check")
    job.payload = b""
    job.progress = 0
    job.message = ""
    job.save(update_fields=["mapping", "status", "payload", "progress", "message"])
    if job.total_rows <= INLINE_CHECK_ROWS and job.expanded_size <= INLINE_CHECK_BYTES:
        return import_run_check(job.pk)
    transaction.on_commit(lambda: check_import.enqueue(job.pk))
    return job


def _data_rows(job: ImportJob) -> list[list]:
    return files.read_rows(job.file_name, bytes(job.content), limits())[1:]


def _compress(rows: list | dict) -> bytes:
    return zlib.compress(json.dumps(rows, ensure_ascii=False).encode(), 3)


def _decompress(payload) -> list | dict:
    return json.loads(zlib.decompress(bytes(payload))) if payload else []


def import_run_check(job_id: int) -> ImportJob | None:
    """The check proper. It reads and validates without holding the job's row lock (the progress count is
    saved as it goes), then stores its findings under the lock if the job is still waiting for them."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id, status=ImportStatus.CHECKING).first()
    if job is None:
        return ImportJob.objects.defer("content", "payload").filter(pk=job_id).first()
    handler = handler_for(job.kind)
    progress = Progress(job.pk)
    result = handler.check(job=job, rows=_data_rows(job), progress=progress)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.CHECKING:
            return job
        job.errors = result.errors[:MAX_REPORTED_ERRORS]
        job.warnings = result.warnings[:MAX_REPORTED_ERRORS]
        job.preview = result.preview
        job.payload = b"" if result.errors else _compress(result.rows)
        job.progress = progress.done
        job.status = IMPORT_FLOW.next(job.status, "validate_bad" if result.errors else "validate_ok")
        job.message = (_("{n} errors found; fix the file and upload it again.").format(n=len(result.errors))
                       if result.errors else result.message)
        job.save()
    return job


@transaction.atomic
def import_cancel(*, by, kind: str, job_id: int) -> ImportJob:
    job = _job_for_update(by, job_id, kind)
    job.status = IMPORT_FLOW.next(job.status, "cancel")
    job.content = job.payload = b""
    job.save(update_fields=["status", "content", "payload"])
    return job


def import_confirm(*, by, kind: str, job_id: int, options: dict | None = None) -> ImportJob:
    """Queue the write; the task runs the whole file in one transaction."""
    from .tasks import run_import

    handler = handler_for(kind)
    with transaction.atomic():
        job = _job_for_update(by, job_id, kind)
        job.status = IMPORT_FLOW.next(job.status, "confirm")
        chosen = handler.clean_options(by=by, stage="confirm", data=options or {})
        if chosen:
            job.mapping = {**job.mapping, OPTIONS: {**options_of(job), **chosen}}
        job.progress = 0
        job.save(update_fields=["status", "mapping", "progress"])
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def import_execute(job_id: int) -> ImportJob | None:
    """Write a confirmed import in one transaction (all or nothing).
    Safe to run twice (two workers): the row lock and the status transition let only one proceed."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return job
        job.status = IMPORT_FLOW.next(job.status, "start")
        job.save(update_fields=["status"])
    progress = Progress(job_id, in_write=True)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # SQLite's default page cache (2 MiB) spills a big transaction's dirty index pages to the WAL and
            # reads them back; an import into tables of 100,000s of rows wants room (this connection only,
            # allocated as used).
            cursor.execute("PRAGMA cache_size = -262144")
    try:
        with transaction.atomic():
            # Not locked: the status transition above made this worker the only writer, and the job row must
            # stay free for the progress count written beside this transaction (see Progress).
            job = ImportJob.objects.select_related("created_by").get(pk=job_id)
            rows = _decompress(job.payload)
            if not rows:
                raise AppError(codes.IMPORT_NOT_READY, _("The file has not been checked; check it again."))
            result = handler_for(job.kind).write(job=job, rows=rows, progress=progress)
            job.status = IMPORT_FLOW.next(job.status, "finish")
            job.created_count = result.created
            job.message = result.message
            job.progress = job.total_rows
            job.finished_at = timezone.now()
            job.content = job.payload = b""
            job.save()
    except AppError as exc:
        _fail(job_id, str(exc.message))
    except (DatabaseError, connection.Database.Error):  # the driver's own error class: COPY runs on its cursor
        logger.exception("import %s failed in the database", job_id)
        _fail(job_id, _("The database refused the write; nothing was imported. Try again later."))
    finally:
        progress.close()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # SQLite keeps no statistics by itself: without them it picks slow plans for scoped lists.
            cursor.execute("ANALYZE")
    return ImportJob.objects.defer("content", "payload").get(pk=job_id)


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, message=message,
                                               finished_at=timezone.now())
