"""Reception records and prospects (接待 / 准客户, 002 E2/E3, D2/D5, R15). {reception} is rep's record; {prospect} a
prospect of rep's registered by the supervisor, {prospect_confirmed} one confirmed by marketing, {prospect_won}
one whose deal is done; {service} a customer-service supervisor outside the customer's units."""

from __future__ import annotations

from .base import CUSTOMER_READERS, EDITORS, SEES_TARGET, row

RECEPTION_UPDATERS = {"rep", "supervisor", "manager", "director", "gm", "marketing", "admin"}
REGISTRARS = {"supervisor", "manager", "manager2", "director"}  # prospect.register (D2)
CONFIRMERS = {"marketing"}  # prospect.confirm: 营销主管的准客户的确认
DROPPERS = REGISTRARS | CONFIRMERS  # either side may drop a prospect


def build(world, ids):
    from django.utils import timezone

    from salesflow.deals import services as deals
    from salesflow.org.roles import Role
    from salesflow.reception import services as reception

    from ..factories import UserFactory

    record = reception.reception_create(by=world.rep, data={"received_at": timezone.now(), "visitor_names": "矩阵准备"})

    def prospect(name, steps=0):
        p = reception.prospect_register(by=world.supervisor, consultant=world.rep, confirm_duplicates=True,
                                        data={"name": name, "intent": "yes"})
        if steps:
            reception.prospect_confirm(by=world.marketing, prospect_id=p.pk)
        if steps > 1:
            p = reception.prospect_create_customer(by=world.supervisor, prospect_id=p.pk, confirm_duplicates=True)
            opp = deals.opportunity_create(by=world.rep, customer_id=p.customer_id, data={"name": "矩阵成交"})
            deals.opportunity_win(by=world.rep, opportunity_id=opp.pk)  # no service supervisor above: waits
        return p.pk

    service = UserFactory(username="matrix_service", role=Role.SERVICE, unit=world.north)
    return {"reception": record.pk, "prospect": prospect("矩阵登记准客户"),
            "prospect_confirmed": prospect("矩阵已确认准客户", 1), "prospect_won": prospect("矩阵已成交准客户", 2),
            "service": service.pk}


ROWS = [
    row("reception_records", "get", "/api/v1/reception-records", CUSTOMER_READERS),
    row("reception_create", "post", "/api/v1/reception-records", EDITORS, 201,
        {"received_at": "2025-03-04T10:30:00+08:00", "visitor_names": "矩阵来访人"}),
    row("reception_get", "get", "/api/v1/reception-records/{reception}", SEES_TARGET, sees=SEES_TARGET),
    row("reception_update", "patch", "/api/v1/reception-records/{reception}", RECEPTION_UPDATERS, 200,
        {"next_step": "再联系"}, sees=SEES_TARGET),
    row("prospects", "get", "/api/v1/prospects", CUSTOMER_READERS),
    row("prospect_register", "post", "/api/v1/prospects", REGISTRARS, 201, {"name": "矩阵准客户有限公司"}),
    row("prospect_get", "get", "/api/v1/prospects/{prospect}", SEES_TARGET, sees=SEES_TARGET),
    row("prospect_confirm", "post", "/api/v1/prospects/{prospect}/confirm", CONFIRMERS, sees=SEES_TARGET),
    row("prospect_drop", "post", "/api/v1/prospects/{prospect}/drop", DROPPERS, 200, {"reason": "矩阵放弃"},
        sees=SEES_TARGET),
    row("prospect_create_customer", "post", "/api/v1/prospects/{prospect_confirmed}/create-customer", REGISTRARS,
        200, {"confirm_duplicates": True}, sees=SEES_TARGET),
    row("prospect_hand_over", "post", "/api/v1/prospects/{prospect_won}/hand-over", REGISTRARS, 200,
        {"service_owner_id": "{service}"}, sees=SEES_TARGET),
    # Pages.
    row("reception_list_page", "get", "/reception/", CUSTOMER_READERS),
    row("reception_create_page", "get", "/reception/new/", EDITORS),
    row("reception_detail_page", "get", "/reception/{reception}/", SEES_TARGET, sees=SEES_TARGET),
    row("reception_edit_page", "get", "/reception/{reception}/edit/", RECEPTION_UPDATERS, sees=SEES_TARGET),
    row("prospect_list_page", "get", "/reception/prospects/", CUSTOMER_READERS),
    row("prospect_register_page", "get", "/reception/prospects/new/", REGISTRARS),
    row("prospect_detail_page", "get", "/reception/prospects/{prospect}/", SEES_TARGET, sees=SEES_TARGET),
    row("prospect_confirm_page", "post", "/reception/prospects/{prospect}/confirm/", CONFIRMERS, 302,
        sees=SEES_TARGET),
    row("prospect_create_customer_page", "post", "/reception/prospects/{prospect_confirmed}/create-customer/",
        REGISTRARS, 302, {"confirm_duplicates": "on"}, sees=SEES_TARGET),
    row("prospect_hand_over_page", "post", "/reception/prospects/{prospect_won}/hand-over/", REGISTRARS, 302,
        {"service_owner": "{service}"}, sees=SEES_TARGET),
    row("prospect_drop_page", "post", "/reception/prospects/{prospect}/drop/", DROPPERS, 302,
        {"reason": "矩阵放弃"}, sees=SEES_TARGET),
]
