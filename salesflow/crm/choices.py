from django.db import models
from django.utils.translation import gettext_lazy as _

from salesflow.core.chinese import PROVINCES


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Individual")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # a live customer file, worked by its owner
    ARCHIVED = "archived", _("Archived")  # kept for history; hidden from the default list


class ValueType(models.TextChoices):
    # 002 第2讲: which value the customer buys, matched by a selling model.
    INTRINSIC = "intrinsic", _("Intrinsic value (price and convenience)")
    EXTRINSIC = "extrinsic", _("Extrinsic value (solutions and advice)")
    STRATEGIC = "strategic", _("Strategic value (partnership)")


class Tier(models.TextChoices):
    # R25: customers are tiered by needs, history and value, and served accordingly.
    A = "A", _("A — key account")
    B = "B", _("B — important")
    C = "C", _("C — regular")
    D = "D", _("D — occasional")


class SourceChannel(models.TextChoices):
    MARKET_RESEARCH = "market_research", _("Market research")
    ONLINE = "online", _("Online promotion")
    REFERRAL = "referral", _("Referral")
    EXHIBITION = "exhibition", _("Exhibition")
    PHONE_IN = "phone_in", _("Phone-in")
    ECOMMERCE = "ecommerce", _("E-commerce")
    PARTNER = "partner", _("Partner / distributor")
    VISIT = "visit", _("Walk-in visit")
    OTHER = "other", _("Other")


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    ENERGY = "energy", _("Energy and utilities")
    TRADE = "trade", _("Wholesale and retail")
    IT = "it", _("Information technology")
    TRANSPORT = "transport", _("Transport and logistics")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    FINANCE = "finance", _("Finance")
    GOVERNMENT = "government", _("Government and public institutions")
    AGRICULTURE = "agriculture", _("Agriculture")
    OTHER = "other", _("Other")


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Under 20 staff")
    SMALL = "small", _("20–99 staff")
    MEDIUM = "medium", _("100–999 staff")
    LARGE = "large", _("1,000 staff or more")


class PurchaseTimeline(models.TextChoices):
    """When the customer means to buy (the target-customer sheet, R17)."""

    MONTH = "month", _("Within a month")
    QUARTER = "quarter", _("Within three months")
    HALF_YEAR = "half_year", _("Within six months")
    YEAR = "year", _("Within a year")
    UNDECIDED = "undecided", _("No purchase planned yet")


PROVINCE_CHOICES = [(p, p) for p in PROVINCES]
