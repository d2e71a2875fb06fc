"""Imports of customers and leads (upload → map → check → confirm). {customer_import} and {lead_import} are
rep's uploaded files; only the uploader acts on an import, the administrator may also look at it."""

from __future__ import annotations

from .base import row

CUSTOMER_IMPORTERS = {"rep", "rep_b", "rep2", "supervisor", "manager", "manager2", "director", "admin"}
LEAD_IMPORTERS = CUSTOMER_IMPORTERS
LOOKERS = {"rep", "admin"}
NOT_THEIRS = {"planner": 404}


def _upload(user, path: str) -> int:
    """Upload a small CSV through the page (the import machinery moves between apps, its pages stay)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(user)
    csv = "名称,电话\n矩阵导入公司,13800001111\n".encode()
    resp = client.post(path, {"file": SimpleUploadedFile("matrix.csv", csv, content_type="text/csv")})
    assert resp.status_code == 302, (path, resp.status_code)
    return int(resp["Location"].rstrip("/").rsplit("/", 1)[1])


def build(world, ids):
    return {"customer_import": _upload(world.rep, "/customers/import/"),
            "lead_import": _upload(world.rep, "/leads/import/")}


ROWS = [
    row("customer_import_start", "get", "/customers/import/", CUSTOMER_IMPORTERS),
    row("customer_import_detail", "get", "/customers/import/{customer_import}/", LOOKERS, sees=LOOKERS,
        overrides=NOT_THEIRS),
    row("customer_import_cancel", "post", "/customers/import/{customer_import}/cancel/", {"rep"}, 302,
        sees={"rep"}, overrides=NOT_THEIRS),
    row("lead_import_start", "get", "/leads/import/", LEAD_IMPORTERS),
    row("lead_import_detail", "get", "/leads/import/{lead_import}/", LOOKERS, sees=LOOKERS, overrides=NOT_THEIRS),
    row("lead_import_cancel", "post", "/leads/import/{lead_import}/cancel/", {"rep"}, 302, sees={"rep"},
        overrides=NOT_THEIRS),
]
