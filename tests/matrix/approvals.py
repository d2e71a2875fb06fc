"""The approvals engine: tasks, requests, policies, delegations, notifications. {task} is the supervisor's pending
task on rep's submitted discount request {discount_submitted} (R13, stage 1), {approval_request} its request;
{delegation} the supervisor's delegation to the manager; {notification} the supervisor's notice of the task."""

from __future__ import annotations

import datetime as dt

from .base import CUSTOMER_READERS, SEES_TARGET, SIGNED_IN, row

ADMIN = {"admin"}
APPROVER = {"supervisor"}
# Whatever is not the caller's own (a task, a delegation, a notice) answers like a missing one — for every role.
NOT_THEIRS = {"planner": 404}


def build(world, ids):
    from django.apps import apps
    from django.utils import timezone

    from salesflow.approvals import services
    from salesflow.approvals.models import ApprovalTask
    from salesflow.approvals.policies import policy_load_file
    from salesflow.deals.discounts import services as deals

    policy_load_file(by=None, system=True)
    doc = deals.discount_create(by=world.rep, customer_id=world.cust_rep.pk,
                                data={"amount": "200000", "discount_percent": "8", "reason": "老客户续单，竞品报价更低"})
    deals.discount_submit(by=world.rep, discount_id=doc.pk)
    task = ApprovalTask.objects.get(approver=world.supervisor, request__document_id=doc.pk,
                                    request__document_type="deals.discountrequest")
    today = timezone.localdate()
    delegation = services.delegation_create(by=world.supervisor, delegate=world.manager, starts_on=today,
                                            ends_on=today + dt.timedelta(days=3))
    # The notice model moves between apps; find it by name.
    notification = next(m for m in apps.get_models() if m.__name__ == "Notification")
    notice = notification.objects.filter(user=world.supervisor).latest("id")
    return {"task": task.pk, "approval_request": task.request_id, "discount_submitted": doc.pk,
            "delegation": delegation.pk, "notification": notice.pk, "policy": "discount"}


POLICY = {"code": "matrix-policy", "name": "矩阵审批", "document_type": "deals.discountrequest",
          "stages": [{"step": 1, "name": "主管", "rule": "requester_supervisor", "mode": "any", "deadline_days": 1}]}

ROWS = [
    row("approvals", "get", "/api/v1/approvals", SIGNED_IN),
    row("approval_approve", "post", "/api/v1/approvals/{task}/approve", APPROVER, 200, {"opinion": "同意"},
        sees=APPROVER, overrides=NOT_THEIRS),
    row("approval_reject", "post", "/api/v1/approvals/{task}/reject", APPROVER, 200, {"opinion": "折扣过大"},
        sees=APPROVER, overrides=NOT_THEIRS),
    row("approval_policies", "get", "/api/v1/approval-policies", CUSTOMER_READERS),
    row("approval_policy_get", "get", "/api/v1/approval-policies/{policy}", CUSTOMER_READERS),
    row("approval_policy_save", "post", "/api/v1/approval-policies", ADMIN, 200, POLICY),
    # Pages.
    row("inbox_page", "get", "/approvals/inbox/", SIGNED_IN),
    row("history_page", "get", "/approvals/history/", SIGNED_IN),
    row("my_requests_page", "get", "/approvals/mine/", SIGNED_IN),
    row("request_detail_page", "get", "/approvals/requests/{approval_request}/", SEES_TARGET, sees=SEES_TARGET,
        overrides=NOT_THEIRS),
    row("task_decide_page", "post", "/approvals/tasks/{task}/decide/", APPROVER, 302,
        {"decision": "approve", "opinion": "同意"}, sees=APPROVER, overrides=NOT_THEIRS),
    row("policy_list_page", "get", "/approvals/policies/", CUSTOMER_READERS),
    row("policy_load_page", "post", "/approvals/policies/load/", ADMIN, 302),
    row("policy_detail_page", "get", "/approvals/policies/{policy}/", CUSTOMER_READERS),
    row("policy_edit_page", "get", "/approvals/policies/{policy}/edit/", ADMIN),
    row("delegation_list_page", "get", "/approvals/delegations/", SIGNED_IN),
    row("delegation_end_page", "post", "/approvals/delegations/{delegation}/end/", APPROVER, 302, sees=APPROVER,
        overrides=NOT_THEIRS),
    row("notification_list_page", "get", "/approvals/notifications/", SIGNED_IN),
    row("notification_read_page", "post", "/approvals/notifications/read/", SIGNED_IN, 302),
    row("notification_menu_page", "get", "/approvals/notifications/menu/", SIGNED_IN),
    row("notification_open_page", "get", "/approvals/notifications/{notification}/", APPROVER, 302, sees=APPROVER,
        overrides=NOT_THEIRS),
]
