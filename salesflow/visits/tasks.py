from django_tasks import task


@task()
def send_visit_reminders() -> dict:
    from .services import reminders_sweep

    return reminders_sweep()
