from django.db import models
from django.utils.translation import gettext_lazy as _


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


PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区",
    "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区", "台湾省",
]
PROVINCE_CHOICES = [(p, p) for p in PROVINCES]
