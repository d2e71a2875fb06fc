"""Customer reads: search routes (name, pinyin initials, phone prefix, credit code), scope, masking."""

from decimal import Decimal

import pytest

from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.crm import services
from salesflow.crm.selectors import CustomerFilters, can_reveal_phones, customer_get, customer_list, phone_for

from ..conftest import fresh
from ..factories import ContactFactory, CustomerFactory


def names(user, **filters):
    return [c.name for c in customer_list(user=fresh(user), filters=CustomerFilters(**filters))]


@pytest.fixture
def zhangsan(org):
    c = services.customer_create(by=fresh(org.rep), data={"name": "张三科技有限公司"},
                                 contacts=[{"name": "张三", "phone": "15912345678"}])
    return c


def test_search_by_name_fragment(org, zhangsan):
    assert names(org.director, q="三科") == ["张三科技有限公司"]
    assert names(org.director, q="星辰") == [org.cust_rep.name]


def test_search_by_pinyin_initials_and_full_pinyin(org, zhangsan):
    assert names(org.director, q="zs") == ["张三科技有限公司"]
    assert names(org.director, q="ZSKJ") == ["张三科技有限公司"]
    assert names(org.director, q="zhangsan") == ["张三科技有限公司"]
    assert names(org.director, q="zz") == []


def test_search_by_phone_prefix(org, zhangsan):
    assert names(org.director, q="1591234") == ["张三科技有限公司"]
    assert names(org.director, q="+86 159 1234 5678") == ["张三科技有限公司"]
    assert names(org.director, q="010-6234") == [org.cust_rep2.name]


def test_search_by_credit_code(org):
    assert names(org.director, q=org.cust_rep.credit_code.lower()) == [org.cust_rep.name]


def test_search_stays_in_scope(org, zhangsan):
    assert names(org.rep_b, q="zs") == []
    assert names(org.rep_b, q="1381234") == []
    assert names(org.rep2, q=org.cust_rep.credit_code) == []


def test_list_scope_and_status_filter(org):
    assert set(names(org.rep)) == {org.cust_rep.name}
    assert set(names(org.supervisor)) == {org.cust_rep.name, org.cust_rep_b.name}
    services.customer_archive(by=fresh(org.rep), customer=org.cust_rep)
    assert names(org.rep) == []
    assert names(org.rep, status="archived") == [org.cust_rep.name]
    assert len(names(org.director, status="")) == 4


def test_list_filters_and_sort(org):
    CustomerFactory(name="阿尔法贸易有限公司", owner=org.rep, tier="A", credit_limit=Decimal("1"))
    assert names(org.director, tier="A") == ["阿尔法贸易有限公司"]
    assert set(names(org.director, region=org.north.pk)) == {org.cust_rep2.name}
    assert set(names(org.director, owner=org.rep.pk)) == {org.cust_rep.name, "阿尔法贸易有限公司"}
    assert names(org.rep, sort="credit_limit")[0] == "阿尔法贸易有限公司"


def test_list_annotates_primary_contact(org):
    row = customer_list(user=fresh(org.rep)).get(pk=org.cust_rep.pk)
    assert row.primary_contact == "陈经理" and row.primary_phone == "13812345678"


def test_planner_refused_list_and_get(org):
    with pytest.raises(PermissionRefused):
        customer_list(user=fresh(org.planner))
    with pytest.raises(PermissionRefused):
        customer_get(user=fresh(org.planner), customer_id=org.cust_rep.pk)


def test_get_out_of_scope_is_not_found_like_missing(org):
    with pytest.raises(NotFound) as other:
        customer_get(user=fresh(org.rep_b), customer_id=org.cust_rep.pk)
    with pytest.raises(NotFound) as missing:
        customer_get(user=fresh(org.rep_b), customer_id=999999)
    assert other.value.as_dict() == missing.value.as_dict()


def test_phone_masking(org):
    c = org.cust_rep
    assert phone_for(fresh(org.rep), c, "13812345678") == "13812345678"
    for role in ("rep_b", "supervisor", "manager", "director", "finance"):
        assert phone_for(fresh(getattr(org, role)), c, "13812345678") == "138****5678"
    assert phone_for(fresh(org.supervisor), c, "") == ""


def test_can_reveal(org):
    c = org.cust_rep
    assert not can_reveal_phones(fresh(org.rep), c)  # sees them already
    assert can_reveal_phones(fresh(org.supervisor), c)
    assert not can_reveal_phones(fresh(org.finance), c)


def test_credit_limit_is_decimal_from_database(org):
    c = customer_get(user=fresh(org.rep), customer_id=org.cust_rep.pk)
    assert isinstance(c.credit_limit, Decimal) and c.credit_limit == Decimal("100000.00")
    ContactFactory(customer=CustomerFactory(owner=org.rep, credit_limit=Decimal("0.10")), is_primary=True)
    row = customer_list(user=fresh(org.rep), filters=CustomerFilters(sort="credit_limit")).first()
    assert row.credit_limit == Decimal("0.10") and isinstance(row.credit_limit, Decimal)


def test_R25_customers_are_tiered_and_listed_by_tier(org):
    key = services.customer_create(by=fresh(org.supervisor), owner=org.rep, confirm_duplicates=True,
                                   data={"name": "贝塔重点客户有限公司", "tier": "A"})
    plain = services.customer_create(by=fresh(org.rep), data={"name": "伽马普通客户有限公司"},
                                     confirm_duplicates=True)
    assert plain.tier == "C"  # untiered customers start as regular (C)
    a_list = [c.pk for c in customer_list(user=fresh(org.rep), filters=CustomerFilters(tier="A"))]
    assert key.pk in a_list and plain.pk not in a_list
