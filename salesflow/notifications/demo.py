"""The demo reset of the notices (the demo's builders notify through the services like everyone else)."""

from salesflow.demo.registry import resetter

from .models import Notification


@resetter(order=70)
def reset_notifications() -> dict[str, int]:
    Notification.objects.all().delete()
    return {}
