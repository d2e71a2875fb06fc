"""The demo reset clears the import history (the demo's lead imports are built by leads' demo)."""

from salesflow.demo.registry import resetter

from .models import ImportJob


@resetter(order=20)
def reset_import_jobs() -> dict[str, int]:
    return {"import jobs": ImportJob.objects.all().delete()[0]}
