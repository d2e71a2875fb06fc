"""The import job moved from the crm app to the import framework's own app (salesflow.imports): an existing
database keeps its table, its rows and the content type (so permissions granted on it survive).

Builds the schema as it was before the move (crm 0006, the imports app not migrated) with an import job in it,
migrates forward, and reads the same row through the new model.
"""

from __future__ import annotations

import zlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from salesflow.imports.models import ImportJob, ImportStatus

from ..factories import UserFactory

BEFORE_MOVE = [("crm", "0006_customer_pool_owner"), ("imports", None)]


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_an_import_job_written_before_the_move_is_read_after_it():
    user = UserFactory(username="old_importer")
    content_type = ContentType.objects.get_for_model(ImportJob)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE_MOVE)
        applied = MigrationRecorder(connection).applied_migrations()
        assert ("imports", "0001_initial") not in applied and ("crm", "0007_importjob_moves_to_imports") not in applied
        executor.loader.build_graph()
        old_apps = executor.loader.project_state(BEFORE_MOVE[0]).apps
        assert ("imports", "importjob") not in {(m._meta.app_label, m._meta.model_name) for m in old_apps.get_models()}
        # Going back gave the content type back to crm, as a database from before the move has it.
        assert ContentType.objects.filter(pk=content_type.pk, app_label="crm", model="importjob").exists()
        OldImportJob = old_apps.get_model("crm", "ImportJob")
        payload = zlib.compress(b'{"keys": [], "rows": []}')
        old = OldImportJob.objects.create(
            kind="leads", created_by_id=user.pk, file_name="2026展会名单.csv", content="公司名称\n宁波海天".encode(),
            payload=payload, status="validated", headers=["公司名称"], mapping={"name": 0, "_options": {"campaign": "工博会"}},
            total_rows=1, errors=[], warnings=[{"row": 2, "message": "可能重复"}], preview=[{"row": 2, "name": "宁波海天"}],
            progress=1, message="已检查 1 行")
        done = OldImportJob.objects.create(kind="customers", created_by_id=user.pk, file_name="客户.xlsx",
                                           content=b"", status="done", created_count=3)

        MigrationExecutor(connection).migrate(_latest())
    finally:
        MigrationExecutor(connection).migrate(_latest())
        ContentType.objects.clear_cache()

    assert ImportJob._meta.db_table == "crm_importjob"
    job = ImportJob.objects.get(pk=old.pk)
    assert (job.kind, job.created_by_id, job.file_name, bytes(job.content), bytes(job.payload)) == (
        "leads", user.pk, "2026展会名单.csv", "公司名称\n宁波海天".encode(), payload)
    assert (job.status, job.headers, job.mapping, job.total_rows, job.progress, job.message) == (
        ImportStatus.VALIDATED, ["公司名称"], {"name": 0, "_options": {"campaign": "工博会"}}, 1, 1, "已检查 1 行")
    assert (job.errors, job.warnings, job.preview) == ([], [{"row": 2, "message": "可能重复"}],
                                                       [{"row": 2, "name": "宁波海天"}])
    done = ImportJob.objects.get(pk=done.pk)
    assert (done.kind, done.status, done.created_count) == ("customers", ImportStatus.DONE, 3)
    assert list(ImportJob.objects.order_by("pk").values_list("pk", flat=True)) == [old.pk, done.pk]
    # The same content type row, now the imports app's.
    assert ContentType.objects.get(pk=content_type.pk).natural_key() == ("imports", "importjob")
    assert not ContentType.objects.filter(app_label="crm", model="importjob").exists()
