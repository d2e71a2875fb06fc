from django.conf import settings
from django.core.mail import send_mass_mail
from django_tasks import task


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail copies of notifications (to users with an address). Idempotent enough: a resend only repeats mail."""
    from .models import Notification

    messages = [
        (n.title, f"{n.body}\n\n{n.url}".strip(), settings.DEFAULT_FROM_EMAIL, [n.user.email])
        for n in Notification.objects.select_related("user").filter(pk__in=notification_ids)
        if n.user.email
    ]
    return send_mass_mail(messages, fail_silently=True) if messages else 0


@task()
def sweep_approval_deadlines() -> dict:
    from .services import approvals_sweep

    return approvals_sweep()
