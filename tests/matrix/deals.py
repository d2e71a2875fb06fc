"""Discount requests (优惠申请, R13) and opportunities (商机) with their pipeline. {discount} is rep's draft
request on the target customer, {discount_submitted} (approvals.py) one waiting for the supervisor;
{opportunity} is rep's opportunity on the target customer, {lost_reason} a reason from the managed list."""

from __future__ import annotations

from .base import CUSTOMER_READERS, EDITORS, SEES_TARGET, SIGNED_IN, row

REQUESTERS = {"rep", "rep_b", "rep2", "supervisor", "manager", "manager2", "director"}  # discount.request
AUTHOR = {"rep"}  # only the author edits, submits and withdraws a request
MASTER_DATA = {"director", "admin"}
# Whoever may ask for a discount names a customer they do not see: a field error, as for a missing customer.
NAMES_UNSEEN_CUSTOMER = {role: 400 for role in ("rep_b", "rep2", "manager2")}
# A discount request is read through its own scope (the customers' scope plus the requests one is asked to
# approve), with no role check first: a role with no customer data sees none (an empty list, 404 for one).
NO_DATA_SEES_NONE = {"planner": 404}
DISCOUNT = {"amount": "200000", "discount_percent": "8", "reason": "老客户续单，竞品报价更低"}


def build(world, ids):
    from salesflow.deals import services
    from salesflow.deals.discounts import services as discounts
    from salesflow.deals.models import LostReason

    doc = discounts.discount_create(by=world.rep, customer_id=world.cust_rep.pk, data=dict(DISCOUNT))
    opportunity = services.opportunity_create(by=world.rep, customer_id=world.cust_rep.pk,
                                              data={"name": "数控机床采购", "amount": "500000"})
    reason = LostReason.objects.create(name="价格偏高")
    return {"discount": doc.pk, "opportunity": opportunity.pk, "lost_reason": reason.pk}


ROWS = [
    # Discount requests.
    row("discounts", "get", "/api/v1/discount-requests", SIGNED_IN),
    row("discount_create", "post", "/api/v1/discount-requests", REQUESTERS, 201,
        {"customer_id": "{customer}", **DISCOUNT}, overrides=NAMES_UNSEEN_CUSTOMER),
    row("discount_get", "get", "/api/v1/discount-requests/{discount}", SEES_TARGET, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    row("discount_update", "patch", "/api/v1/discount-requests/{discount}", AUTHOR, 200,
        {**DISCOUNT, "discount_percent": "6"}, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    row("discount_submit", "post", "/api/v1/discount-requests/{discount}/submit", AUTHOR, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    row("discount_withdraw", "post", "/api/v1/discount-requests/{discount_submitted}/withdraw", AUTHOR,
        sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    # Opportunities and the pipeline.
    row("opportunities", "get", "/api/v1/opportunities", CUSTOMER_READERS),
    row("opportunity_create", "post", "/api/v1/opportunities", EDITORS, 201,
        {"customer_id": "{customer}", "name": "矩阵商机", "amount": "100000"}, overrides=NAMES_UNSEEN_CUSTOMER),
    row("opportunity_get", "get", "/api/v1/opportunities/{opportunity}", SEES_TARGET, sees=SEES_TARGET),
    row("opportunity_update", "patch", "/api/v1/opportunities/{opportunity}", EDITORS, 200, {"name": "矩阵改名"},
        sees=SEES_TARGET),
    row("opportunity_move", "post", "/api/v1/opportunities/{opportunity}/move", EDITORS, 200, {"stage": "needs"},
        sees=SEES_TARGET),
    row("opportunity_win", "post", "/api/v1/opportunities/{opportunity}/win", EDITORS, sees=SEES_TARGET),
    row("opportunity_lose", "post", "/api/v1/opportunities/{opportunity}/lose", EDITORS, 200,
        {"reason_id": "{lost_reason}"}, sees=SEES_TARGET),
    row("pipeline_summary", "get", "/api/v1/pipeline/summary", CUSTOMER_READERS),
    # Pages: discount requests.
    row("discount_list_page", "get", "/deals/discounts/", CUSTOMER_READERS),
    row("discount_create_page", "get", "/deals/discounts/new/", REQUESTERS),
    row("discount_detail_page", "get", "/deals/discounts/{discount}/", SEES_TARGET, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    row("discount_edit_page", "get", "/deals/discounts/{discount}/edit/", AUTHOR, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    row("discount_submit_page", "post", "/deals/discounts/{discount}/submit/", AUTHOR, 302, sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    row("discount_withdraw_page", "post", "/deals/discounts/{discount_submitted}/withdraw/", AUTHOR, 302,
        sees=SEES_TARGET,
        overrides=NO_DATA_SEES_NONE),
    # Pages: opportunities.
    row("opportunity_list_page", "get", "/deals/opportunities/", CUSTOMER_READERS),
    row("opportunity_create_page", "get", "/deals/opportunities/new/", EDITORS),
    row("opportunity_kanban_page", "get", "/deals/opportunities/board/", CUSTOMER_READERS),
    row("opportunity_kanban_move", "post", "/deals/opportunities/board/move/", EDITORS, 302,
        {"opportunity": "{opportunity}", "stage": "needs"}, sees=SEES_TARGET),
    row("funnel_page", "get", "/deals/opportunities/funnel/", CUSTOMER_READERS),
    row("master_data_page", "get", "/deals/opportunities/lists/", MASTER_DATA),
    row("opportunity_detail_page", "get", "/deals/opportunities/{opportunity}/", SEES_TARGET, sees=SEES_TARGET),
    row("opportunity_edit_page", "get", "/deals/opportunities/{opportunity}/edit/", EDITORS, sees=SEES_TARGET),
    row("opportunity_checklist_page", "post", "/deals/opportunities/{opportunity}/checklist/", EDITORS, 302,
        {"item": "first_contact", "done": "1"}, sees=SEES_TARGET),
    row("opportunity_action_page", "post", "/deals/opportunities/{opportunity}/action/", EDITORS, 302,
        {"action": "win"}, sees=SEES_TARGET),
]
