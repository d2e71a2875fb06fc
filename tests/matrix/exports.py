"""Exports (issue #15): the list exports' limits, export requests and their one download. {export} is an export
request of rep's, approved by rep's manager (the supervisor) or their delegate; {kind} the customer list. With the default limit
(500 rows) the matrix's company exports at once, so asking for an approval answers 409."""

from __future__ import annotations

from .base import CUSTOMER_READERS, REDIRECT_REFUSED, SEES_TARGET, SIGNED_IN, row

REQUESTER = {"rep"}  # only the requester downloads
# An export request is read through its own scope (the requester's line and the approvers), with no role check
# first: a role with no customer data sees none (404 for one).
NO_DATA_SEES_NONE = {"planner": 404}


def build(world, ids):
    from django.test import override_settings

    from salesflow.approvals.models import ApprovalTask, TaskStatus
    from salesflow.approvals.services import approval_decide
    from salesflow.exports import services

    # The shipped policies are loaded by approvals.py's build (before this module's).
    with override_settings(EXPORT_ROW_LIMIT_DEFAULT=0):
        doc = services.export_request_create(by=world.rep, kind="crm.customers", params={})
    task = (ApprovalTask.objects.select_related("approver")
            .get(request__document_id=doc.pk, request__document_type="exports.exportrequest", status=TaskStatus.PENDING))
    approval_decide(by=task.approver, task_id=task.pk, approve=True)  # the supervisor, or whoever stands in today
    return {"export": doc.pk, "kind": "crm.customers"}


ROWS = [
    row("exports", "get", "/api/v1/exports", SIGNED_IN),
    # Within the limit there is nothing to approve: the answer says to download it directly.
    row("export_request_create", "post", "/api/v1/exports", CUSTOMER_READERS, 409, {"kind": "crm.customers"}),
    row("export_check", "get", "/api/v1/exports/lists/{kind}", CUSTOMER_READERS),
    row("export_list_file", "get", "/api/v1/exports/lists/{kind}/file", CUSTOMER_READERS),
    row("export_request_get", "get", "/api/v1/exports/{export}", SEES_TARGET, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    row("export_download", "post", "/api/v1/exports/{export}/download", REQUESTER, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    # Pages.
    row("export_request_list_page", "get", "/exports/", SIGNED_IN),
    # Within the limit: back to "my exports" with the message to download it directly.
    row("export_request_create_page", "post", "/exports/request/", CUSTOMER_READERS, REDIRECT_REFUSED,
        {"kind": "crm.customers"}),
    row("export_request_detail_page", "get", "/exports/{export}/", SEES_TARGET, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    row("export_download_page", "post", "/exports/{export}/download/", REQUESTER, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
]
