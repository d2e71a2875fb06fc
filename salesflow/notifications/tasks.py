"""The copies of notices that leave the process, queued by ``services.send_after_commit``."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

logger = logging.getLogger(__name__)


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
def send_team_robot_messages(notification_ids: list[int]) -> int:
    """Post each notification to its recipient's team group robot (WeCom / DingTalk / Feishu), if any.

    The robot is the one on the recipient's unit or, failing that, on the nearest unit above it. Never raises:
    a robot outage is logged and must not break the caller. Not exactly-once: a retried task posts again, which
    only repeats a group message (the in-app notification is the record).
    """
    from salesflow.org.models import OrgUnit

    from .models import Notification
    from .robots import RobotMessage, robot_send

    try:
        notices = list(Notification.objects.select_related("user", "user__unit").filter(pk__in=notification_ids)
                       .order_by("pk"))
        ancestors = {n.user_id: n.user.unit.ancestor_ids for n in notices if n.user.unit_id}
        # One query for every unit that could serve any recipient; an inactive unit's robot is not used.
        robots = dict(OrgUnit.objects.filter(pk__in={pk for ids in ancestors.values() for pk in ids}, is_active=True)
                      .exclude(robot_url="").values_list("pk", "robot_url"))
        by_robot: dict[str, list[RobotMessage]] = {}
        for notice in notices:
            url = next((robots[pk] for pk in ancestors.get(notice.user_id, []) if pk in robots), None)
            if url:
                by_robot.setdefault(url, []).append(_robot_message(notice))
    except Exception:
        logger.exception("Group robots: could not prepare messages for notifications %s.", notification_ids)
        return 0
    return sum(robot_send(url, messages) for url, messages in by_robot.items())


def _robot_message(notice):
    from .robots import RobotMessage

    # The text was composed in the recipient's language; the line naming them is too.
    with translation.override(notice.user.language or settings.LANGUAGE_CODE):
        lines = [notice.body, _("For: {name}").format(name=notice.user.display_name)]
    if notice.url:
        lines.append(settings.SALESFLOW_BASE_URL + notice.url if notice.url.startswith("/") else notice.url)
    return RobotMessage(title=notice.title, body="\n".join(line for line in lines if line))
