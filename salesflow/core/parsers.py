"""One parser per kind of field value: money, percent, date (and date-time), province, credit code, phone, choice.

Each takes what a form, a JSON body or a spreadsheet cell holds (text, a number, a date) and returns the clean
value or raises ``FieldError`` with a translated message for the field; ``parse_field`` files that message under
the field's key. The pages, the API (through the schema types at the end) and the importers read values through
these, so "1.2万", "¥1,200.50" or "浙江" mean the same wherever they are typed.

Amounts are ``Decimal`` yuan (CNY) with two places, rounded half up (四舍五入): the precision of every amount
column (``max_digits=14, decimal_places=2``). Percentages keep their own declared precision (``PERCENT_PLACES``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from django.conf import settings
from django.utils import dateparse, timezone, translation
from django.utils.translation import gettext_lazy as _
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from .chinese import PROVINCES, InvalidValue, clean_credit_code, clean_phone

T = TypeVar("T")

MONEY_PLACES = 2
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
PERCENT_PLACES = 2  # discount % is DecimalField(max_digits=5, decimal_places=2)
HUNDRED = Decimal("100")

MONEY_MESSAGES = {
    "invalid": _("Enter an amount such as 500000.00."),
    "below": _("Enter a value from {low} to {high}."),
    "above": _("Enter a value from {low} to {high}."),
}
PERCENT_MESSAGES = {**MONEY_MESSAGES, "invalid": _("Enter a number such as 12.50.")}
DATE_MESSAGE = _("Enter a date such as 2026-03-31.")
DATETIME_MESSAGE = _("Enter a date and time such as 2026-03-31 14:30.")


class FieldError(ValueError):
    """A value a parser refuses, with the translated message to show under its field."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()  # ``blank=REQUIRED``: an empty value is refused like a malformed one


def parse_field(errors: dict, key: str, parse: Callable[..., T], value, *, fallback=None, **options) -> T:
    """``parse(value, **options)``; on a refusal the message is filed as ``errors[key]`` and ``fallback`` returned."""
    try:
        return parse(value, **options)
    except FieldError as exc:
        errors[key] = [exc.message]
        return fallback


# Characters no stored text may hold: C0 controls (\t \n \r only where a field is multi-line), DEL, and lone
# surrogates. NUL is refused by PostgreSQL (a 500), a lone surrogate cannot be encoded as UTF-8 (a 500 on either
# database), and the rest make the .xlsx export fail for everyone who exports the list.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_BAD_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
TEXT_MESSAGE = _("Remove the control characters or invalid characters from this text (they may come from a copied "
                 "document).")


def has_bad_text(value: str, *, multiline: bool = True) -> bool:
    """True when ``value`` holds a character no text field may store (see ``_BAD_TEXT``)."""
    return (_BAD_TEXT if multiline else _BAD_LINE).search(value) is not None


def check_text(value: str, *, multiline: bool = True) -> str:
    """``value`` unchanged, or ``FieldError`` when it holds a control character, NUL or a lone surrogate: the
    check every form field and API body value goes through at the door (core.forms, salesflow.api)."""
    if has_bad_text(value, multiline=multiline):
        raise FieldError(TEXT_MESSAGE)
    return value


def scrub_text(value: str) -> str:
    """``value`` with the characters ``check_text`` refuses made harmless: controls become a space, NUL and lone
    surrogates disappear. For text that reaches the system without a person to tell (spreadsheet cells) and for
    text already stored (exports)."""
    if not has_bad_text(value):
        return value
    return _BAD_TEXT.sub(lambda m: "" if m.group() == "\x00" or m.group() >= "\ud800" else " ", value)


def text(value) -> str:
    """A form value or a cell as stripped text; a spreadsheet's whole float (3.0) reads as "3". Characters no
    field may store are scrubbed (``scrub_text``): the pages and the API refused them already, a sheet's cell
    cannot be asked again."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return scrub_text(str(value)).strip()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _when_blank(blank, message):
    if blank is REQUIRED:
        raise FieldError(message)
    return blank


# --- numbers --------------------------------------------------------------------------------------------------

# After NFKC (full-width digits, ￥ and ， fold to ASCII): digit grouping, spaces and the yuan sign are noise.
_NOISE = re.compile(r"[\s,¥]")
_NUMBER = r"(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)"
_MONEY = re.compile(rf"^(?:rmb|cny)?{_NUMBER}(?P<unit>万|亿)?(?:元|rmb|cny)?$", re.IGNORECASE)
_PERCENT = re.compile(rf"^{_NUMBER}%?$", re.IGNORECASE)
_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}


def _number(value, pattern: re.Pattern) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # 0.1 → Decimal("0.1"), not the binary fraction
    match = pattern.match(_NOISE.sub("", unicodedata.normalize("NFKC", str(value))))
    if match is None:
        raise InvalidOperation
    number = Decimal(match["number"])
    unit = match.groupdict().get("unit")
    return number * _UNITS[unit] if unit else number


def parse_int(value, *, low: int, high: int) -> int:
    """A whole number within [low, high] (priorities, points, caps, hours)."""
    try:
        number = int(text(value))
    except ValueError:
        raise FieldError(_("Enter a whole number.")) from None
    if number < low or number > high:
        raise FieldError(_("Enter a whole number from {low} to {high}.").format(low=low, high=high))
    return number


def parse_flag(value) -> bool:
    """A checkbox or a yes/no cell: true for True, 1, true, on, yes (any case); false for anything else."""
    return value is True or text(value).lower() in ("1", "true", "on", "yes")


def parse_decimal(value, *, places: int, low: Decimal | None = None, high: Decimal | None = None,
                  blank: Any = REQUIRED, messages: dict | None = None, pattern: re.Pattern = _PERCENT) -> Decimal:
    """A finite decimal rounded half up to ``places``, within ``low``..``high`` when given. ``messages``: the
    "invalid", "below" and "above" texts ({low} and {high} are filled in)."""
    texts = {**PERCENT_MESSAGES, **(messages or {})}
    if _blank(value):
        return _when_blank(blank, texts["invalid"])
    try:
        number = _number(value, pattern)
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise FieldError(texts["invalid"]) from None
    try:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a Decimal holds: beyond any bound
        bound = high if number > 0 else low
        if bound is None:
            raise FieldError(texts["invalid"]) from None
        number = bound + (1 if number > 0 else -1)
    if not number:
        number = abs(number)  # no "-0.00"
    if low is not None and number < low:
        raise FieldError(str(texts["below"]).format(low=low, high=high))
    if high is not None and number > high:
        raise FieldError(str(texts["above"]).format(low=low, high=high))
    return number


def parse_money(value, *, low: Decimal | None = ZERO, high: Decimal | None = MAX_AMOUNT, blank: Any = ZERO,
                messages: dict | None = None) -> Decimal:
    """An amount in yuan: 500000, "500,000.00", "¥1,200.5", "１２００", "1.2万", "2亿元" → Decimal with two
    places, rounded half up; empty → ``blank`` (0.00 unless the field is ``REQUIRED``)."""
    return parse_decimal(value, places=MONEY_PLACES, low=low, high=high, blank=blank,
                         messages={**MONEY_MESSAGES, **(messages or {})}, pattern=_MONEY)


def round_money(value: Decimal) -> Decimal:
    """A computed amount (a discount, a share) to the cent, half up: the same rounding as a typed one."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_percent(value, *, low: Decimal | None = ZERO, high: Decimal | None = HUNDRED, blank: Any = REQUIRED,
                  places: int = PERCENT_PLACES, messages: dict | None = None) -> Decimal:
    """A percentage as its number (6 or "6%" → 6.00), rounded half up to ``places``."""
    return parse_decimal(value, places=places, low=low, high=high, blank=blank,
                         messages={**PERCENT_MESSAGES, **(messages or {})}, pattern=_PERCENT)


# --- dates ----------------------------------------------------------------------------------------------------

_DATE_SEPARATORS = str.maketrans({"/": "-", ".": "-", "年": "-", "月": "-", "日": None})


def parse_date(value, *, blank: Any = None, message=DATE_MESSAGE) -> dt.date | None:
    """2026-03-31, 2026/3/31, 2026.03.31, 2026年3月31日, a date, or a date-time (its local day)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        return _when_blank(blank, message)
    try:
        parsed = dateparse.parse_date(raw.translate(_DATE_SEPARATORS))
    except ValueError:  # well formed, but no such day (2026-02-30)
        parsed = None
    if parsed is None:
        raise FieldError(message)
    return parsed


def parse_datetime(value, *, blank: Any = None, day_time: dt.time = dt.time(9, 0),
                   message=DATETIME_MESSAGE) -> dt.datetime | None:
    """An aware date-time: "2026-03-31 14:30" (in the site's time zone unless it says otherwise), a date-time, or
    a bare date at ``day_time``."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, day_time)
    else:
        raw = text(value)
        if not raw:
            return _when_blank(blank, message)
        try:
            day = parse_date(raw)
        except FieldError:  # not a bare date: a date and a time
            try:
                parsed = dateparse.parse_datetime(raw.replace("/", "-").replace("T", " "))
            except ValueError:
                parsed = None
            if parsed is None:
                raise FieldError(message) from None
        else:
            parsed = dt.datetime.combine(day, day_time)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


# --- Chinese identifiers --------------------------------------------------------------------------------------

_PROVINCE_SET = frozenset(PROVINCES)


def parse_province(value) -> str:
    """A province by its full name or a prefix only it has ("浙江" → "浙江省", "广西" → "广西壮族自治区")."""
    name = text(value)
    if not name or name in _PROVINCE_SET:
        return name
    matches = [p for p in PROVINCES if p.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    raise FieldError(_("Unknown province."))


def parse_credit_code(value) -> str:
    """A unified social credit code (统一社会信用代码), upper-cased, check digit verified; empty stays empty."""
    try:
        return clean_credit_code(text(value))
    except InvalidValue:
        raise FieldError(_("Not a valid unified social credit code (check the 18 characters and the check digit)."))\
            from None


def parse_phone(value) -> tuple[str, str]:
    """A Chinese mobile or landline number → (display form, national digits); empty → ("", "")."""
    try:
        return clean_phone(text(value))
    except InvalidValue:
        raise FieldError(_("Not a valid Chinese mobile or landline number (e.g. 13812345678 or 010-62345678)."))\
            from None


# --- choices --------------------------------------------------------------------------------------------------

@functools.cache
def _choice_table(choices) -> dict[str, str]:
    """Every spelling of every choice, once per choices class: the stored value and the label in each of the site's
    languages (a spreadsheet is typed in Chinese, an integration may send English), case-folded; for labels such as
    "A — key account", the part before the dash as well."""
    table: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                label = str(label).strip().lower()
                table[label] = value
                head = label.split("—")[0].strip()
                if head:
                    table[head] = value
    for value in choices.values:  # a stored value always means itself
        table[str(value).lower()] = value
        table[str(value)] = value
    return table


def parse_choice(value, choices, *, blank: Any = "") -> str:
    """One of ``choices`` (a Django ``Choices`` class) by its value or its label; empty → ``blank``."""
    raw = text(value)
    if not raw:
        return blank
    table = _choice_table(choices)
    found = table.get(raw)
    if found is None:
        found = table.get(raw.lower())
    if found is None:
        raise FieldError(_("“{value}” is not one of the available choices.").format(value=raw))
    return found


# --- the same parsers as API field types ----------------------------------------------------------------------

def _api(parse: Callable, **options) -> BeforeValidator:
    """A pydantic validator that reads the value with ``parse``: a refusal becomes a 400 ``validation_error``
    whose message under the field is the parser's translated one (bounds are the service's to check)."""

    def validate(value):
        try:
            return parse(value, **options)
        except FieldError as exc:
            raise PydanticCustomError("invalid_value", exc.message) from None  # no context: not formatted again

    return BeforeValidator(validate)


def _decimal_schema(places: int, example: str, description: str) -> tuple[WithJsonSchema, WithJsonSchema]:
    decimal = {"type": "string", "format": "decimal"}
    return (
        WithJsonSchema({"anyOf": [{"type": "number"}, decimal], "examples": [example], "description": description},
                       mode="validation"),
        WithJsonSchema({**decimal, "pattern": rf"^-?\d+\.\d{{{places}}}$", "examples": [example],
                        "description": description}, mode="serialization"),
    )


# In: a JSON number or a numeric string; out: a decimal string with the declared places ("120000.50"), so no
# binary float ever carries an amount.
Money = Annotated[Decimal, _api(parse_money, low=None, high=None), *_decimal_schema(
    MONEY_PLACES, "120000.50", "Yuan (CNY), two decimal places, rounded half up.")]
Percent = Annotated[Decimal, _api(parse_percent, low=None, high=None, blank=ZERO), *_decimal_schema(
    PERCENT_PLACES, "6.50", "Percent (6.50 = 6.5 %), two decimal places, rounded half up.")]
