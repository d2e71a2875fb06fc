"""Reception and prospect fixtures: a marketing VP, a customer-service supervisor on the EAST region, and
factories that go through the real services."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from salesflow.org.roles import Role
from salesflow.reception import services

from ..conftest import fresh
from ..factories import UserFactory


@pytest.fixture
def people(org):
    marketing = UserFactory(username="marketing_vp", name="李营销", role=Role.MARKETING_VP, unit=org.hq)
    service = UserFactory(username="service", name="林客服", role=Role.SERVICE, unit=org.east, manager=org.manager)
    return SimpleNamespace(marketing=marketing, service=service)


@pytest.fixture
def make_record(org):
    """make_record(by=org.rep, **data) → a reception record made through the service."""
    counter = iter(range(1, 10_000))

    def make(by=None, owner=None, **data):
        n = next(counter)
        data.setdefault("received_at", timezone.now() - dt.timedelta(days=1, hours=n))
        data.setdefault("visitor_names", f"王经理{n}")
        data.setdefault("company", f"接待测试{n}号有限公司")
        data.setdefault("questions", "数控机床的交货期和售后保修")
        data.setdefault("intent", "yes")
        return services.reception_create(by=fresh(by or org.rep), data=data, owner=owner)

    return make


@pytest.fixture
def make_prospect(org):
    """make_prospect(by=org.supervisor, consultant=org.rep, **data) → a registered prospect."""
    counter = iter(range(1, 10_000))

    def make(by=None, consultant=None, reception_ids=(), **data):
        data.setdefault("name", f"准客户测试{next(counter)}号有限公司")
        data.setdefault("intent", "yes")
        return services.prospect_register(by=fresh(by or org.supervisor), data=data,
                                          consultant=consultant or org.rep, reception_ids=list(reception_ids),
                                          confirm_duplicates=True)

    return make


@pytest.fixture
def filed(org, people, make_prospect):
    """filed(**data) → a prospect whose customer file the consultant built and sent (E4) and the supervisor
    registered with the prospect's (D5); the 营销主管's confirmation (D2.4) is not needed for it."""

    def make(**data):
        prospect = make_prospect(**data)
        services.prospect_submit_file(by=fresh(prospect.consultant), prospect_id=prospect.pk, confirm_duplicates=True)
        return services.prospect_register_file(by=fresh(org.supervisor), prospect_id=prospect.pk)

    return make
