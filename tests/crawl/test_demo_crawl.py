"""Issue #14: the net — no page of the demo site answers a server error, for any demo role.

The demo company (the apps' registered builders, as ``salesflow demo`` makes it) is built once for this module,
inside a transaction rolled back at the end so no other test sees it. Then, for one demo login per role (the
multi-role people among them), the test signs in and follows links breadth-first from the home page: GET only,
same-site, ``href`` links, redirects and htmx ``hx-get`` URLs (requested as htmx). Logout and the language
switch are skipped; exports and other downloads are fetched (and their streams read) but not parsed. URLs are
deduplicated by their URL pattern and the names of their query parameters: the first page of every pattern is
fetched, further ones up to ``PER_PATTERN`` of each and ``PER_ROLE_REPEATS`` in all per role, which keeps the whole
crawl (about 2,500 pages) to a couple of minutes.

It fails listing every URL that answered 5xx or raised, with the role and the exception.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from collections import deque
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import Resolver404, resolve

# One login per demo role; supervisor (+ rep), accountant (+ cashier) and assistant (+ sales section) hold
# several roles.
ROLES = ("admin", "gm", "marketing_vp", "finance_vp", "sales_vp", "director", "manager", "supervisor", "rep",
         "assistant", "accountant", "service", "planner", "qc", "warehouse", "logistics")
PER_PATTERN = 5
PER_ROLE_REPEATS = 150
SKIP = ("/logout/", "/language/", "/static/", "/media/", "/api/v1/docs")
HREF = re.compile(r'\b(?:href|hx-get)="([^"#]*)"')
HX_GET = re.compile(r'\bhx-get="([^"#]*)"')


@pytest.fixture(scope="module")
def demo_company(django_db_setup, django_db_blocker):
    """The demo company, built once for the module and rolled back after it."""
    from salesflow.demo import build_demo

    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the demo's 40 logins, fast
    tasks = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers, TASKS=tasks):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            started = time.monotonic()
            # What the demo defers to commit (notices, e-mail) runs as it would after a real load.
            with TestCase.captureOnCommitCallbacks(execute=True):
                build_demo()
            _odd_history()
            print(f"\ndemo company built in {time.monotonic() - started:.1f}s")
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            # The crawl's 403s and 404s count against per-user, per-minute refusal limits (audit.security) under
            # ids the rollback hands out again: later tests start with none.
            cache.clear()


MISSING_ID = 10**20  # no row has it, and it does not fit a database integer either


def _odd_values(model, *, before: bool) -> dict:
    """A value of the wrong shape for every field of ``model``, as old or hand-made audit rows may hold."""
    values = {"retired_field": 1, "phone": 13812345678}
    for field in model._meta.concrete_fields:
        if field.is_relation:
            values[field.name] = MISSING_ID if before else "not-an-id"
        elif field.choices:
            values[field.name] = "retired-choice" if before else ["a", "list"]
        else:
            values[field.name] = ["a", {"b": None}] if before else {"nested": [1, 2]}
    return values


def _odd_history() -> None:
    """Issue #14: history pages show what they cannot read as it was stored, never a server error. To every record
    the demo's audit trail names, add rows no code writes today: an undeclared action by a user who does not exist,
    values of the wrong shape for every field (ids of missing rows, unknown choices, lists, nested dicts), before
    and after that are not dicts, an object type no model has; and a stage change to a stage the pipeline dropped."""
    from django.apps import apps
    from django.utils import timezone

    from salesflow.audit.models import AuditEvent
    from salesflow.deals.models import Opportunity, OpportunityStageChange

    rows = []
    for object_type in AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            continue
        has_customer = any(f.name == "customer" for f in model._meta.concrete_fields)
        fields = ("pk", "customer_id") if has_customer else ("pk",)
        for pk, *customer in model._default_manager.order_by("pk").values_list(*fields):
            customer_id = pk if model._meta.label_lower == "crm.customer" else (customer[0] if customer else None)
            common = {"object_type": object_type, "object_id": str(pk), "customer_id": customer_id}
            rows += [
                AuditEvent(action="retired.action", actor_id=MISSING_ID // 10**10, actor_name="", **common,
                           before=_odd_values(model, before=True), after=_odd_values(model, before=False)),
                AuditEvent(action="retired.action", before="stored as text", after=[1, "two"], **common),
                AuditEvent(action="retired.action", **{**common, "object_type": "retired.model"},
                           before={"name": "a"}, after={"name": "b"}),
            ]
    AuditEvent.objects.bulk_create(rows, batch_size=500)
    OpportunityStageChange.objects.bulk_create(
        [OpportunityStageChange(opportunity_id=pk, from_stage="retired", to_stage="dropped", at=timezone.now())
         for pk in Opportunity.objects.values_list("pk", flat=True)], batch_size=500)


def _pattern(path: str, query: str, htmx: bool) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    keys = ",".join(sorted({k for k, _ in parse_qsl(query, keep_blank_values=True)}))
    return f"{match.route}?{keys}{' htmx' if htmx else ''}"


def _links(url: str, body: str) -> list[tuple[str, bool]]:
    hx = set(HX_GET.findall(body))
    found = []
    for raw in HREF.findall(body):
        link = raw.replace("&amp;", "&").strip()
        if not link or link.startswith(("mailto:", "tel:", "javascript:", "data:")):
            continue
        found.append((urljoin(url, link), raw in hx))
    return found


def _crawl(client: Client, role: str) -> tuple[int, list[str], dict[str, int]]:
    """Breadth-first from the home page; returns (pages fetched, failures, pages per URL pattern)."""
    queue: deque[tuple[str, bool]] = deque([("/", False)])
    seen: set[tuple[str, bool]] = {("/", False)}
    per_pattern: dict[str, int] = {}
    failures: list[str] = []
    fetched = repeats = 0
    while queue:
        url, htmx = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or any(s in parts.path for s in SKIP):
            continue
        pattern = _pattern(parts.path, parts.query, htmx)
        if pattern is None:
            continue
        done = per_pattern.get(pattern, 0)
        # The first page of every pattern is always fetched; further instances up to the caps.
        if done and (done >= PER_PATTERN or repeats >= PER_ROLE_REPEATS):
            continue
        repeats += bool(done)
        per_pattern[pattern] = done + 1
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        fetched += 1
        try:
            response = client.get(path, **extra)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
                continue
        except Exception as exc:  # the view raised: report it with where it came from
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            failures.append(f"{role} GET {path}{' (htmx)' if htmx else ''}: {type(exc).__name__}: {exc} "
                            f"at {frame.filename.split('/salesflow/', 1)[-1]}:{frame.lineno}")
            continue
        if response.status_code >= 500:
            failures.append(f"{role} GET {path}{' (htmx)' if htmx else ''}: HTTP {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            candidates = [(urljoin(path, response["Location"]), False)]
        elif response["Content-Type"].startswith("text/html"):
            candidates = _links(path, response.content.decode("utf-8", "replace"))
        else:
            continue
        for candidate in candidates:
            if candidate not in seen:
                seen.add(candidate)
                queue.append(candidate)
    return fetched, failures, per_pattern


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_no_demo_page_fails_for_any_role(demo_company, username):
    from salesflow.org.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    started = time.monotonic()
    fetched, failures, patterns = _crawl(client, username)
    print(f"{username}: {fetched} pages, {len(patterns)} URL patterns in {time.monotonic() - started:.1f}s")
    if os.environ.get("CRAWL_VERBOSE"):
        print("\n".join(f"  {n} {p}" for p, n in sorted(patterns.items())))
    assert fetched > 5, f"{username} reached only {fetched} pages"  # the crawl really walked the site
    assert not failures, "\n".join(failures)
