"""The one customer validator shared by pages, API and importer."""

from decimal import Decimal

import pytest
from django.utils import translation

from salesflow.core.chinese import (
    InvalidValue,
    clean_credit_code,
    clean_phone,
    mask_phone,
    name_key,
    pinyin_keys,
)
from salesflow.crm.choices import Industry, Tier
from salesflow.crm.validation import Lookups, clean_contact, clean_customer

from ..factories import credit_code


def test_credit_code_checksum():
    good = credit_code(42)
    assert clean_credit_code(good.lower()) == good
    assert clean_credit_code("") == ""
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidValue):
        clean_credit_code(bad)
    with pytest.raises(InvalidValue):
        clean_credit_code("12345")
    # A real-world published code (Alibaba (China) Co., Ltd.) validates.
    assert clean_credit_code("91330100799655058B") == "91330100799655058B"


@pytest.mark.parametrize("raw, display, digits", [
    ("13812345678", "13812345678", "13812345678"),
    ("+86 138 1234 5678", "13812345678", "13812345678"),
    ("010-62345678", "010-62345678", "1062345678"),
    ("02165432109", "021-65432109", "2165432109"),
])
def test_phone_mobile_and_landline(raw, display, digits):
    assert clean_phone(raw) == (display, digits)


@pytest.mark.parametrize("raw", ["12345", "1381234567", "abcdefg", "000-0000000", "19999"])
def test_phone_bad(raw):
    with pytest.raises(InvalidValue):
        clean_phone(raw)


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-62345678") == "010-****5678"


def test_pinyin_and_name_keys():
    assert pinyin_keys("张三科技") == ("zskj", "zhangsankeji")
    assert name_key("张三科技有限公司") == name_key("张三科技（上海）股份有限公司") == "张三科技"


@pytest.mark.django_db
@pytest.mark.parametrize("raw, message_field", [("-1", "credit_limit"), ("abc", "credit_limit"),
                                                ("NaN", "credit_limit"), ("1e20", "credit_limit")])
def test_credit_limit_refuses_negative_and_garbage(raw, message_field):
    cleaned, errors = clean_customer({"name": "某公司", "credit_limit": raw}, Lookups.load())
    assert message_field in errors


@pytest.mark.django_db
@pytest.mark.parametrize("raw, expected", [("¥1,234.5", Decimal("1234.50")), ("500000", Decimal("500000.00")),
                                           (1234.5, Decimal("1234.50")), (3.0, Decimal("3.00")), ("", Decimal("0.00"))])
def test_credit_limit_is_decimal(raw, expected):
    cleaned, errors = clean_customer({"name": "某公司", "credit_limit": raw}, Lookups.load())
    assert not errors
    assert cleaned["credit_limit"] == expected and isinstance(cleaned["credit_limit"], Decimal)


@pytest.mark.django_db
def test_choices_accept_values_and_labels():
    lookups = Lookups.load()
    cleaned, errors = clean_customer({"name": "某公司", "tier": "a", "industry": "Manufacturing"}, lookups)
    assert not errors
    assert cleaned["tier"] == Tier.A and cleaned["industry"] == Industry.MANUFACTURING
    cleaned, errors = clean_customer({"name": "某公司", "tier": "Z"}, lookups)
    assert "tier" in errors


@pytest.mark.django_db
def test_choices_accept_chinese_labels():
    with translation.override("zh-hans"):
        label = str(Industry.MANUFACTURING.label)
        tier_label = str(Tier.B.label)
    if label == "Manufacturing":
        pytest.skip("no zh-hans message catalogue compiled yet (locale/ is empty)")
    cleaned, errors = clean_customer({"name": "某公司", "industry": label, "tier": tier_label}, Lookups.load())
    assert not errors
    assert cleaned["industry"] == Industry.MANUFACTURING and cleaned["tier"] == Tier.B


@pytest.mark.django_db
def test_required_name_url_date_province_region(org):
    lookups = Lookups.load()
    cleaned, errors = clean_customer({"name": " ", "shop_url": "javascript:alert(1)", "collected_on": "2026-13-45",
                                      "province": "火星", "region": "NOWHERE"}, lookups)
    assert set(errors) >= {"name", "shop_url", "collected_on", "province", "region"}
    cleaned, errors = clean_customer({"name": "某公司", "province": "浙江", "region": "east",
                                      "collected_on": "2026/03/31"}, lookups)
    assert not errors
    assert cleaned["province"] == "浙江省" and cleaned["region"] == org.east
    assert cleaned["collected_on"].isoformat() == "2026-03-31"


def test_contact_validation():
    cleaned, errors = clean_contact({"name": "陈经理", "phone": "138 1234 5678", "email": "chen@example.cn"})
    assert not errors and cleaned["phone_digits"] == "13812345678"
    cleaned, errors = clean_contact({"name": "", "phone": "12345", "email": "not-an-email"})
    assert set(errors) == {"name", "phone", "email"}
