"""Tasks queued under their old paths (salesflow.crm.tasks.check_import / run_import) before the import framework
became its own app (salesflow.imports) still find their function here after an upgrade; new ones are queued from
salesflow.imports.tasks."""

from salesflow.imports.tasks import check_import, run_import

__all__ = ["check_import", "run_import"]
