"""The customers' public pool (公海客户). {pool_customer} waits in 上海一组's pool (released by rep_b): its own
team's reps see it there, the unit heads above it and leadership too; the other region does not (404)."""

from __future__ import annotations

from .base import CUSTOMER_READERS, REASSIGNERS, SEES_TARGET, api_call, row

SEES_POOL_CUSTOMER = {"rep", "rep_b", "supervisor", "manager", "director", "gm", "marketing", "finance", "admin"}
CLAIMERS = {"rep", "rep_b", "supervisor", "manager"}
RELEASERS = {"rep", "supervisor", "manager", "director", "gm", "marketing", "admin"}  # the owner and those above


def build(world, ids):
    from salesflow.crm import services

    pooled = services.customer_create(by=world.rep_b, data={"name": "公海里的矩阵客户"}, confirm_duplicates=True)
    # Through the API: the pool's services move between apps, its operations stay.
    api_call(world.rep_b, "post", f"/api/v1/customers/{pooled.pk}/release", {"reason": "重新分配"})
    return {"pool_customer": pooled.pk}


ROWS = [
    row("customer_pool", "get", "/api/v1/customer-pool", CUSTOMER_READERS),
    row("customer_release", "post", "/api/v1/customers/{customer}/release", RELEASERS, 200,
        {"reason": "客户暂无采购需求"}, sees=SEES_TARGET),
    row("pool_claim", "post", "/api/v1/customer-pool/{pool_customer}/claim", CLAIMERS, sees=SEES_POOL_CUSTOMER),
    row("pool_assign", "post", "/api/v1/customer-pool/{pool_customer}/assign", REASSIGNERS, 200,
        {"owner_id": "{rep_b}"}, sees=SEES_POOL_CUSTOMER),
    # Pages.
    row("customer_pool_page", "get", "/leads/customer-pool/", CUSTOMER_READERS),
    row("pool_claim_page", "post", "/leads/customer-pool/{pool_customer}/claim/", CLAIMERS, 302,
        sees=SEES_POOL_CUSTOMER),
    # The page asks the service, which checks the role before the scope: the other region's rep, who may
    # assign nothing, is refused (403) before their scope is read (the API reads the customer first: 404).
    row("pool_assign_page", "post", "/leads/customer-pool/{pool_customer}/assign/", REASSIGNERS, 302,
        {"owner": "{rep_b}"}, sees=SEES_POOL_CUSTOMER, overrides={"rep2": 403}),
    row("customer_release_page", "post", "/leads/customer-pool/release/{customer}/", RELEASERS, 302,
        {"reason": "客户暂无采购需求"}, sees=SEES_TARGET),
]
