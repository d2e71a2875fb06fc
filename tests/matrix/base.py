"""The permission matrix's parts: the callers, the row type, the derivation of the expected answer, and the
discovery of every API operation (from the ninja API object) and every page URL (from the URL conf).

A row names one operation or page and declares who may call it; the expected answer for every other caller is
derived (style.md #11, "not yours = not found"):

- anonymous → 401 from the API, a redirect to the sign-in page from a page;
- a record-scoped row (``sees`` given): a role with no customer data → 403, a caller who does not see the record
  → 404 with the same body as a missing id;
- otherwise a caller in ``allowed`` → ``success``, anyone else → 403 (the wrong role);
- ``overrides`` pins the answers that differ from the rule, each with its reason in a comment beside the row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Who calls. Each name is an attribute of the ``world`` fixture (a user of tests/conftest.py's ``org`` company,
# plus a marketing VP), except "anonymous".
# rep: owns the target records (上海一组, EAST); rep_b: another rep of the same team; rep2: a rep of the other
# region (NORTH); supervisor: 上海一组's head; manager / manager2: the EAST / NORTH region heads; director, gm,
# marketing (营销副总): leadership; finance (会计): sees every customer, edits none; planner (计划科): no customer
# data at all; admin: the system administrator.
ROLES = ["anonymous", "rep", "rep_b", "rep2", "supervisor", "manager", "manager2", "director", "gm", "marketing",
         "finance", "planner", "admin"]
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
NO_CUSTOMER_DATA = frozenset({"planner"})
CUSTOMER_READERS = SIGNED_IN - NO_CUSTOMER_DATA
LEADERSHIP = frozenset({"director", "gm", "marketing", "admin"})
# Who sees a record owned by ``rep`` (上海一组, EAST): the owner, the heads above them, every whole-company role.
SEES_TARGET = frozenset({"rep", "supervisor", "manager", "finance"}) | LEADERSHIP
# customer.edit and the other sales editors of roles.py: everyone who sells, not finance, not planning.
EDITORS = frozenset({"rep", "rep_b", "rep2", "supervisor", "manager", "manager2"}) | LEADERSHIP
# Who may change the target record: its owner, the heads above them, leadership.
ABOVE_TARGET = frozenset({"rep", "supervisor", "manager"}) | LEADERSHIP
REASSIGNERS = frozenset({"supervisor", "manager", "manager2", "director", "gm", "admin"})
MISSING_ID = 999999
# A page that refuses by going back to the record with an error message instead of answering 403.
REDIRECT_REFUSED = "302 with an error message"


@dataclass(frozen=True)
class Row:
    """One operation (``/api/v1/…``) or page, called with ``method`` on ``path``.

    ``path`` and ``body`` name records as ``{placeholder}``, filled with the ids the app modules build.
    ``success`` is the answer of an allowed caller (a documented 4xx where an empty body is a validation error).
    ``refused``: the answer of a caller who sees the record but has the wrong role (403, or REDIRECT_REFUSED).
    ``sees``: the record in the path is scoped: whoever is not in it gets 404 (planner 403).
    """

    name: str
    method: str
    path: str
    allowed: frozenset = frozenset()
    success: int | str = 200
    body: Any = None
    refused: int | str = 403
    sees: frozenset | None = None
    overrides: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    page: bool = False  # a page under /api/ (the API's docs), not an operation

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/") and not self.page

    def expected(self, role: str) -> int:
        if role in self.overrides:
            return self.overrides[role]
        if role == "anonymous":
            return 401 if self.is_api else 302
        if self.sees is not None:
            if role in NO_CUSTOMER_DATA:
                return 403
            if role not in self.sees:
                return 404
        if role in self.allowed:
            return self.success
        return self.refused

    def key(self) -> tuple[str, str]:
        return self.method.upper(), normalise(self.path)


def row(name, method, path, allowed=frozenset(), success=200, body=None, *, refused=403, sees=None, overrides=None,
        headers=None, page=False) -> Row:
    return Row(name, method.lower(), path, frozenset(allowed), success, body, refused,
               frozenset(sees) if sees is not None else None, dict(overrides or {}), dict(headers or {}), page)


_PARAM = re.compile(r"<[^>]+>|\{[^}]+\}")


def normalise(path: str) -> str:
    """/customers/{customer}/ and customers/<int:customer_id>/ → /customers/{}/."""
    return "/" + _PARAM.sub("{}", path).lstrip("/")


def api_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation of every router mounted on the API object."""
    from ninja.utils import normalize_path

    from salesflow.api import api

    api.urls  # noqa: B018 — binds the routers (nested ones included) as the URL conf does
    root = api.get_root_path({})  # where the URL conf mounts the API: /api/v1/
    found = set()
    for prefix, router in api._routers:  # ninja keeps (prefix, router) of every mounted router here
        for path, path_view in router.path_operations.items():
            parts = (root.strip("/"), prefix.strip("/"), path.strip("/"))
            full = normalize_path("/" + "/".join(p for p in parts if p))
            for operation in path_view.operations:
                for method in operation.methods:
                    found.add((method.upper(), normalise(full.rstrip("/") or "/")))
    return found


def page_urls() -> set[str]:
    """Every URL pattern of the URL conf that is not an API operation, the Django admin, static files, i18n
    or a pure redirect."""
    from django.conf import settings
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.views.generic.base import RedirectView

    api_paths = {path for _method, path in api_operations()}
    skipped_namespaces = {"admin", "djdt"}
    static = tuple(p.lstrip("/") for p in (settings.STATIC_URL, getattr(settings, "MEDIA_URL", "")) if p.strip("/"))
    found = set()

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.namespace in skipped_namespaces or pattern.urlconf_name == "django.conf.urls.i18n":
                    continue
                walk(pattern, route)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None)
                if view_class is not None and issubclass(view_class, RedirectView):
                    continue
                if static and route.startswith(static):
                    continue
                path = normalise(route.lstrip("^").rstrip("$"))
                if path not in api_paths:
                    found.add(path)

    walk(get_resolver(), "")
    return found


def fill(value, ids: dict):
    """Put the built ids into a path or body: "{customer}" alone becomes the id itself (an int in JSON)."""
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value.count("{") == 1:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def path_placeholders(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)


def send(client, row: Row, ids: dict, *, path_ids: dict | None = None, **extra):
    """Make the row's request; ``path_ids`` replaces the ids in the path only (the "missing record" twin)."""
    url = fill(row.path, {**ids, **(path_ids or {})})
    body = fill(row.body, ids)
    extra = {**{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in row.headers.items()}, **extra}
    if row.method == "get":
        return client.get(url, body or {}, **extra)
    if row.is_api:
        return getattr(client, row.method)(url, json.dumps(body or {}), content_type="application/json", **extra)
    return getattr(client, row.method)(url, body or {}, **extra)


def api_call(user, method: str, path: str, body=None) -> dict:
    """Build a record through the API as ``user`` (for records whose services move between apps)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    resp = getattr(client, method)(path, json.dumps(body or {}), content_type="application/json")
    assert resp.status_code < 300, (path, resp.status_code, resp.content[:300])
    return resp.json() if resp.content else {}
