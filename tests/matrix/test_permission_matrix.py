"""Generated permission matrix (style.md #11): every API operation and every page × every kind of caller.

The operations come from the ninja API object, the pages from the URL conf; each must have a row in one of the
app modules beside this file (tests/matrix/<app>.py), so an operation or page added later fails here until its
app declares who may call it. Each role's test builds the company once and runs every row inside a savepoint that
is rolled back, so one row's writes never change another's answer.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client

from .base import MISSING_ID, REDIRECT_REFUSED, ROLES, api_operations, page_urls, path_placeholders, send
from .conftest import app_modules


def all_rows():
    return [r for module in app_modules() for r in module.ROWS]


def _duplicates(keys):
    seen, twice = set(), set()
    for key in keys:
        (twice if key in seen else seen).add(key)
    return twice


def test_every_api_operation_has_a_row():
    operations = api_operations()
    assert len(operations) >= 84  # sanity: discovery found the routers
    rows = {r.key() for r in all_rows() if r.is_api}
    missing = sorted(operations - rows)
    assert not missing, "API operations with no row in tests/matrix/<app>.py: " + ", ".join(
        f"{m} {p}" for m, p in missing)
    stale = sorted(rows - operations)
    assert not stale, "rows naming no API operation: " + ", ".join(f"{m} {p}" for m, p in stale)


def test_every_page_has_a_row():
    pages = page_urls()
    assert len(pages) >= 100  # sanity: discovery walked the URL conf
    rows = {r.key()[1] for r in all_rows() if not r.is_api}
    missing = sorted(pages - rows)
    assert not missing, "pages with no row in tests/matrix/<app>.py: " + ", ".join(missing)
    stale = sorted({r.key()[1] for r in all_rows() if not r.is_api} - pages)
    assert not stale, "rows naming no page: " + ", ".join(stale)


def test_row_names_are_unique():
    assert not _duplicates(r.name for r in all_rows())


def _observed(resp):
    if resp.status_code == 302:
        levels = [m.level for m in get_messages(resp.wsgi_request)] if hasattr(resp, "wsgi_request") else []
        if any(level >= message_levels.ERROR for level in levels):
            return REDIRECT_REFUSED
    return resp.status_code


def _main(content: bytes) -> bytes:
    found = re.search(rb"<main.*</main>", content, re.S)
    return found.group(0) if found else content


def _check(client, r, role, ids) -> str | None:
    """The row's answer for this caller, or what was wrong with it."""
    expected = r.expected(role)
    with transaction.atomic():
        try:
            resp = send(client, r, ids)
        except Exception as exc:  # noqa: BLE001 — a server error is an answer like any other
            resp, raised = None, exc
        finally:
            transaction.set_rollback(True)
    got = 500 if resp is None else _observed(resp)
    if got != expected:
        if resp is None:
            return f"expected {expected}, raised {raised!r}"
        body = resp.content[:300].decode(errors="replace") if got != 302 else resp.get("Location", "")
        return f"expected {expected}, got {got}: {body}"
    if r.is_api and isinstance(expected, int) and expected >= 400:
        if set(resp.json()) != {"code", "message", "fields"}:
            return f"error body is not {{code, message, fields}}: {resp.content[:200]!r}"
    if not r.is_api and role == "anonymous" and "anonymous" not in r.overrides:
        if not resp["Location"].startswith("/login/?next="):
            return f"anonymous sent to {resp['Location']}, not to the sign-in page"
    if expected == 404:
        # Not yours looks exactly like does not exist.
        missing_ids = {name: MISSING_ID for name in path_placeholders(r.path) if isinstance(ids[name], int)}
        with transaction.atomic():
            try:
                missing = send(client, r, ids, path_ids=missing_ids)
            finally:
                transaction.set_rollback(True)
        if missing.status_code != 404:
            return f"a missing id answers {missing.status_code}, not 404"
        same = missing.json() == resp.json() if r.is_api else _main(missing.content) == _main(resp.content)
        if not same:
            return "another's record does not look like a missing one"
    return None


def _run(world, role, rows) -> list[str]:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    cookies = SimpleCookie(client.cookies.output(header="", sep=";"))
    failures = []
    for r in rows:
        client.cookies = SimpleCookie(cookies.output(header="", sep=";"))  # a row may sign out or set the language
        problem = _check(client, r, role, world.ids)
        if problem:
            failures.append(f"{r.name} ({r.method.upper()} {r.path}) as {role}: {problem}")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(world, role):
    failures = _run(world, role, [r for r in all_rows() if r.is_api])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_page_matrix(world, role):
    failures = _run(world, role, [r for r in all_rows() if not r.is_api])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["rep", "admin"])
def test_matrix_holds_for_bearer_tokens(world, role):
    """The same answers with a token instead of a session (both auth paths), for every API read."""
    from salesflow.org.services import api_token_create

    _token, raw = api_token_create(by=getattr(world, role))
    client = Client()
    failures = []
    for r in all_rows():
        if not r.is_api or r.method != "get":
            continue
        with transaction.atomic():
            resp = send(client, r, world.ids, HTTP_AUTHORIZATION=f"Bearer {raw}")
            transaction.set_rollback(True)
        if resp.status_code != r.expected(role):
            failures.append(f"{r.name}: expected {r.expected(role)}, got {resp.status_code}")
    assert not failures, "\n".join(failures)
