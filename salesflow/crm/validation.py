"""One validator for a customer's fields, shared by the pages, the API and the importer.

It works on plain values and prepared look-up tables, so an import of 100,000 rows validates without a query
per row; every message is translated and keyed by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from salesflow.core.chinese import InvalidValue, clean_credit_code, clean_phone
from salesflow.org.models import OrgUnit, UnitKind

from .choices import PROVINCES, CompanySize, CustomerKind, Industry, SourceChannel, Tier, ValueType
from .models import CustomerGroup

TEXT_LIMITS = {"name": 200, "city": 32, "address": 255, "notes": 4000}
CHOICE_FIELDS = {
    "kind": CustomerKind, "industry": Industry, "source": SourceChannel, "value_type": ValueType,
    "tier": Tier, "company_size": CompanySize,
}
MAX_CREDIT_LIMIT = Decimal("999999999999.99")


def _choice_lookup(choices) -> dict[str, str]:
    """Accept the stored value, the translated label and the Chinese label (for Excel files)."""
    from django.utils import translation

    table = {}
    for value, label in choices.choices:
        table[str(value).lower()] = value
        table[str(label).lower()] = value
        with translation.override("zh-hans"):
            table[str(label).lower()] = value
            # Labels such as "A — key account": the part before the dash is accepted too.
            table[str(label).split("—")[0].strip().lower()] = value
    return table


@dataclass
class Lookups:
    groups: dict[str, CustomerGroup] = field(default_factory=dict)
    regions: dict[str, OrgUnit] = field(default_factory=dict)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        groups, regions = {}, {}
        for g in CustomerGroup.objects.all():
            groups[str(g.pk)] = groups[g.name.lower()] = g
        for r in OrgUnit.objects.filter(kind=UnitKind.REGION):
            regions[str(r.pk)] = regions[r.name.lower()] = regions[r.code.lower()] = r
        return cls(groups, regions, {name: _choice_lookup(c) for name, c in CHOICE_FIELDS.items()})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def clean_customer(data: dict, lookups: Lookups, *, partial: bool = False) -> tuple[dict, dict]:
    """Return (cleaned values, errors by field). With ``partial`` only the keys present are checked."""
    cleaned, errors = {}, {}

    def present(key):
        return (not partial) or key in data

    if present("name"):
        name = _text(data.get("name"))
        if not name:
            errors["name"] = [_("This field is required.")]
        cleaned["name"] = name
    for key in TEXT_LIMITS:
        if key in cleaned or not present(key):
            continue
        cleaned[key] = _text(data.get(key))
    for key, limit in TEXT_LIMITS.items():
        if len(cleaned.get(key, "")) > limit:
            errors[key] = [_("At most {n} characters.").format(n=limit)]
    for key, table in lookups.choices.items():
        if not present(key):
            continue
        raw = _text(data.get(key))
        if not raw:
            if key == "kind":
                cleaned[key] = CustomerKind.COMPANY
            elif key == "tier":
                cleaned[key] = Tier.C
            else:
                cleaned[key] = ""
            continue
        value = table.get(raw.lower())
        if value is None:
            errors[key] = [_("“{value}” is not one of the available choices.").format(value=raw)]
        cleaned[key] = value or ""
    if present("credit_code"):
        try:
            cleaned["credit_code"] = clean_credit_code(_text(data.get("credit_code")))
        except InvalidValue:
            errors["credit_code"] = [_("Not a valid unified social credit code (check the 18 characters and the check digit).")]
    if present("province"):
        province = _text(data.get("province"))
        if province and province not in PROVINCES:
            matches = [p for p in PROVINCES if p.startswith(province)]
            if len(matches) == 1:
                province = matches[0]
            else:
                errors["province"] = [_("Unknown province.")]
        cleaned["province"] = province
    if present("region"):
        raw = _text(data.get("region"))
        region = lookups.regions.get(raw.lower()) if raw else None
        if raw and region is None:
            errors["region"] = [_("Unknown region.")]
        cleaned["region"] = region
    if present("group"):
        raw = _text(data.get("group"))
        group = lookups.groups.get(raw.lower()) if raw else None
        if raw and group is None:
            errors["group"] = [_("Unknown customer group.")]
        cleaned["group"] = group
    if present("credit_limit"):
        raw = _text(data.get("credit_limit")).replace(",", "").replace("¥", "").replace("￥", "")
        try:
            amount = Decimal(raw or "0").quantize(Decimal("0.01"))
            if not amount.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["credit_limit"] = [_("Enter an amount such as 500000.00.")]
            amount = Decimal("0.00")
        else:
            if amount < 0:
                errors["credit_limit"] = [_("The credit limit cannot be negative.")]
            elif amount > MAX_CREDIT_LIMIT:
                errors["credit_limit"] = [_("The credit limit is too large.")]
        cleaned["credit_limit"] = amount
    if present("shop_url"):
        url = _text(data.get("shop_url"))
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except DjangoValidationError:
                errors["shop_url"] = [_("Enter a web address starting with http:// or https://.")]
        cleaned["shop_url"] = url
    if present("collected_on"):
        raw = data.get("collected_on")
        if hasattr(raw, "isoformat"):
            cleaned["collected_on"] = raw if not hasattr(raw, "date") else raw.date()
        else:
            text = _text(raw)
            try:
                parsed = parse_date(text.replace("/", "-")) if text else None
            except ValueError:
                parsed = None
            if text and parsed is None:
                errors["collected_on"] = [_("Enter a date such as 2026-03-31.")]
            cleaned["collected_on"] = parsed
    return cleaned, errors


def clean_contact(data: dict) -> tuple[dict, dict]:
    cleaned, errors = {}, {}
    cleaned["name"] = _text(data.get("name"))[:64]
    if not cleaned["name"]:
        errors["name"] = [_("The contact's name is required.")]
    cleaned["position"] = _text(data.get("position"))[:64]
    cleaned["email"] = _text(data.get("email"))[:254]
    if cleaned["email"]:
        from django.core.validators import validate_email

        try:
            validate_email(cleaned["email"])
        except DjangoValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    try:
        cleaned["phone"], cleaned["phone_digits"] = clean_phone(_text(data.get("phone")))
    except InvalidValue:
        errors["phone"] = [_("Not a valid Chinese mobile or landline number (e.g. 13812345678 or 010-62345678).")]
    cleaned["is_primary"] = bool(data.get("is_primary"))
    return cleaned, errors
