"""A bounded fuzz over every operation of /api/v1/openapi.json, run as a rep: no input is a 5xx (issue #15).

A small generator rather than Schemathesis: Schemathesis is not in the package index this project installs from
(only Hypothesis is), and a fixed list of hostile values per parameter — huge and negative numbers, wrong types,
control characters, NUL, a lone surrogate, long and non-Latin text, a missing or malformed body — is
deterministic, runs in seconds, and is what found the 500s. Each operation gets: every path parameter spoiled in
turn, every query parameter spoiled in turn, then the body missing, malformed, of the wrong type, and every
top-level body field spoiled in turn (the others left out or valid-looking).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from salesflow.org import services as org_services

HOSTILE = [10**20, -1, 0, 3.5, True, None, "", "9999Q4", "x" * 5000, "上海\u000b机械", "a\u0000b", "a\ud800b",
           "😀", [], {}, [{"x": 1}]]
HOSTILE_PATH = ["99999999999999999999", "-1", "0", "abc", "%00", "%E4%B8%8A", "1.5"]
HOSTILE_QUERY = ["99999999999999999999", "-1", "0", "abc", "a\x00b", "上海\x0b", "9999Q4", "x" * 3000, "true"]
# The caller's own token would be revoked mid-run (and the fuzz would go on as nobody): left out, as the issue says.
EXCLUDED = {("post", "/api/v1/auth/tokens/{token_id}/revoke")}


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete") and (method, path) not in EXCLUDED:
                yield method, path, op



def _deref(schema, node):
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 10:
        target = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node, seen = target, seen + 1
    return node


def _fill(path, params, spoil=None, value=None):
    for name in params:
        path = path.replace("{" + name + "}", str(value) if name == spoil else "1")
    return path


def _bodies(schema, op):
    content = op.get("requestBody", {}).get("content", {})
    if not content:
        return []
    json_schema = _deref(schema, next(iter(content.values())).get("schema", {}))
    properties = {k: _deref(schema, v) for k, v in json_schema.get("properties", {}).items()}
    bodies = [None, b"{not json", b"\xff\xfe", "[]", "{}", '"text"', json.dumps({k: 1 for k in properties})]
    for key in properties:
        for value in HOSTILE:
            bodies.append(json.dumps({key: value}))
    return bodies


def test_no_operation_answers_a_5xx(org):
    from salesflow.api import api

    schema = api.get_openapi_schema()
    _, raw = org_services.api_token_create(by=org.rep)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
    failures, requests = [], 0

    def call(method, url, body=None, query=None):
        nonlocal requests
        requests += 1
        kwargs = {} if body is None else {"data": body, "content_type": "application/json"}
        if query is not None:
            if method == "get":
                kwargs["data"] = query
            else:
                url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        resp = getattr(client, method)(url, **kwargs)
        if resp.status_code >= 500:
            failures.append((method.upper(), url[:120], str(query or body)[:80], resp.status_code))

    operations = list(_operations(schema))
    assert len(operations) > 80
    for method, path, op in operations:
        params = op.get("parameters", [])
        path_names = [p["name"] for p in params if p["in"] == "path"]
        for name in path_names:
            for value in HOSTILE_PATH:
                call(method, _fill(path, path_names, name, value))
        url = _fill(path, path_names)
        for param in (p for p in params if p["in"] == "query"):
            for value in HOSTILE_QUERY:
                call(method, url, query={param["name"]: value})
        for body in _bodies(schema, op):
            call(method, url, body=body)
    assert requests > 2000
    assert failures == [], f"{len(failures)} of {requests} requests answered 5xx: {failures[:20]}"


@pytest.mark.parametrize("method, path", sorted(EXCLUDED))
def test_the_excluded_operations_exist(method, path):
    from salesflow.api import api

    assert method in api.get_openapi_schema()["paths"][path]
