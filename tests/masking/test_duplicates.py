"""Issue #15 (Low): duplicate warnings across the company say that the record exists and whom to ask (the head of
the unit keeping it), without naming a customer, lead or prospect outside the caller's scope."""

import pytest

from salesflow.core.errors import Conflict
from salesflow.crm import services as crm
from salesflow.leads import services as leads
from salesflow.reception import services as reception

from ..conftest import fresh

pytestmark = pytest.mark.django_db


def _message(exc) -> str:
    return " ".join([str(exc.message), *(str(m) for ms in exc.fields.values() for m in ms)])


def test_a_customer_of_another_region_is_not_named(org):
    with pytest.raises(Conflict) as exc:
        crm.customer_create(by=fresh(org.rep2), data={"name": "上海星辰机械有限公司"})
    text = _message(exc.value)
    assert "星辰" not in text and org.rep.display_name not in text
    assert "outside your scope" in text and org.supervisor.display_name in text  # the team's head


def test_a_customer_in_scope_is_still_named(org):
    with pytest.raises(Conflict) as exc:
        crm.customer_create(by=fresh(org.supervisor), data={"name": "上海星辰机械有限公司"})
    assert "上海星辰机械有限公司" in _message(exc.value)


def test_the_api_answer_names_nobody_outside_the_scope(org, client_for):
    response = client_for(org.rep2).post("/api/v1/customers", {"name": "上海星辰机械有限公司"},
                                         content_type="application/json")
    assert response.status_code == 409
    assert "星辰" not in response.content.decode()


def test_leads_and_their_customers_outside_the_scope_are_not_named(org, make_lead):
    make_lead(by=org.rep, name="华东独家线索有限公司")
    with pytest.raises(Conflict) as exc:
        leads.lead_create(by=fresh(org.rep2), data={"name": "华东独家线索有限公司", "channel": "exhibition"},
                          owner=fresh(org.rep2))
    text = _message(exc.value)
    assert "华东独家线索" not in text and "outside your scope" in text
    with pytest.raises(Conflict) as exc:
        leads.lead_create(by=fresh(org.rep2), data={"name": "上海星辰机械有限公司", "channel": "exhibition"},
                          owner=fresh(org.rep2))
    assert "星辰" not in _message(exc.value)


def test_a_prospect_of_another_office_is_not_named(org, people, make_prospect):
    from ..factories import UserFactory

    make_prospect(by=org.supervisor, consultant=org.rep, name="华东准客户有限公司")
    supervisor2 = UserFactory(username="supervisor2", name="北京主管", role=org.supervisor.role, unit=org.north_team,
                              manager=org.manager2)
    with pytest.raises(Conflict) as exc:
        reception.prospect_register(by=fresh(supervisor2), data={"name": "华东准客户有限公司", "intent": "yes"},
                                    consultant=fresh(org.rep2))
    text = _message(exc.value)
    assert "华东准客户" not in text and org.rep.display_name not in text and "outside your scope" in text
