"""Issue #15 (Low): the pool claim answers the same for "taken" and "not visible", so claiming ids one by one does
not tell which customers of the unit exist and are owned."""

import json

import pytest

from salesflow.crm import services as crm

from ..conftest import fresh

pytestmark = pytest.mark.django_db


def _claim(client, customer_id):
    response = client.post(f"/api/v1/customer-pool/{customer_id}/claim", "{}", content_type="application/json")
    return response.status_code, json.loads(response.content)


def test_taken_missing_and_out_of_reach_answer_alike(org, client_for):
    rep_b = client_for(org.rep_b)
    taken = _claim(rep_b, org.cust_rep.pk)  # the teammate's customer, in rep_b's pool reach but owned
    missing = _claim(rep_b, 999_999)
    other_region = _claim(rep_b, org.cust_rep2.pk)
    assert taken == missing == other_region
    assert taken[0] == 404 and taken[1]["code"] == "not_found"


def test_the_slower_claimer_reads_the_same_answer(org, client_for):
    customer = crm.customer_create(by=fresh(org.rep), data={"name": "慢一步测试有限公司"}, confirm_duplicates=True)
    from salesflow.pool import services as pool

    pool.customer_release(by=fresh(org.rep), customer_id=customer.pk, reason="客户暂无采购需求")
    assert _claim(client_for(org.rep_b), customer.pk)[0] == 200
    assert _claim(client_for(org.rep), customer.pk) == _claim(client_for(org.rep), 999_999)
