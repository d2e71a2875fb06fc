from django_tasks import task

# Tasks queued before notifications became their own app are stored under this module's path; the names
# stay importable here so a worker can still run them after an upgrade.
from salesflow.notifications.tasks import send_notification_emails, send_team_robot_messages  # noqa: F401


@task()
def sweep_approval_deadlines() -> dict:
    from .services import approvals_sweep

    return approvals_sweep()
