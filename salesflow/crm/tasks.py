"""Tasks queued under their old paths (salesflow.crm.tasks.*) before the import framework became its own app
(salesflow.imports) still find their function here; new ones are queued from salesflow.imports.tasks."""

from salesflow.imports.tasks import check_import, run_import

check_customer_import = check_import
run_customer_import = run_import

__all__ = ["check_customer_import", "check_import", "run_customer_import", "run_import"]
