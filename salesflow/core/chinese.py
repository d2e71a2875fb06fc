"""Chinese conventions, each through a well-kept library: credit codes (python-stdnum), phone numbers
(phonenumbers), pinyin search keys (pypinyin), amounts in capitals (cn2an)."""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal

import cn2an
import phonenumbers
from pypinyin import lazy_pinyin
from pypinyin.seg.simpleseg import seg
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


class InvalidValue(ValueError):
    pass


# Provincial-level divisions (省级行政区) by their full names, as GB/T 2260 lists them.
PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区",
    "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区", "台湾省",
]


def clean_credit_code(value: str) -> str:
    """Unified social credit code (统一社会信用代码), checksum verified; '' stays ''."""
    value = (value or "").strip().upper()
    if not value:
        return ""
    try:
        return uscc.validate(value)
    except StdnumError as exc:
        raise InvalidValue(str(exc)) from None


# A credit code's shape (18 characters of its alphabet, which has no I, O, S, V or Z), without the check digit:
# a search box takes such a query for a code and matches it exactly; clean_credit_code validates one being saved.
_CREDIT_CODE_SHAPE = re.compile(r"[0-9A-HJ-NP-RTUWXY]{18}", re.IGNORECASE)


def looks_like_credit_code(value: str) -> bool:
    """Whether a search query is shaped like a unified social credit code (the check digit is not verified)."""
    return bool(_CREDIT_CODE_SHAPE.fullmatch(value or ""))


_PHONE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


_MOBILE_RE = re.compile(r"^(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})$")


@functools.cache
def _cn_mobile_pattern() -> re.Pattern:
    """phonenumbers' own pattern of valid Chinese mobile numbers (its metadata, compiled once): the full parser
    costs ~80 µs a call, too slow for a file of 100,000 numbers."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    return re.compile(metadata.mobile.national_number_pattern)


def clean_phone(value: str) -> tuple[str, str]:
    """A Chinese mobile or landline number → (display form, national digits). Raises InvalidValue."""
    value = (value or "").strip()
    if not value:
        return "", ""
    mobile = _MOBILE_RE.match(value)
    if mobile:
        digits = "".join(mobile.groups())
        if _cn_mobile_pattern().fullmatch(digits):
            return digits, digits
        raise InvalidValue(value)
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidValue(value) from None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _PHONE_TYPES:
        raise InvalidValue(value)
    digits = str(number.national_number)
    if number.country_code == 86:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        display = national.replace(" ", "") if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE \
            else national.replace(" ", "-", 1).replace(" ", "")
    else:
        display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return display, digits


def mask_phone(value: str) -> str:
    """138****5678: the first three and last four digits stay, the rest are hidden."""
    if not value:
        return ""
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    if len(digits) <= 7:
        return "*" * len(value)
    # A landline keeps its area code (0531-****1986); a mobile its first three digits (138****5678).
    keep = value.index("-") if "-" in value[:5] else 3
    hidden = {i for i in digits[:-4] if i >= keep}
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def phone_search_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    return digits.lstrip("0")


@functools.lru_cache(maxsize=100_000)
def _segment_pinyin(segment: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(segment, errors=lambda s: list(s)))


def pinyin_keys(name: str) -> tuple[str, str]:
    """张三科技 → ('zskj', 'zhangsankeji'); non-Chinese characters are kept, lower-cased.

    pypinyin's own word segmentation, then each word's reading cached: company names repeat their words
    (cities, 科技, 有限公司…), so a 100,000-row import converts ~7× faster with the same readings
    (重庆银行 → chongqing yinhang)."""
    syllables = [p for segment in seg(name or "") for p in _segment_pinyin(segment)]
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum()).lower()
    full = "".join(s for s in syllables if s.isalnum()).lower()
    return initials[:200], full[:400]


_COMPANY_NOISE = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|股份公司|集团|公司|分公司|有限|责任|\(.*?\)|（.*?）)"
)


def name_key(name: str) -> str:
    """A normalised company name for duplicate detection: width-folded, no punctuation or legal-form words."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _COMPANY_NOISE.sub("", text)
    return "".join(ch for ch in text if ch.isalnum())[:200]


def amount_in_words(amount: Decimal) -> str:
    """金额大写, e.g. 1234.5 → 壹仟贰佰叁拾肆元伍角."""
    return cn2an.an2cn(str(amount), "rmb")
