"""Customers, contacts and customer groups. {customer} is ``rep``'s customer (上海一组, EAST), {contact} its
contact, {archived} an archived customer of ``rep``."""

from __future__ import annotations

from .base import (
    ABOVE_TARGET,
    CUSTOMER_READERS,
    EDITORS,
    REASSIGNERS,
    REDIRECT_REFUSED,
    SEES_TARGET,
    SIGNED_IN,
    row,
)

MASTER_DATA = {"director", "admin"}
# The owner and those above them see the full phone numbers.
REVEALERS = ABOVE_TARGET | {"manager2"}


def build(world, ids):
    from salesflow.crm import services
    from salesflow.crm.choices import CustomerStatus
    from salesflow.crm.models import Customer

    Customer.objects.filter(pk=world.cust_rep.pk).update(status=CustomerStatus.ACTIVE)
    archived = services.customer_create(by=world.rep, data={"name": "已归档的老客户"}, confirm_duplicates=True)
    services.customer_archive(by=world.rep, customer=archived)
    return {"customer": world.cust_rep.pk, "contact": world.contact_rep.pk, "archived": archived.pk}


ROWS = [
    row("customers", "get", "/api/v1/customers", CUSTOMER_READERS),
    row("customer_create", "post", "/api/v1/customers", EDITORS, 201, {"name": "矩阵测试新客户有限公司"}),
    row("groups", "get", "/api/v1/customer-groups", CUSTOMER_READERS),
    row("group_create", "post", "/api/v1/customer-groups", MASTER_DATA, 201, {"name": "矩阵分组"}),
    row("customer_get", "get", "/api/v1/customers/{customer}", SEES_TARGET, sees=SEES_TARGET),
    row("customer_update", "patch", "/api/v1/customers/{customer}", EDITORS, 200, {"notes": "更新"}, sees=SEES_TARGET),
    row("customer_sheet_update", "patch", "/api/v1/customers/{customer}/sheet", EDITORS, 200,
        {"needs": "矩阵需求", "purchase_timeline": "quarter"}, sees=SEES_TARGET),
    row("customer_reassign", "post", "/api/v1/customers/{customer}/reassign", REASSIGNERS, 200,
        {"owner_id": "{rep_b}"}, sees=SEES_TARGET),
    row("customer_archive", "post", "/api/v1/customers/{customer}/archive", EDITORS, sees=SEES_TARGET),
    row("customer_restore", "post", "/api/v1/customers/{archived}/restore", EDITORS, sees=SEES_TARGET),
    row("reveal_phones", "post", "/api/v1/customers/{customer}/reveal-phones", REVEALERS, sees=SEES_TARGET),
    row("contact_add", "post", "/api/v1/customers/{customer}/contacts", EDITORS, 201,
        {"name": "新联系人", "phone": "13700002222"}, sees=SEES_TARGET),
    row("contact_update", "patch", "/api/v1/customers/{customer}/contacts/{contact}", EDITORS, 200,
        {"name": "陈总", "phone": "13812345678"}, sees=SEES_TARGET),
    row("contact_remove", "delete", "/api/v1/customers/{customer}/contacts/{contact}", EDITORS, 204,
        sees=SEES_TARGET),
    # Pages.
    row("customer_list_page", "get", "/customers/", CUSTOMER_READERS),
    row("group_list_page", "get", "/customers/groups/", MASTER_DATA),
    row("customer_create_page", "get", "/customers/new/", EDITORS),
    # Inline validation of one field while typing: stateless, for anyone signed in.
    row("customer_validate_field", "post", "/customers/validate/", SIGNED_IN, 200,
        {"field": "phone", "phone": "123"}),
    row("customer_export", "get", "/customers/export/", CUSTOMER_READERS),
    row("customer_detail_page", "get", "/customers/{customer}/", SEES_TARGET, sees=SEES_TARGET),
    row("customer_edit_page", "get", "/customers/{customer}/edit/", EDITORS, sees=SEES_TARGET),
    # R17: the target-customer sheet.
    row("customer_sheet_page", "get", "/customers/{customer}/sheet/", EDITORS, sees=SEES_TARGET),
    # The record's actions refuse the wrong role with a message on the customer's page.
    row("customer_reassign_page", "post", "/customers/{customer}/reassign/", REASSIGNERS, 302,
        {"owner": "{rep_b}"}, refused=REDIRECT_REFUSED, sees=SEES_TARGET),
    row("customer_status_page", "post", "/customers/{customer}/status/", EDITORS, 302, {"action": "archive"},
        refused=REDIRECT_REFUSED, sees=SEES_TARGET),
    row("customer_reveal_page", "post", "/customers/{customer}/reveal/", REVEALERS, sees=SEES_TARGET),
    row("contact_add_page", "post", "/customers/{customer}/contacts/", EDITORS, 302,
        {"name": "新联系人", "phone": "13700002222"}, refused=REDIRECT_REFUSED, sees=SEES_TARGET),
    row("contact_remove_page", "post", "/customers/{customer}/contacts/{contact}/remove/", EDITORS, 302,
        sees=SEES_TARGET),
]
