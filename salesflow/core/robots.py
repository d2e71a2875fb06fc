"""Group robots (WeCom / DingTalk / Feishu) through apprise: the only module that knows the library.

A robot is stored as an apprise URL (``dingtalk://<token>/``, ``wecombot://<key>``, ``feishu://<token>``).
Only those three services are accepted: apprise speaks to ~100 others (generic ``json://`` webhooks, mail,
local files…), and a free-form URL would let a typo or a malicious edit post company data anywhere.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import apprise
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

ROBOT_SCHEMES = frozenset({"dingtalk", "wecombot", "feishu"})
ROBOT_URL_MAX_LENGTH = 500


def _asset() -> apprise.AppriseAsset:
    # Memory-only persistent store: apprise must not write state files from a web or worker process; and
    # secure logging keeps the robot tokens out of apprise's own log lines.
    return apprise.AppriseAsset(storage_mode="memory", secure_logging=True)


def _instantiate(url: str):
    plugin = apprise.Apprise.instantiate(url, asset=_asset())
    if plugin is None or plugin.secure_protocol not in ROBOT_SCHEMES:
        return None
    return plugin


def robot_url_is_valid(url: str) -> bool:
    """True for one well-formed DingTalk, WeCom bot or Feishu URL (checked by apprise, without sending)."""
    url = (url or "").strip()
    # apprise reads "a, b" or "a b" as several services; a robot is exactly one.
    if not url or len(url) > ROBOT_URL_MAX_LENGTH or any(c.isspace() or c == "," for c in url):
        return False
    return _instantiate(url) is not None


def robot_url_masked(url: str) -> str:
    """What an audit trail or a log may show: the service and a short fingerprint (so a changed token shows as
    a change), never the token: ``dingtalk://**** #1a2b3c4d``."""
    if not url:
        return ""
    scheme, sep, _rest = url.partition("://")
    fingerprint = hashlib.sha256(url.encode()).hexdigest()[:8]
    return f"{scheme if sep else ''}://**** #{fingerprint}"


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
