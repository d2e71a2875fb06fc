"""Posting notices to team group robots (WeCom / DingTalk / Feishu) through apprise.

Which addresses are accepted and how they are parsed is the organisation's (``salesflow/org/robots.py``, where
a unit's robot is configured); this module only sends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import apprise
from django.utils.translation import gettext as _

from salesflow.org.robots import robot_asset as _asset
from salesflow.org.robots import robot_plugin as _instantiate
from salesflow.org.robots import robot_url_masked

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RobotMessage:
    title: str
    body: str


DIGEST_AFTER = 3


def robot_send(url: str, messages: list[RobotMessage]) -> int:
    """Send each message to one robot; return how many went out. Never raises: a robot outage (or a URL that
    stopped being valid) is logged and must not break the caller."""
    try:
        plugin = _instantiate(url)
        if plugin is None:
            logger.warning("Group robot %s: not a valid robot URL; %d message(s) dropped.",
                           robot_url_masked(url), len(messages))
            return 0
        # One plugin instance for the whole batch, so apprise's own throttle spaces the requests to one robot
        # (the vendors allow about 20 messages a minute per robot and block a robot that floods).
        sender = apprise.Apprise(asset=_asset())
        sender.add(plugin)
        if len(messages) > DIGEST_AFTER:
            # A sweep can notify dozens of people in one team at once: one digest instead of a message each
            # (apprise spaces messages to one robot ~5 s apart, which would hold the worker for minutes).
            digest = RobotMessage(title=_("{n} notifications").format(n=len(messages)),
                                  body="\n\n".join(f"• {m.title}\n{m.body}" for m in messages))
            return len(messages) if sender.notify(body=digest.body, title=digest.title) else 0
        sent = 0
        for message in messages:
            if not sender.notify(body=message.body, title=message.title):
                # Stop at the first failure: a robot that is down would otherwise hold the worker for apprise's
                # timeouts once per message, and one that is rate-limiting us should not be pushed harder.
                break
            sent += 1
        if sent < len(messages):
            logger.warning("Group robot %s: %d of %d message(s) not delivered.", robot_url_masked(url),
                           len(messages) - sent, len(messages))
        return sent
    except Exception:
        logger.exception("Group robot %s: sending failed.", robot_url_masked(url))
        return 0
