"""A unit's group robot address (WeCom / DingTalk / Feishu), read through apprise: what is accepted, how it is
parsed, and what a log or the audit trail may show of it. The address is the organisation's data; sending to it
is the notifications app's (``salesflow/notifications/robots.py``).

A robot is stored as an apprise URL (``dingtalk://<token>/``, ``wecombot://<key>``, ``feishu://<token>``).
Only those three services are accepted: apprise speaks to ~100 others (generic ``json://`` webhooks, mail,
local files…), and a free-form URL would let a typo or a malicious edit post company data anywhere.
"""

from __future__ import annotations

import hashlib

import apprise

ROBOT_SCHEMES = frozenset({"dingtalk", "wecombot", "feishu"})
ROBOT_URL_MAX_LENGTH = 500


def robot_asset() -> apprise.AppriseAsset:
    # Memory-only persistent store: apprise must not write state files from a web or worker process; and
    # secure logging keeps the robot tokens out of apprise's own log lines.
    return apprise.AppriseAsset(storage_mode="memory", secure_logging=True)


def robot_plugin(url: str):
    """The apprise plugin for one accepted robot URL, or None."""
    plugin = apprise.Apprise.instantiate(url, asset=robot_asset())
    if plugin is None or plugin.secure_protocol not in ROBOT_SCHEMES:
        return None
    return plugin


def robot_url_is_valid(url: str) -> bool:
    """True for one well-formed DingTalk, WeCom bot or Feishu URL (checked by apprise, without sending)."""
    url = (url or "").strip()
    # apprise reads "a, b" or "a b" as several services; a robot is exactly one.
    if not url or len(url) > ROBOT_URL_MAX_LENGTH or any(c.isspace() or c == "," for c in url):
        return False
    return robot_plugin(url) is not None


def robot_url_masked(url: str) -> str:
    """What an audit trail or a log may show: the service and a short fingerprint (so a changed token shows as
    a change), never the token: ``dingtalk://**** #1a2b3c4d``."""
    if not url:
        return ""
    scheme, sep, _rest = url.partition("://")
    fingerprint = hashlib.sha256(url.encode()).hexdigest()[:8]
    return f"{scheme if sep else ''}://**** #{fingerprint}"
