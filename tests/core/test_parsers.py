"""The one set of field parsers: what each accepts, what it refuses, and the translated message it refuses with."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from ninja import Schema
from pydantic import ValidationError

from salesflow.core.parsers import (
    MAX_AMOUNT,
    REQUIRED,
    FieldError,
    Money,
    Percent,
    parse_choice,
    parse_credit_code,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_field,
    parse_money,
    parse_percent,
    parse_phone,
    parse_province,
    text,
)
from salesflow.crm.choices import Industry, Tier

from ..factories import credit_code


def refusal(parse, value, language="en", **options) -> str:
    with translation.override(language), pytest.raises(FieldError) as caught:
        parse(value, **options)
    return caught.value.message


# --- money -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("500000", "500000.00"), ("¥1,234.5", "1234.50"), ("￥ 3,000", "3000.00"), ("１２００", "1200.00"),
    ("1.2万", "12000.00"), ("2亿元", "200000000.00"), ("300元", "300.00"), ("RMB 300", "300.00"),
    (1234.5, "1234.50"), (3.0, "3.00"), (0.1, "0.10"), (7, "7.00"), (Decimal("8.8"), "8.80"),
    ("", "0.00"), (None, "0.00"), ("  ", "0.00"), ("-0", "0.00"),
    # One rounding everywhere: half up (四舍五入), not the banker's rounding Decimal defaults to.
    ("0.005", "0.01"), ("0.015", "0.02"), ("0.025", "0.03"), ("1.004", "1.00"),
    (str(MAX_AMOUNT), str(MAX_AMOUNT)),
])
def test_money_accepts(raw, expected):
    value = parse_money(raw)
    assert isinstance(value, Decimal) and str(value) == expected


@pytest.mark.parametrize("raw", ["abc", "NaN", "Infinity", "1.2.3", "5%", "12 apples", True, "--1", "万"])
def test_money_refuses_what_is_no_amount(raw):
    assert refusal(parse_money, raw) == "Enter an amount such as 500000.00."
    assert refusal(parse_money, raw, "zh-hans") == "请输入金额，如 500000.00。"


@pytest.mark.parametrize("raw", ["-1", "-0.01", "1e20", "1e400", "-1e400", "1000000000000"])
def test_money_refuses_out_of_range(raw):
    assert refusal(parse_money, raw) == "Enter a value from 0.00 to 999999999999.99."
    assert refusal(parse_money, raw, "zh-hans") == "请输入 0.00 至 999999999999.99 之间的数值。"


def test_money_bounds_blank_and_messages_are_the_callers():
    assert refusal(parse_money, "0", low=Decimal("0.01")) == "Enter a value from 0.01 to 999999999999.99."
    assert refusal(parse_money, "", blank=REQUIRED) == "Enter an amount such as 500000.00."
    assert parse_money("-5", low=None) == Decimal("-5.00")
    assert parse_money(None, blank=None) is None
    own = {"invalid": "bad", "below": "negative", "above": "too large"}
    assert [refusal(parse_money, raw, messages=own) for raw in ("x", "-1", "1e13")] == ["bad", "negative", "too large"]


# --- percent ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [("6", "6.00"), ("6%", "6.00"), ("12.345", "12.35"), (6.5, "6.50"),
                                           ("100", "100.00"), ("０.５", "0.50")])
def test_percent_accepts(raw, expected):
    assert str(parse_percent(raw)) == expected


def test_percent_refuses():
    assert refusal(parse_percent, "abc") == "Enter a number such as 12.50."
    assert refusal(parse_percent, "abc", "zh-hans") == "请输入数字，例如 12.50。"
    assert refusal(parse_percent, "") == "Enter a number such as 12.50."  # required unless a blank is given
    assert refusal(parse_percent, "120", low=Decimal("0.01")) == "Enter a value from 0.01 to 100."
    assert refusal(parse_percent, "0", low=Decimal("0.01"), language="zh-hans") == "请输入 0.01 至 100 之间的数值。"
    assert refusal(parse_percent, "1万") == "Enter a number such as 12.50."


def test_percent_has_its_own_precision():
    assert str(parse_percent("33.3333", places=4)) == "33.3333"
    assert str(parse_decimal("1.23456789", places=6)) == "1.234568"


# --- dates -----------------------------------------------------------------------------------------------------

# A spreadsheet's date cell arrives as a naive datetime.
@pytest.mark.parametrize("raw", ["2026-03-31", "2026/03/31", "2026/3/31", "2026.03.31", "2026年3月31日",
                                 dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 23, 0)])  # noqa: DTZ001
def test_date_accepts(raw):
    assert parse_date(raw) == dt.date(2026, 3, 31)


def test_date_of_an_aware_datetime_is_its_local_day():
    utc_evening = dt.datetime(2026, 3, 30, 20, 0, tzinfo=dt.UTC)  # 04:00 on the 31st in Shanghai
    assert parse_date(utc_evening) == dt.date(2026, 3, 31)


@pytest.mark.parametrize("raw", ["2026-13-45", "2026-02-30", "not-a-date", "31/03/2026"])
def test_date_refuses(raw):
    assert refusal(parse_date, raw) == "Enter a date such as 2026-03-31."
    assert refusal(parse_date, raw, "zh-hans") == "请输入日期，如 2026-03-31。"


def test_date_blank():
    assert parse_date("") is None and parse_date(None) is None
    assert refusal(parse_date, "", blank=REQUIRED) == "Enter a date such as 2026-03-31."


def test_datetime():
    shanghai = timezone.get_default_timezone()
    assert parse_datetime("2026-03-31 14:30") == dt.datetime(2026, 3, 31, 14, 30, tzinfo=shanghai)
    assert parse_datetime("2026/03/31T14:30") == dt.datetime(2026, 3, 31, 14, 30, tzinfo=shanghai)
    assert parse_datetime("2026-03-31") == dt.datetime(2026, 3, 31, 9, 0, tzinfo=shanghai)
    assert parse_datetime(dt.date(2026, 3, 31), day_time=dt.time(8)) == dt.datetime(2026, 3, 31, 8, tzinfo=shanghai)
    assert parse_datetime("") is None
    assert refusal(parse_datetime, "", blank=REQUIRED) == "Enter a date and time such as 2026-03-31 14:30."
    assert refusal(parse_datetime, "soon", "zh-hans") == "请输入日期和时间，例如 2026-03-31 14:30。"


# --- province, credit code, phone --------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [("浙江省", "浙江省"), ("浙江", "浙江省"), (" 广西 ", "广西壮族自治区"),
                                           ("内蒙古", "内蒙古自治区"), ("", ""), (None, "")])
def test_province_accepts(raw, expected):
    assert parse_province(raw) == expected


@pytest.mark.parametrize("raw", ["火星", "江", "Zhejiang"])  # "江" begins 江苏省 and 江西省: ambiguous
def test_province_refuses(raw):
    assert refusal(parse_province, raw) == "Unknown province."
    assert refusal(parse_province, raw, "zh-hans") == "未知省份。"


def test_credit_code():
    good = credit_code(42)
    assert parse_credit_code(f" {good.lower()} ") == good and parse_credit_code("") == ""
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    for raw in (bad, "12345"):
        assert refusal(parse_credit_code, raw) == (
            "Not a valid unified social credit code (check the 18 characters and the check digit).")
        assert refusal(parse_credit_code, raw, "zh-hans") == "统一社会信用代码无效（请检查 18 位字符及校验位）。"


@pytest.mark.parametrize("raw, expected", [("138 1234 5678", ("13812345678", "13812345678")),
                                           ("010-62345678", ("010-62345678", "1062345678")),
                                           (13812345678.0, ("13812345678", "13812345678")), ("", ("", ""))])
def test_phone_accepts(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "abcdefg", "19999"])
def test_phone_refuses(raw):
    assert refusal(parse_phone, raw) == "Not a valid Chinese mobile or landline number (e.g. 13812345678 or 010-62345678)."
    assert refusal(parse_phone, raw, "zh-hans") == "不是有效的中国大陆手机或固定电话号码（如 13812345678 或 010-62345678）。"


# --- choices ---------------------------------------------------------------------------------------------------

def test_choice_accepts_values_and_labels_in_every_language():
    with translation.override("zh-hans"):
        chinese = str(Industry.MANUFACTURING.label)
    with translation.override("en"):
        english = str(Industry.MANUFACTURING.label)
    for raw in ("manufacturing", "MANUFACTURING", english, english.upper(), chinese):
        assert parse_choice(raw, Industry) == Industry.MANUFACTURING
    assert parse_choice("a", Tier) == Tier.A  # a label's part before the dash, case-folded
    assert parse_choice("", Tier, blank=Tier.C) == Tier.C


def test_choice_refuses():
    assert refusal(parse_choice, "space-mining", choices=Industry) == "“space-mining” is not one of the available choices."
    assert refusal(parse_choice, "Q", "zh-hans", choices=Tier) == "“Q”不是可选项之一。"


# --- collecting errors -------------------------------------------------------------------------------------------

def test_parse_field_files_the_message_under_the_key():
    errors = {}
    assert parse_field(errors, "amount", parse_money, "abc", fallback=Decimal("0.00")) == Decimal("0.00")
    assert parse_field(errors, "province", parse_province, "浙江") == "浙江省"
    assert parse_field(errors, "phone", parse_phone, "12345", fallback=("", "")) == ("", "")
    assert errors == {"amount": ["Enter an amount such as 500000.00."],
                      "phone": ["Not a valid Chinese mobile or landline number (e.g. 13812345678 or 010-62345678)."]}


def test_text():
    assert (text(None), text(" a "), text(3.0), text(3.5), text(12)) == ("", "a", "3", "3.5", "12")


# --- API field types ---------------------------------------------------------------------------------------------

class Sample(Schema):
    amount: Money
    percent: Percent = Decimal("0")
    limit: Money | None = None


def test_schema_types_take_numbers_and_numeric_strings_and_give_decimals():
    sample = Sample(amount=1234.5, percent="6.5", limit="1.2万")
    assert (sample.amount, sample.percent, sample.limit) == (Decimal("1234.50"), Decimal("6.50"), Decimal("12000.00"))
    assert isinstance(sample.amount, Decimal) and Sample(amount="0.005").amount == Decimal("0.01")
    assert Sample(amount=1).limit is None and Sample(amount=1, limit=None).limit is None


def test_schema_types_refuse_with_the_parsers_translated_message():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        Sample(amount="abc", percent="x")
    messages = {e["loc"][0]: e["msg"] for e in caught.value.errors()}
    assert messages == {"amount": "请输入金额，如 500000.00。", "percent": "请输入数字，例如 12.50。"}


def test_openapi_documents_amounts_as_decimals(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    decimal_in = [{"type": "number"}, {"type": "string", "format": "decimal"}]
    for name, field in (("DiscountIn", "amount"), ("DiscountIn", "discount_percent"), ("OpportunityIn", "amount"),
                        ("CustomerIn", "credit_limit"), ("LeadIn", "estimated_amount")):
        assert schemas[name]["properties"][field]["anyOf"] == decimal_in, (name, field)
    patch = schemas["OpportunityPatch"]["properties"]["amount"]["anyOf"]
    assert patch[0]["anyOf"] == decimal_in and patch[1] == {"type": "null"}
    for name, field in (("DiscountOut", "amount"), ("DiscountOut", "discount_percent"), ("OpportunityOut", "amount"),
                        ("CustomerOut", "credit_limit"), ("LeadOut", "estimated_amount")):
        out = schemas[name]["properties"][field]
        assert (out["type"], out["format"], out["pattern"]) == ("string", "decimal", r"^-?\d+\.\d{2}$"), (name, field)


def test_whole_numbers_within_their_range_and_flags():
    from salesflow.core.parsers import FieldError, parse_flag, parse_int

    assert parse_int(" 42 ", low=0, high=100) == 42
    assert parse_int(3.0, low=0, high=5) == 3  # a spreadsheet's whole float
    with pytest.raises(FieldError, match="whole number"):
        parse_int("4.5", low=0, high=100)
    with pytest.raises(FieldError, match="from 0 to 100"):
        parse_int("101", low=0, high=100)
    assert parse_flag(True) and parse_flag("on") and parse_flag("YES") and parse_flag(1)
    assert not (parse_flag("") or parse_flag(None) or parse_flag("off") or parse_flag(False))
