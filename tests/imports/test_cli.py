"""`salesflow import-customers FILE --user USERNAME` goes through the import framework like the pages do."""

from salesflow.cli import main
from salesflow.crm.imports import CUSTOMER_IMPORT_KIND
from salesflow.crm.models import Customer
from salesflow.imports.models import ImportJob, ImportStatus

from ..crm.test_import_export import csv_bytes
from ..factories import credit_code


def test_the_command_checks_then_imports_all_rows(org, tmp_path, capsys):
    good = tmp_path / "客户.csv"
    good.write_bytes(csv_bytes([["客户名称", "统一社会信用代码", "负责人"],
                                ["命令行导入一号有限公司", credit_code(601), "rep"], ["命令行导入二号有限公司", "", ""]]))
    assert main(["import-customers", str(good), "--user", org.supervisor.username]) == 0
    assert "Imported 2 customers." in capsys.readouterr().out
    job = ImportJob.objects.get(file_name="客户.csv")
    assert (job.kind, job.status, job.created_count, job.created_by_id) == (
        CUSTOMER_IMPORT_KIND, ImportStatus.DONE, 2, org.supervisor.pk)
    assert Customer.objects.get(name="命令行导入一号有限公司").owner_id == org.rep.pk


def test_the_command_lists_the_errors_and_imports_nothing(org, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["客户名称", "统一社会信用代码"], ["命令行坏行公司", "123"]]))
    assert main(["import-customers", str(bad), "--user", org.supervisor.username]) == 1
    assert "row 2:" in capsys.readouterr().err
    assert ImportJob.objects.get(file_name="bad.csv").status == ImportStatus.CANCELLED
    assert not Customer.objects.filter(name="命令行坏行公司").exists()
    assert main(["import-customers", str(bad), "--user", "nobody"]) == 1
