"""Exports are audited and controlled (issue #15): one audit row per file (who, list, filters, rows); above the
role's row limit an export request goes through the approval engine, and only its requester downloads it, once."""

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from salesflow.approvals.models import ApprovalTask, TaskStatus
from salesflow.approvals.policies import policy_load_file
from salesflow.approvals.services import approval_decide
from salesflow.audit.models import AuditEvent
from salesflow.core.errors import Conflict, NotFound, PermissionRefused
from salesflow.exports import services
from salesflow.exports.limits import row_limit
from salesflow.exports.models import ExportRequest, ExportStatus

from ..conftest import fresh
from ..factories import CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "crm.customers"


@pytest.fixture
def world(org, settings):
    """rep owns 5 customers (1 from the org fixture + 4); the limit is 3 rows so that rep's full list is above it."""
    settings.EXPORT_ROW_LIMIT_DEFAULT = 3
    policy_load_file(by=None, system=True)
    for i in range(4):
        CustomerFactory(name=f"导出测试客户{i}有限公司", owner=org.rep)
    return org


def exports_audited():
    return AuditEvent.objects.filter(action="export.downloaded")


def rows_of(response) -> int:
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content), read_only=True).active
    return sum(1 for _ in ws.iter_rows()) - 1  # without the header


def test_each_export_writes_one_audit_row_with_who_list_filters_and_rows(world, client_for, settings):
    settings.EXPORT_ROW_LIMIT_DEFAULT = 4
    c = client_for(world.rep)
    for n, query in enumerate(["?q=导出测试客户1", "?q=导出测试客户", "?q=没有这个客户"], start=1):
        response = c.get(reverse("crm:customer_export") + query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = rows_of(response)
        assert exports_audited().count() == n
        event = exports_audited().order_by("-id").first()
        assert event.actor_id == world.rep.pk
        assert event.after == {"list": CUSTOMERS, "filters": event.after["filters"], "rows": rows}
        assert event.after["filters"]["q"] == query.split("=", 1)[1]
    assert [e.after["rows"] for e in exports_audited().order_by("id")] == [1, 4, 0]


def test_reception_export_is_audited_too(world, client_for):
    response = client_for(world.rep).get(reverse("reception:record_export"))
    assert response.status_code == 200
    assert exports_audited().get().after["list"] == "reception.records"


def test_rep_above_the_limit_gets_a_request_not_a_file(world, client_for):
    c = client_for(world.rep)
    response = c.get(reverse("crm:customer_export"))
    assert response.status_code == 200
    assert not response.has_header("Content-Disposition")
    assert "this export needs approval (5 rows &gt; 3)" in response.content.decode()
    assert not exports_audited().exists()

    response = c.post(reverse("exports:request_create"), {"kind": CUSTOMERS, "status": "active", "page": "2"})
    doc = ExportRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:request_detail", args=[doc.pk])
    assert (doc.requester, doc.status, doc.row_count, doc.row_limit) == (world.rep, ExportStatus.PENDING, 5, 3)
    assert doc.params == {"status": "active"}  # frozen filters; the page number is not one
    task = ApprovalTask.objects.get(status=TaskStatus.PENDING)
    assert task.approver == world.supervisor  # the requester's own manager
    assert AuditEvent.objects.filter(action="export.requested", object_id=str(doc.pk)).count() == 1
    assert not exports_audited().exists()
    # Nothing to download before the approval.
    response = c.post(reverse("exports:request_download", args=[doc.pk]))
    assert response.status_code == 302 and not exports_audited().exists()


def _approved_request(world):
    doc = services.export_request_create(by=fresh(world.rep), kind=CUSTOMERS, params={"q": "导出测试客户"})
    task = ApprovalTask.objects.get(request__document_id=doc.pk, status=TaskStatus.PENDING)
    approval_decide(by=fresh(world.supervisor), task_id=task.pk, approve=True, opinion="同意")
    doc.refresh_from_db()
    assert doc.status == ExportStatus.APPROVED and doc.approved_at
    return doc


def test_approver_approves_and_the_rep_downloads_once(world, client_for):
    doc = _approved_request(world)
    # A customer that matches the frozen filter arrives after the request: the file is the rows at download time.
    CustomerFactory(name="导出测试客户晚到有限公司", owner=world.rep)
    c = client_for(world.rep)
    response = c.post(reverse("exports:request_download", args=[doc.pk]))
    assert response.status_code == 200 and rows_of(response) == 5
    doc.refresh_from_db()
    assert (doc.status, doc.downloaded_rows) == (ExportStatus.DOWNLOADED, 5)
    event = exports_audited().get()
    assert event.object_id == str(doc.pk)
    assert event.after == {"list": CUSTOMERS, "filters": {"q": "导出测试客户", "status": "active", "sort": "-created"},
                           "rows": 5, "request": doc.pk}
    # Once only.
    response = c.post(reverse("exports:request_download", args=[doc.pk]))
    assert response.status_code == 302
    assert exports_audited().count() == 1
    with pytest.raises(Conflict):
        services.export_request_download(by=fresh(world.rep), request_id=doc.pk)


def test_nobody_else_downloads_it(world, client_for):
    doc = _approved_request(world)
    # Another rep does not see it at all; the approver and leadership see it but may not download it.
    assert client_for(world.rep_b).get(reverse("exports:request_detail", args=[doc.pk])).status_code == 404
    assert client_for(world.rep_b).post(reverse("exports:request_download", args=[doc.pk])).status_code == 404
    with pytest.raises(NotFound):
        services.export_request_download(by=fresh(world.rep2), request_id=doc.pk)
    for other in (world.supervisor, world.director):
        assert client_for(other).get(reverse("exports:request_detail", args=[doc.pk])).status_code == 200
        assert client_for(other).post(reverse("exports:request_download", args=[doc.pk])).status_code == 403
    assert not exports_audited().exists()
    assert ExportRequest.objects.get().status == ExportStatus.APPROVED


def test_the_approval_runs_out(world, settings):
    doc = _approved_request(world)
    ExportRequest.objects.filter(pk=doc.pk).update(
        approved_at=timezone.now() - dt.timedelta(days=settings.EXPORT_DOWNLOAD_DAYS, minutes=1))
    with pytest.raises(Conflict) as exc:
        services.export_request_download(by=fresh(world.rep), request_id=doc.pk)
    assert exc.value.code == "export_expired"


def test_a_rejected_request_is_returned_and_never_downloads(world):
    doc = services.export_request_create(by=fresh(world.rep), kind=CUSTOMERS, params={})
    task = ApprovalTask.objects.get(request__document_id=doc.pk, status=TaskStatus.PENDING)
    approval_decide(by=fresh(world.supervisor), task_id=task.pk, approve=False, opinion="用不着全部")
    doc.refresh_from_db()
    assert (doc.status, doc.last_opinion) == (ExportStatus.RETURNED, "用不着全部")
    with pytest.raises(Conflict):
        services.export_request_download(by=fresh(world.rep), request_id=doc.pk)


def test_leadership_is_exempt(world, client_for):
    assert row_limit(world.director) is None and row_limit(world.rep) == 3
    response = client_for(world.director).get(reverse("crm:customer_export"))
    assert response.status_code == 200 and rows_of(response) > 3
    assert exports_audited().get().actor_id == world.director.pk
    with pytest.raises(Conflict) as exc:
        services.export_request_create(by=fresh(world.director), kind=CUSTOMERS, params={})
    assert exc.value.code == "export_no_approval_needed"


def test_role_limits_are_policy_data(world, settings):
    settings.EXPORT_ROW_LIMITS = {"rep": 10, "director": 2}
    assert row_limit(fresh(world.rep)) == 10
    assert row_limit(fresh(world.director)) == 2  # leadership's exemption is only a default
    assert services.export_plan(by=fresh(world.rep), kind=CUSTOMERS, params={}).needs_approval is False


def test_a_user_without_the_capability_cannot_export_or_ask(world):
    with pytest.raises(PermissionRefused):
        services.export_plan(by=fresh(world.planner), kind=CUSTOMERS, params={})
    with pytest.raises(PermissionRefused):
        services.export_request_create(by=fresh(world.planner), kind=CUSTOMERS, params={})


def test_api_flow(world, client_for):
    rep = client_for(world.rep)
    plan = rep.get(f"/api/v1/exports/lists/{CUSTOMERS}").json()
    assert plan == {"kind": CUSTOMERS, "rows": 5, "limit": 3, "needs_approval": True}
    refused = rep.get(f"/api/v1/exports/lists/{CUSTOMERS}/file")
    assert refused.status_code == 409 and refused.json()["code"] == "export_needs_approval"
    small = rep.get(f"/api/v1/exports/lists/{CUSTOMERS}/file?q=导出测试客户1")
    assert small.status_code == 200 and rows_of(small) == 1
    assert exports_audited().count() == 1

    created = rep.post("/api/v1/exports", json.dumps({"kind": CUSTOMERS, "filters": {"q": "导出"}}),
                       content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["row_count"], body["params"]) == ("pending", 4, {"q": "导出"})
    assert [r["id"] for r in rep.get("/api/v1/exports").json()["items"]] == [body["id"]]
    assert client_for(world.rep_b).get(f"/api/v1/exports/{body['id']}").status_code == 404
    task = ApprovalTask.objects.get(request__document_id=body["id"], status=TaskStatus.PENDING)
    approval_decide(by=fresh(world.supervisor), task_id=task.pk, approve=True)
    assert client_for(world.rep_b).post(f"/api/v1/exports/{body['id']}/download").status_code == 404
    got = rep.post(f"/api/v1/exports/{body['id']}/download")
    assert got.status_code == 200 and rows_of(got) == 4
    assert rep.post(f"/api/v1/exports/{body['id']}/download").status_code == 409
    assert exports_audited().count() == 2


def test_my_exports_page(world, client_for):
    doc = _approved_request(world)
    page = client_for(world.rep).get(reverse("exports:request_list"))
    assert page.status_code == 200 and page.content.decode().count('data-testid="export-row"') == 1
    detail = client_for(world.rep).get(reverse("exports:request_detail", args=[doc.pk])).content.decode()
    assert 'data-testid="export-download"' in detail
    assert client_for(world.rep_b).get(reverse("exports:request_list")).content.decode().count(
        'data-testid="export-row"') == 0


def test_query_counts_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries, settings):
    settings.EXPORT_ROW_LIMIT_DEFAULT = 10_000
    c = client_for(world.rep)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = c.get(reverse("crm:customer_export"))
            b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    few = queries()
    for i in range(30):
        CustomerFactory(name=f"批量客户{i}有限公司", owner=world.rep)
    assert queries() == few
    assert few <= 12
    # My exports and the API list: bounded, whatever the number of requests.
    settings.EXPORT_ROW_LIMIT_DEFAULT = 3
    for _ in range(3):
        services.export_request_create(by=fresh(world.rep), kind=CUSTOMERS, params={})
    with django_assert_max_num_queries(10):
        assert c.get(reverse("exports:request_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert c.get("/api/v1/exports").status_code == 200


def test_my_exports_is_in_the_navigation_for_everyone_signed_in(db):
    from salesflow.org.models import User
    from salesflow.site.navigation import navigation_for
    from tests.factories import UserFactory

    for role in ("rep", "planner", "gm"):
        user = UserFactory(username=f"nav_{role}", role=role)
        links = [entry["url"] for section in navigation_for(User.objects.get(pk=user.pk))
                 for entry in section.get("entries", section.get("items", []))]
        assert "/exports/" in links, (role, links)
