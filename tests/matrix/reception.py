"""Reception records and prospects (接待 / 准客户, 002 E2/E3, D2/E4/D5, R15). {reception} is rep's record; {prospect}
a prospect of rep's registered by the supervisor, {prospect_submitted} one whose customer file rep built and sent
(E4), {prospect_won} one whose deal is done; {service} a customer-service supervisor outside the customer's units."""

from __future__ import annotations

from .base import CUSTOMER_READERS, EDITORS, SEES_TARGET, row

RECEPTION_UPDATERS = {"rep", "supervisor", "manager", "director", "gm", "marketing", "admin"}
REGISTRARS = {"supervisor", "manager", "manager2", "director"}  # prospect.register (D2, D5)
# D2.4 营销主管的准客户的确认: the office's 营销主管 — by default the sales supervisor over rep; not the marketing VP.
CONFIRMERS = {"supervisor"}
SUBMITTERS = {"rep"}  # E4: the consultant in charge, nobody for them
DROPPERS = REGISTRARS
# Who names an office's 营销主管: the region's manager, the director, the administrator.
NAMERS = {"manager", "manager2", "director", "admin"}
# manager2 (华北) asks about 上海销售处, outside their region: not found, like a missing office.
OTHER_REGION = {"manager2": 404}


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
            reception.prospect_submit_file(by=world.rep, prospect_id=p.pk, confirm_duplicates=True)
        if steps > 1:
            p = reception.prospect_register_file(by=world.supervisor, prospect_id=p.pk)
            opp = deals.opportunity_create(by=world.rep, customer_id=p.customer_id, data={"name": "矩阵成交"})
            deals.opportunity_win(by=world.rep, opportunity_id=opp.pk)  # no service supervisor above: waits
        return p.pk

    service = UserFactory(username="matrix_service", role=Role.SERVICE, unit=world.north)
    return {"reception": record.pk, "prospect": prospect("矩阵登记准客户"),
            "prospect_submitted": prospect("矩阵已送交准客户", 1), "prospect_won": prospect("矩阵已成交准客户", 2),
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
    row("prospect_submit_file", "post", "/api/v1/prospects/{prospect}/submit-file", SUBMITTERS, 200,
        {"confirm_duplicates": True, "note": "有购买意向，请登记"}, sees=SEES_TARGET),
    row("prospect_register_file", "post", "/api/v1/prospects/{prospect_submitted}/register-file", REGISTRARS, 200,
        {"note": "已登记"}, sees=SEES_TARGET),
    row("marketing_leads", "get", "/api/v1/prospects/marketing-leads", NAMERS),
    row("marketing_lead_set", "put", "/api/v1/prospects/marketing-leads/{east_office}", NAMERS, 200,
        {"user_id": "{manager}"}, overrides=OTHER_REGION),
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
    row("prospect_submit_file_page", "post", "/reception/prospects/{prospect}/submit-file/", SUBMITTERS, 302,
        {"confirm_duplicates": "1"}, sees=SEES_TARGET),
    row("prospect_register_file_page", "post", "/reception/prospects/{prospect_submitted}/register-file/",
        REGISTRARS, 302, sees=SEES_TARGET),
    row("reception_print_page", "get", "/reception/{reception}/print/", SEES_TARGET, sees=SEES_TARGET),
    row("reception_list_print_page", "get", "/reception/print/", CUSTOMER_READERS),
    row("reception_export_page", "get", "/reception/export/", CUSTOMER_READERS),
    row("marketing_lead_list_page", "get", "/reception/prospects/marketing-leads/", NAMERS),
    row("marketing_lead_set_page", "post", "/reception/prospects/marketing-leads/{east_office}/", NAMERS, 302,
        {"user": "{manager}"}, overrides=OTHER_REGION),
    row("prospect_hand_over_page", "post", "/reception/prospects/{prospect_won}/hand-over/", REGISTRARS, 302,
        {"service_owner": "{service}"}, sees=SEES_TARGET),
    row("prospect_drop_page", "post", "/reception/prospects/{prospect}/drop/", DROPPERS, 302,
        {"reason": "矩阵放弃"}, sees=SEES_TARGET),
]
