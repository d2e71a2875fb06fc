"""Generated permission matrix (style.md #11): every endpoint × every kind of caller.

Each endpoint declares who may call it; the generator derives the expected status for everyone else:
anonymous → 401; a role with no customer data → 403; a record outside the caller's scope → 404 (the same body
as a missing id); in scope but the wrong role → 403; allowed → the success status.
"""

from __future__ import annotations

import pytest
from django.test import Client

from salesflow.org.services import api_token_create

from ..factories import PASSWORD

ROLES = ["anonymous", "rep", "rep_b", "rep2", "supervisor", "manager", "manager2", "director", "gm", "finance",
         "planner", "admin"]
NO_CUSTOMER_DATA = {"planner"}
# Who can see the target customer (cust_rep: owned by rep, team SH1 of region EAST) — declared by hand.
SEES_TARGET = {"rep", "supervisor", "manager", "director", "gm", "finance", "admin"}
SIGNED_IN = set(ROLES) - {"anonymous"}
EDITORS = {"rep", "rep_b", "rep2", "supervisor", "manager", "manager2", "director", "gm", "admin"}
REASSIGNERS = {"supervisor", "manager", "manager2", "director", "gm", "admin"}
REVEALERS = {"rep", "supervisor", "manager", "manager2", "director", "gm", "admin"}
# The customers' public pool: the pool customer waits in 上海一组's pool (released by rep_b). Its own team's reps
# see it there, unit heads above it and leadership too; other regions do not (404).
SEES_POOL_CUSTOMER = {"rep", "rep_b", "supervisor", "manager", "director", "gm", "finance", "admin"}
CLAIMERS = {"rep", "rep_b", "supervisor", "manager"}
RELEASERS = {"rep", "supervisor", "manager", "director", "gm", "admin"}  # cust_rep's owner and those above
# The target rep's reception record is edited by them and those above them; prospects are the supervisors' (D2).
RECEPTION_UPDATERS = {"rep", "supervisor", "manager", "director", "gm", "admin"}
REGISTRARS = {"supervisor", "manager", "manager2", "director"}
PLANNERS = {"rep", "rep_b", "rep2", "supervisor", "manager", "manager2"}
# Who reviews the target rep's visit plans: their supervisor, their region's manager, leadership.
PLAN_REVIEWERS = {"supervisor", "manager", "director", "gm", "admin"}

# (name, method, url, body, allowed roles, success status, touches the target customer — True for cust_rep, or
# the set of roles who see the record it touches)
ENDPOINTS = [
    ("me", "get", "/api/v1/me", None, SIGNED_IN, 200, False),
    ("language", "post", "/api/v1/me/language", {"language": "en"}, SIGNED_IN, 200, False),
    ("tokens", "get", "/api/v1/auth/tokens", None, SIGNED_IN, 200, False),
    ("units", "get", "/api/v1/org-units", None, SIGNED_IN, 200, False),
    ("unit_create", "post", "/api/v1/org-units", {"name": "上海三组", "code": "SH3", "kind": "team",
                                                  "parent_id": "{east_office}"}, {"admin"}, 201, False),
    ("unit_update", "patch", "/api/v1/org-units/{east_team}", {"name": "上海一组（新）"}, {"admin"}, 200, False),
    ("users", "get", "/api/v1/users", None, {"admin"}, 200, False),
    ("user_get", "get", "/api/v1/users/{rep}", None, {"admin"}, 200, False),
    ("user_create", "post", "/api/v1/users", {"username": "newbie", "password": PASSWORD, "role": "rep",
                                              "unit_id": "{east_team}"}, {"admin"}, 201, False),
    ("user_update", "patch", "/api/v1/users/{rep}", {"name": "张三"}, {"admin"}, 200, False),
    ("user_deactivate", "post", "/api/v1/users/{rep3}/deactivate", {"reassign_to": "{manager}"}, {"admin"}, 200,
     False),
    ("audit", "get", "/api/v1/audit-events", None, {"admin"}, 200, False),
    ("customers", "get", "/api/v1/customers", None, SIGNED_IN - NO_CUSTOMER_DATA, 200, False),
    ("customer_create", "post", "/api/v1/customers", {"name": "矩阵测试新客户有限公司"}, EDITORS, 201, False),
    ("groups", "get", "/api/v1/customer-groups", None, SIGNED_IN - NO_CUSTOMER_DATA, 200, False),
    ("group_create", "post", "/api/v1/customer-groups", {"name": "矩阵分组"}, {"director", "admin"}, 201, False),
    ("customer_get", "get", "/api/v1/customers/{customer}", None, SEES_TARGET, 200, True),
    ("customer_update", "patch", "/api/v1/customers/{customer}", {"notes": "更新"}, EDITORS, 200, True),
    ("customer_reassign", "post", "/api/v1/customers/{customer}/reassign", {"owner_id": "{rep_b}"}, REASSIGNERS,
     200, True),
    ("customer_archive", "post", "/api/v1/customers/{customer}/archive", None, EDITORS, 200, True),
    ("customer_restore", "post", "/api/v1/customers/{archived}/restore", None, EDITORS, 200, True),
    ("reveal_phones", "post", "/api/v1/customers/{customer}/reveal-phones", None, REVEALERS, 200, True),
    ("contact_add", "post", "/api/v1/customers/{customer}/contacts", {"name": "新联系人", "phone": "13700002222"},
     EDITORS, 201, True),
    ("contact_update", "patch", "/api/v1/customers/{customer}/contacts/{contact}",
     {"name": "陈总", "phone": "13812345678"}, EDITORS, 200, True),
    ("contact_remove", "delete", "/api/v1/customers/{customer}/contacts/{contact}", None, EDITORS, 204, True),
    ("customer_pool", "get", "/api/v1/customer-pool", None, SIGNED_IN - NO_CUSTOMER_DATA, 200, False),
    ("customer_release", "post", "/api/v1/customers/{customer}/release", {"reason": "客户暂无采购需求"}, RELEASERS,
     200, True),
    ("pool_claim", "post", "/api/v1/customer-pool/{pool_customer}/claim", None, CLAIMERS, 200, SEES_POOL_CUSTOMER),
    ("pool_assign", "post", "/api/v1/customer-pool/{pool_customer}/assign", {"owner_id": "{rep_b}"}, REASSIGNERS,
     200, SEES_POOL_CUSTOMER),
    # Reception records and prospects (接待 / 准客户): {reception} is the target rep's record; {prospect} a registered
    # prospect of theirs, {prospect_confirmed} one confirmed by marketing, {prospect_won} one whose deal is done.
    ("reception_records", "get", "/api/v1/reception-records", None, SIGNED_IN - NO_CUSTOMER_DATA, 200, False),
    ("reception_create", "post", "/api/v1/reception-records",
     {"received_at": "2025-03-04T10:30:00+08:00", "visitor_names": "矩阵来访人"}, EDITORS, 201, False),
    ("reception_get", "get", "/api/v1/reception-records/{reception}", None, SEES_TARGET, 200, True),
    ("reception_update", "patch", "/api/v1/reception-records/{reception}", {"next_step": "再联系"},
     RECEPTION_UPDATERS, 200, True),
    ("prospects", "get", "/api/v1/prospects", None, SIGNED_IN - NO_CUSTOMER_DATA, 200, False),
    ("prospect_register", "post", "/api/v1/prospects", {"name": "矩阵准客户有限公司"}, REGISTRARS, 201, False),
    ("prospect_get", "get", "/api/v1/prospects/{prospect}", None, SEES_TARGET, 200, True),
    ("prospect_confirm", "post", "/api/v1/prospects/{prospect}/confirm", None, set(), 200, True),  # marketing only
    ("prospect_drop", "post", "/api/v1/prospects/{prospect}/drop", {"reason": "矩阵放弃"}, REGISTRARS, 200, True),
    ("prospect_create_customer", "post", "/api/v1/prospects/{prospect_confirmed}/create-customer",
     {"confirm_duplicates": True}, REGISTRARS, 200, True),
    ("prospect_hand_over", "post", "/api/v1/prospects/{prospect_won}/hand-over", {"service_owner_id": "{service}"},
     REGISTRARS, 200, True),
    # Visits (拜访): {plan} is the target rep's draft week plan with one item, {submitted_plan} their submitted
    # day plan, {visit_log} their visit to the target customer.
    ("visit_plans", "get", "/api/v1/visit-plans", None, SIGNED_IN - NO_CUSTOMER_DATA, 200, False),
    ("visit_plan_create", "post", "/api/v1/visit-plans", {"period": "month", "day": "{today}"}, PLANNERS, 201,
     False),
    ("visit_plan_get", "get", "/api/v1/visit-plans/{plan}", None, SEES_TARGET, 200, True),
    ("visit_item_add", "post", "/api/v1/visit-plans/{plan}/items", {"target": "矩阵拜访对象", "planned_on": "{today}"},
     {"rep"}, 201, True),
    ("visit_item_update", "patch", "/api/v1/visit-plans/{plan}/items/{plan_item}", {"purpose": "了解需求"}, {"rep"},
     200, True),
    ("visit_item_remove", "delete", "/api/v1/visit-plans/{plan}/items/{plan_item}", None, {"rep"}, 204, True),
    ("visit_plan_submit", "post", "/api/v1/visit-plans/{plan}/submit", None, {"rep"}, 200, True),
    ("visit_plan_approve", "post", "/api/v1/visit-plans/{submitted_plan}/approve", {"comment": "同意"},
     PLAN_REVIEWERS, 200, True),
    ("visit_plan_return", "post", "/api/v1/visit-plans/{submitted_plan}/return", {"comment": "请补充新客户"},
     PLAN_REVIEWERS, 200, True),
    ("visit_logs", "get", "/api/v1/visit-logs", None, SIGNED_IN - NO_CUSTOMER_DATA, 200, False),
    ("visit_log_create", "post", "/api/v1/visit-logs", {"customer_id": "{customer}", "outcome": "矩阵拜访"}, EDITORS,
     201, False),
    ("visit_log_get", "get", "/api/v1/visit-logs/{visit_log}", None, SEES_TARGET, 200, True),
    ("today", "get", "/api/v1/today", None, SIGNED_IN - NO_CUSTOMER_DATA, 200, False),
]
# Where a body names a record the caller cannot see, the answer is a field error (the same as for a missing id).
OVERRIDES = {("visit_log_create", role): 400 for role in ("rep_b", "rep2", "manager2")}


def expected_status(role, allowed, success, on_target):
    if role == "anonymous":
        return 401
    if on_target:
        if role in NO_CUSTOMER_DATA:
            return 403
        if role not in (on_target if isinstance(on_target, set) else SEES_TARGET):
            return 404
    return success if role in allowed else 403


MATRIX = [
    pytest.param(name, method, url, body, role,
                 OVERRIDES.get((name, role), expected_status(role, allowed, success, on_target)),
                 id=f"{name}-{role}")
    for name, method, url, body, allowed, success, on_target in ENDPOINTS
    for role in ROLES
]


def fill(value, ids):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value.count("{") == 1:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.fixture
def ids(org):
    from salesflow.crm import services
    from salesflow.crm.choices import CustomerStatus
    from salesflow.crm.models import Customer

    Customer.objects.filter(pk=org.cust_rep.pk).update(status=CustomerStatus.ACTIVE)
    archived = services.customer_create(by=org.rep, data={"name": "已归档的老客户"}, confirm_duplicates=True)
    services.customer_archive(by=org.rep, customer=archived)
    values = {name: getattr(org, name).pk for name in ROLES if name != "anonymous"}
    from salesflow.leads.customer_pool import customer_release

    pooled = services.customer_create(by=org.rep_b, data={"name": "公海里的矩阵客户"}, confirm_duplicates=True)
    customer_release(by=org.rep_b, customer_id=pooled.pk, reason="重新分配")
    values["pool_customer"] = pooled.pk
    values.update(customer=org.cust_rep.pk, contact=org.contact_rep.pk, archived=archived.pk,
                  east_team=org.east_team.pk, east_office=org.east_office.pk, rep3=org.rep3.pk)
    values.update(_reception(org))
    values.update(_visits(org))
    return values


def _visits(org) -> dict:
    from salesflow.visits import services as visits

    today = visits.local_today()
    plan = visits.plan_create(by=org.rep, period="week", day=today)
    item = visits.plan_item_add(by=org.rep, plan=plan, data={"customer_id": org.cust_rep.pk, "planned_on": today})
    submitted = visits.plan_create(by=org.rep, period="day", day=today)
    visits.plan_item_add(by=org.rep, plan=submitted, data={"customer_id": org.cust_rep.pk, "planned_on": today})
    visits.plan_submit(by=org.rep, plan=submitted)
    log = visits.visit_log_create(by=org.rep, data={"customer_id": org.cust_rep.pk, "outcome": "矩阵准备"})
    return {"plan": plan.pk, "plan_item": item.pk, "submitted_plan": submitted.pk, "visit_log": log.pk,
            "today": today.isoformat()}


def _reception(org) -> dict:
    from django.utils import timezone

    from salesflow.deals import services as deals
    from salesflow.org.roles import Role
    from salesflow.reception import services as reception

    from ..factories import UserFactory

    record = reception.reception_create(by=org.rep, data={"received_at": timezone.now(), "visitor_names": "矩阵准备"})
    marketing = UserFactory(username="matrix_marketing", role=Role.MARKETING_VP, unit=org.hq)

    def prospect(name, steps=0):
        p = reception.prospect_register(by=org.supervisor, consultant=org.rep, confirm_duplicates=True,
                                        data={"name": name, "intent": "yes"})
        if steps:
            reception.prospect_confirm(by=marketing, prospect_id=p.pk)
        if steps > 1:
            p = reception.prospect_create_customer(by=org.supervisor, prospect_id=p.pk, confirm_duplicates=True)
            opp = deals.opportunity_create(by=org.rep, customer_id=p.customer_id, data={"name": "矩阵成交"})
            deals.opportunity_win(by=org.rep, opportunity_id=opp.pk)  # no service supervisor above: waits
        return p.pk

    values = {"reception": record.pk, "prospect": prospect("矩阵登记准客户"),
              "prospect_confirmed": prospect("矩阵已确认准客户", 1), "prospect_won": prospect("矩阵已成交准客户", 2)}
    # A customer-service supervisor outside the customer's units, chosen by hand.
    values["service"] = UserFactory(username="matrix_service", role=Role.SERVICE, unit=org.north).pk
    return values


def call(client, method, url, body, **extra):
    if method == "get":
        return client.get(url, **extra)
    import json
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", **extra)


@pytest.mark.parametrize("name, method, url, body, role, expected", MATRIX)
def test_permission_matrix(org, ids, name, method, url, body, role, expected):
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(org, role))
    resp = call(client, method, fill(url, ids), fill(body, ids))
    assert resp.status_code == expected, resp.content
    if expected >= 400:
        payload = resp.json()
        assert set(payload) == {"code", "message", "fields"}
    if expected == 404:
        # "Not yours" looks exactly like "does not exist".
        missing = call(client, method, fill(url, {**ids, "customer": 999999, "archived": 999999, "plan": 999999,
                                                  "submitted_plan": 999999, "visit_log": 999999,
                                                  "pool_customer": 999999}), fill(body, ids))
        assert missing.status_code == 404 and missing.json() == resp.json()


@pytest.mark.parametrize("role", ["rep", "admin"])
def test_matrix_holds_for_bearer_tokens(org, ids, role):
    """The same refusals with a token instead of a session (spot check of both auth paths)."""
    _token, raw = api_token_create(by=getattr(org, role))
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for name, method, url, _body, allowed, success, on_target in ENDPOINTS:
        if method != "get":
            continue
        resp = call(client, method, fill(url, ids), None, **auth)
        assert resp.status_code == expected_status(role, allowed, success, on_target), name
