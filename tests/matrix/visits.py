"""Visits (拜访, 002 流程1, R17). {plan} is rep's draft week plan with one item, {plan_item}; {submitted_plan}
their submitted day plan; {visit_log} their visit to the target customer; {work_log} their draft work log of today,
{submitted_work_log} yesterday's, handed in."""

from __future__ import annotations

import datetime as dt

from .base import CUSTOMER_READERS, EDITORS, SEES_TARGET, row

PLANNERS = {"rep", "rep_b", "rep2", "supervisor", "manager", "manager2"}  # visit.plan
# Who reviews the target rep's visit plans: their supervisor, their region's manager, leadership.
PLAN_REVIEWERS = {"supervisor", "manager", "director", "gm", "admin"}
REVIEWERS = {"supervisor", "manager", "manager2", "director", "gm", "admin"}  # visit.review


def build(world, ids):
    from salesflow.visits import services as visits

    today = visits.local_today()
    plan = visits.plan_create(by=world.rep, period="week", day=today)
    item = visits.plan_item_add(by=world.rep, plan=plan, data={"customer_id": world.cust_rep.pk, "planned_on": today})
    submitted = visits.plan_create(by=world.rep, period="day", day=today)
    visits.plan_item_add(by=world.rep, plan=submitted, data={"customer_id": world.cust_rep.pk, "planned_on": today})
    visits.plan_submit(by=world.rep, plan=submitted)
    log = visits.visit_log_create(by=world.rep, data={"customer_id": world.cust_rep.pk, "outcome": "矩阵准备"})
    work_log = visits.work_log_save(by=world.rep, day=today, data={"summary": "矩阵日志"})
    handed = visits.work_log_save(by=world.rep, day=today - dt.timedelta(days=1), data={"summary": "昨天的日志"})
    visits.work_log_submit(by=world.rep, log=handed)
    return {"plan": plan.pk, "plan_item": item.pk, "submitted_plan": submitted.pk, "visit_log": log.pk,
            "work_log": work_log.pk, "submitted_work_log": handed.pk, "today": today.isoformat()}


# Where a body names a record the caller cannot see, the answer is a field error (the same as for a missing id).
NAMES_UNSEEN_CUSTOMER = {role: 400 for role in ("rep_b", "rep2", "manager2")}

ROWS = [
    row("visit_plans", "get", "/api/v1/visit-plans", CUSTOMER_READERS),
    row("visit_plan_create", "post", "/api/v1/visit-plans", PLANNERS, 201, {"period": "month", "day": "{today}"}),
    row("visit_plan_get", "get", "/api/v1/visit-plans/{plan}", SEES_TARGET, sees=SEES_TARGET),
    row("visit_item_add", "post", "/api/v1/visit-plans/{plan}/items", {"rep"}, 201,
        {"target": "矩阵拜访对象", "planned_on": "{today}"}, sees=SEES_TARGET),
    row("visit_item_update", "patch", "/api/v1/visit-plans/{plan}/items/{plan_item}", {"rep"}, 200,
        {"purpose": "了解需求"}, sees=SEES_TARGET),
    row("visit_item_remove", "delete", "/api/v1/visit-plans/{plan}/items/{plan_item}", {"rep"}, 204,
        sees=SEES_TARGET),
    row("visit_plan_submit", "post", "/api/v1/visit-plans/{plan}/submit", {"rep"}, sees=SEES_TARGET),
    row("visit_plan_approve", "post", "/api/v1/visit-plans/{submitted_plan}/approve", PLAN_REVIEWERS, 200,
        {"comment": "同意"}, sees=SEES_TARGET),
    row("visit_plan_return", "post", "/api/v1/visit-plans/{submitted_plan}/return", PLAN_REVIEWERS, 200,
        {"comment": "请补充新客户"}, sees=SEES_TARGET),
    row("visit_logs", "get", "/api/v1/visit-logs", CUSTOMER_READERS),
    row("visit_log_create", "post", "/api/v1/visit-logs", EDITORS, 201,
        {"customer_id": "{customer}", "outcome": "矩阵拜访"}, overrides=NAMES_UNSEEN_CUSTOMER),
    row("visit_log_get", "get", "/api/v1/visit-logs/{visit_log}", SEES_TARGET, sees=SEES_TARGET),
    row("today", "get", "/api/v1/today", CUSTOMER_READERS),
    # Pages.
    row("today_page", "get", "/visits/today/", CUSTOMER_READERS),
    row("plan_list_page", "get", "/visits/plans/", CUSTOMER_READERS),
    row("plan_create_page", "get", "/visits/plans/new/", PLANNERS),
    row("plan_detail_page", "get", "/visits/plans/{plan}/", SEES_TARGET, sees=SEES_TARGET),
    # The plan's page again, with the refusal on the item form.
    row("plan_item_add_page", "post", "/visits/plans/{plan}/items/", {"rep"}, 302,
        {"target": "矩阵拜访对象", "planned_on": "{today}"}, refused=400, sees=SEES_TARGET),
    row("plan_item_move_page", "post", "/visits/plans/{plan}/items/{plan_item}/move/", {"rep"}, 302,
        {"planned_on": "{today}"}, sees=SEES_TARGET),
    row("plan_item_remove_page", "post", "/visits/plans/{plan}/items/{plan_item}/remove/", {"rep"}, 302,
        sees=SEES_TARGET),
    row("plan_submit_page", "post", "/visits/plans/{plan}/submit/", {"rep"}, 302, sees=SEES_TARGET),
    row("plan_review_page", "post", "/visits/plans/{submitted_plan}/review/", PLAN_REVIEWERS, 302,
        {"action": "approve", "comment": "同意"}, sees=SEES_TARGET),
    row("team_page", "get", "/visits/team/", REVIEWERS),
    row("weekly_page", "get", "/visits/weekly/", CUSTOMER_READERS),
    row("log_list_page", "get", "/visits/logs/", CUSTOMER_READERS),
    row("log_create_page", "get", "/visits/logs/new/", EDITORS),
    row("log_opportunities_page", "get", "/visits/logs/opportunities/", EDITORS, body={"customer": "{customer}"}),
    row("log_detail_page", "get", "/visits/logs/{visit_log}/", SEES_TARGET, sees=SEES_TARGET),
    row("log_sheet_page", "get", "/visits/logs/sheet/", EDITORS, body={"customer": "{customer}"}),
    # The daily work log (工作日志, R17).
    row("work_logs", "get", "/api/v1/work-logs", CUSTOMER_READERS),
    row("work_log_save", "post", "/api/v1/work-logs", PLANNERS, 200, {"day": "{today}", "summary": "矩阵"}),
    row("work_log_get", "get", "/api/v1/work-logs/{work_log}", SEES_TARGET, sees=SEES_TARGET),
    row("work_log_submit", "post", "/api/v1/work-logs/{work_log}/submit", {"rep"}, sees=SEES_TARGET),
    row("work_log_review", "post", "/api/v1/work-logs/{submitted_work_log}/review", PLAN_REVIEWERS, 200,
        {"comment": "阅"}, sees=SEES_TARGET),
    row("work_log_return", "post", "/api/v1/work-logs/{submitted_work_log}/return", PLAN_REVIEWERS, 200,
        {"comment": "补充电话内容"}, sees=SEES_TARGET),
    row("work_log_list_page", "get", "/visits/worklogs/", CUSTOMER_READERS),
    row("work_log_write_page", "get", "/visits/worklogs/write/", PLANNERS),
    row("work_log_detail_page", "get", "/visits/worklogs/{work_log}/", SEES_TARGET, sees=SEES_TARGET),
    row("work_log_submit_page", "post", "/visits/worklogs/{work_log}/submit/", {"rep"}, 302, sees=SEES_TARGET),
    row("work_log_review_page", "post", "/visits/worklogs/{submitted_work_log}/review/", PLAN_REVIEWERS, 302,
        {"action": "review", "comment": "阅"}, sees=SEES_TARGET),
]
