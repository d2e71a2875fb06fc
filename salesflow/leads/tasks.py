from django_tasks import task


@task()
def sweep_overdue_leads() -> dict:
    from .services import leads_sweep

    return leads_sweep()
