"""A small company built through the real services, for page and browser tests."""

from types import SimpleNamespace

import pytest

from salesflow.crm import services as crm
from salesflow.org import services as org
from salesflow.org.models import User

PASSWORD = "demo12345"


def build_world():
    admin = User.objects.create_superuser("admin_p", "admin@example.cn", PASSWORD, role="admin", name="管理员")
    hq = org.org_unit_create(by=admin, name="总部", code="P-HQ", kind="company")
    east = org.org_unit_create(by=admin, name="华东大区", code="P-EAST", kind="region", parent=hq)
    north = org.org_unit_create(by=admin, name="华北大区", code="P-NORTH", kind="region", parent=hq)
    sh = org.org_unit_create(by=admin, name="上海销售处", code="P-SH", kind="office", parent=east)
    bj = org.org_unit_create(by=admin, name="北京销售处", code="P-BJ", kind="office", parent=north)
    team = org.org_unit_create(by=admin, name="上海一组", code="P-SH1", kind="team", parent=sh)
    team2 = org.org_unit_create(by=admin, name="北京一组", code="P-BJ1", kind="team", parent=bj)

    def user(username, role, unit, name, manager=None):
        return org.user_create(by=admin, username=username, password=PASSWORD, role=role, unit=unit, name=name,
                               manager=manager)

    manager = user("manager_p", "manager", east, "周经理")
    supervisor = user("supervisor_p", "supervisor", team, "吴主管", manager)
    rep = user("rep_p", "rep", team, "李小明", supervisor)
    rep_b = user("repb_p", "rep", team, "赵小红", supervisor)
    manager2 = user("manager2_p", "manager", north, "钱经理")
    rep2 = user("rep2_p", "rep", team2, "孙大伟", manager2)
    planner = user("planner_p", "planner", hq, "郑计划")
    accountant = user("accountant_p", "accountant", hq, "冯会计")
    c_rep = crm.customer_create(by=rep, data={"name": "上海宏达机械有限公司", "credit_code": "91310000MA1FL0PX4K"},
                                contacts=[{"name": "王采购", "phone": "13812345678", "position": "采购经理"}])
    # Tier and credit limit are the supervisor's to set (issue #15).
    c_rep = crm.customer_update(by=supervisor, customer=c_rep, data={"tier": "A", "credit_limit": "500000"})
    c_rep_b = crm.customer_create(by=rep_b, data={"name": "苏州远景电子有限公司"},
                                  contacts=[{"name": "陈总", "phone": "13900001111"}])
    c_rep2 = crm.customer_create(by=rep2, data={"name": "北京华泰建设集团"},
                                 contacts=[{"name": "刘工", "phone": "010-62345678"}])
    return SimpleNamespace(**locals())


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
