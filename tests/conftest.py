"""Shared fixtures: a small company built once per test, API clients per role, and test-only settings."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

# settings.py reads TASKS_BACKEND from the environment; set it before Django loads settings if we are first.
IMMEDIATE = "django_tasks.backends.immediate.ImmediateBackend"
os.environ.setdefault("TASKS_BACKEND", IMMEDIATE)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Assigning TASKS through the settings fixture fires setting_changed, which django_tasks listens to and
    # uses to drop its cached backends — so the immediate backend is in force even if settings loaded first.
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE, "QUEUES": ["default"]}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = True


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    """HQ → regions EAST and NORTH → offices → teams, the people in them, and a few customers.

    EAST:  east_office → east_team (supervisor, rep, rep_b) and east_team2 (rep3); manager sits on the region.
    NORTH: north_office → north_team (rep2); manager2 sits on the region.
    """
    from salesflow.org.models import UnitKind
    from salesflow.org.roles import Role

    from .factories import ContactFactory, CustomerFactory, OrgUnitFactory, UserFactory, credit_code

    hq = OrgUnitFactory(name="总部", code="HQ", kind=UnitKind.COMPANY)
    east = OrgUnitFactory(name="华东大区", code="EAST", kind=UnitKind.REGION, parent=hq)
    north = OrgUnitFactory(name="华北大区", code="NORTH", kind=UnitKind.REGION, parent=hq)
    east_office = OrgUnitFactory(name="上海销售处", code="SH", kind=UnitKind.OFFICE, parent=east, province="上海市")
    north_office = OrgUnitFactory(name="北京销售处", code="BJ", kind=UnitKind.OFFICE, parent=north, province="北京市")
    east_team = OrgUnitFactory(name="上海一组", code="SH1", kind=UnitKind.TEAM, parent=east_office)
    east_team2 = OrgUnitFactory(name="上海二组", code="SH2", kind=UnitKind.TEAM, parent=east_office)
    north_team = OrgUnitFactory(name="北京一组", code="BJ1", kind=UnitKind.TEAM, parent=north_office)

    admin = UserFactory(username="admin", name="系统管理员", role=Role.ADMIN, unit=hq)
    gm = UserFactory(username="gm", name="王总", role=Role.GM, unit=hq)
    director = UserFactory(username="director", name="李总监", role=Role.DIRECTOR, unit=hq)
    finance = UserFactory(username="finance", name="赵会计", role=Role.ACCOUNTANT, unit=hq)
    planner = UserFactory(username="planner", name="计划科", role=Role.PLANNER, unit=hq)
    manager = UserFactory(username="manager", name="华东经理", role=Role.MANAGER, unit=east, manager=director)
    supervisor = UserFactory(username="supervisor", name="一组主管", role=Role.SUPERVISOR, unit=east_team,
                             manager=manager)
    rep = UserFactory(username="rep", name="张销售", role=Role.REP, unit=east_team, manager=supervisor)
    rep_b = UserFactory(username="rep_b", name="钱销售", role=Role.REP, unit=east_team, manager=supervisor)
    rep3 = UserFactory(username="rep3", name="孙销售", role=Role.REP, unit=east_team2, manager=manager)
    manager2 = UserFactory(username="manager2", name="华北经理", role=Role.MANAGER, unit=north, manager=director)
    rep2 = UserFactory(username="rep2", name="周销售", role=Role.REP, unit=north_team, manager=manager2)

    cust_rep = CustomerFactory(name="上海星辰机械有限公司", owner=rep, credit_code=credit_code(1))
    contact_rep = ContactFactory(customer=cust_rep, name="陈经理", phone="13812345678")
    cust_rep_b = CustomerFactory(name="苏州远航电子有限公司", owner=rep_b)
    ContactFactory(customer=cust_rep_b, name="吴工", phone="13900001111")
    cust_rep3 = CustomerFactory(name="杭州绿野农业有限公司", owner=rep3)
    cust_rep2 = CustomerFactory(name="北京长城建材有限公司", owner=rep2)
    ContactFactory(customer=cust_rep2, name="郑主任", phone="010-62345678")

    return SimpleNamespace(
        hq=hq, east=east, north=north, east_office=east_office, north_office=north_office,
        east_team=east_team, east_team2=east_team2, north_team=north_team,
        admin=admin, gm=gm, director=director, finance=finance, planner=planner, manager=manager,
        supervisor=supervisor, rep=rep, rep_b=rep_b, rep3=rep3, manager2=manager2, rep2=rep2,
        cust_rep=cust_rep, contact_rep=contact_rep, cust_rep_b=cust_rep_b, cust_rep3=cust_rep3, cust_rep2=cust_rep2,
    )


def fresh(user):
    """The user as a new request would load it (the data scope is cached on the instance)."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def client_for(client):
    """client_for(user) → a Django test client signed in as ``user`` (None = anonymous)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


def pytest_configure(config):
    # whitenoise warns that collectstatic has not run; irrelevant to these tests.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
