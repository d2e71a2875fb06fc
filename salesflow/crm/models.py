from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesflow.core.statemachine import StateMachine
from salesflow.org.guards import Guarded, Permit
from salesflow.org.models import OrgUnit
from salesflow.org.roles import Role
from salesflow.org.scope import ScopedQuerySet

from .choices import (
    PROVINCE_CHOICES,
    CompanySize,
    CustomerKind,
    CustomerStatus,
    Industry,
    PurchaseTimeline,
    SourceChannel,
    Tier,
    ValueType,
)

CUSTOMER_FLOW = StateMachine(
    CustomerStatus,
    {
        CustomerStatus.ACTIVE: {"archive": CustomerStatus.ARCHIVED},
        CustomerStatus.ARCHIVED: {"restore": CustomerStatus.ACTIVE},
    },
)


class CustomerGroup(models.Model):
    """A managed list (客户分组) that price policies and reports group customers by."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CustomerQuerySet(ScopedQuerySet):
    """The data scope: a rep their own customers, a unit head their subtree, leadership all; and (R15) the
    customer-service supervisor a customer's file was handed to after the deal. (The public pool reads customers
    with its own reach: ``salesflow.pool.scope``.)"""

    def extra_scope(self, user, scope):
        return Q(service_owner_id=scope.user_id) if user.holds(Role.SERVICE) else None


class Customer(Guarded, models.Model):
    # Whoever may edit customers (and sees this one) edits, archives and restores it; the full phone numbers are
    # for the owner and those above them.
    flow = CUSTOMER_FLOW
    permits = {
        "edit": Permit("customer.edit"),
        "archive": Permit("customer.edit"),
        "restore": Permit("customer.edit"),
        "reassign": Permit("customer.reassign"),
        # R15: the customer-service supervisor who serves the customer after the deal reaches it too.
        "reveal_phones": Permit(who="above_or_service_owner",
                                refusal=_("Only the owner, those above them and the customer's service supervisor "
                                          "may see the full phone numbers.")),
    }

    kind = models.CharField(_("type"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.COMPANY)
    name = models.CharField(_("name"), max_length=200)
    # Search keys derived from the name by the service layer (pypinyin), indexed for prefix search.
    name_initials = models.CharField(_("pinyin initials"), max_length=200, editable=False, default="")
    name_pinyin = models.CharField(_("pinyin"), max_length=400, editable=False, default="")
    name_key = models.CharField(_("normalised name"), max_length=200, editable=False, default="")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    province = models.CharField(_("province"), max_length=16, choices=PROVINCE_CHOICES, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    region = models.ForeignKey(
        OrgUnit, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"kind": "region"},
    )
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    source = models.CharField(_("source channel"), max_length=32, choices=SourceChannel.choices, blank=True)
    group = models.ForeignKey(
        CustomerGroup, verbose_name=_("customer group"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="customers",
    )
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices, blank=True)
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, default=Tier.C)
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    company_size = models.CharField(_("company size"), max_length=16, choices=CompanySize.choices, blank=True)
    shop_url = models.URLField(_("online shop"), blank=True)
    collected_on = models.DateField(_("date collected"), null=True, blank=True)
    referred_by = models.ForeignKey(
        "self", verbose_name=_("referred by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    notes = models.TextField(_("notes"), blank=True)
    # No owner = the customer waits in the public pool (公海) of ``unit`` (see salesflow.pool).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="customers",
    )
    # The owner's unit when the customer was assigned; the data scope filters on it (kept by the services).
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Follow-up (R17: the customer information table is updated after each visit) and the public pool (公海):
    # a customer without follow-up for N days, or without a deal for M days, goes back to the pool.
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    next_followup_on = models.DateField(_("next follow-up"), null=True, blank=True)
    last_deal_at = models.DateTimeField(_("last deal"), null=True, blank=True)
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True)
    pool_warned_at = models.DateTimeField(_("pool warning sent"), null=True, blank=True)
    released_at = models.DateTimeField(_("returned to the pool"), null=True, blank=True)
    # R15: after the deal the file passes to the customer-service supervisor.
    service_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer-service supervisor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    service_since = models.DateTimeField(_("handed to customer service"), null=True, blank=True)
    # R17 (002 流程1 step 4): the target-customer information sheet (《目标客户基本信息情况统计表》), filled in after
    # each visit from the visit form (crm.services.customer_update_sheet); company_size above belongs to it too.
    needs = models.TextField(_("needs"), blank=True)
    decision_makers = models.TextField(_("decision makers and contacts"), blank=True)
    purchase_timeline = models.CharField(_("purchasing timeline"), max_length=16, choices=PurchaseTimeline.choices,
                                         blank=True)
    competitors = models.TextField(_("competitors"), blank=True)
    sheet_updated_at = models.DateTimeField(_("sheet updated"), null=True, blank=True)
    sheet_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sheet updated by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="crm_customer_credit_code_unique"
            ),
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="crm_customer_credit_limit_gte_0"),
            models.CheckConstraint(condition=Q(status__in=CustomerStatus.values), name="crm_customer_status_valid"),
            models.CheckConstraint(condition=Q(purchase_timeline__in=["", *PurchaseTimeline.values]),
                                   name="crm_customer_purchase_timeline_valid"),
        ]
        indexes = [
            models.Index(fields=["owner", "-id"], name="crm_cust_owner_idx"),
            models.Index(fields=["unit", "-id"], name="crm_cust_unit_idx"),
            models.Index(fields=["region", "-id"], name="crm_cust_region_idx"),
            models.Index(fields=["tier", "-id"], name="crm_cust_tier_idx"),
            models.Index(fields=["group", "-id"], name="crm_cust_group_idx"),
            models.Index(fields=["name"], name="crm_cust_name_idx"),
            # Search keys: plain b-tree indexes, read with range (prefix) queries on both databases.
            models.Index(fields=["name_initials"], name="crm_cust_initials_idx"),
            models.Index(fields=["name_pinyin"], name="crm_cust_pinyin_idx"),
            models.Index(fields=["name_key"], name="crm_cust_namekey_idx"),
            models.Index(fields=["status", "-id"], name="crm_cust_status_idx"),
            # The public pool: unowned customers per unit, newest return first.
            models.Index(fields=["unit", "-released_at"], condition=Q(owner__isnull=True), name="crm_cust_pool_idx"),
        ]

    def __str__(self):
        return self.name

    def is_above_or_service_owner(self, user) -> bool:
        """The owner, those above them, or (R15) the customer-service supervisor serving the customer."""
        return self.is_above(user) or (
            user is not None and user.pk is not None and user.pk == self.service_owner_id and user.holds(Role.SERVICE))

    # The list selector prefetches the primary contact into ``primary_contacts``.
    @property
    def primary(self):
        cached = getattr(self, "primary_contacts", None)
        if cached is not None:
            return cached[0] if cached else None
        return self.contacts.filter(is_primary=True).first()

    @property
    def primary_contact(self) -> str:
        return self.primary.name if self.primary else ""

    @property
    def primary_phone(self) -> str:
        return self.primary.phone if self.primary else ""


class Contact(models.Model):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=64)
    position = models.CharField(_("position"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # National significant number, digits only, for search by phone.
    phone_digits = models.CharField(_("phone digits"), max_length=20, blank=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(is_primary=True), name="crm_contact_one_primary"),
        ]
        indexes = [models.Index(fields=["phone_digits"], name="crm_contact_phone_idx")]

    def __str__(self):
        return self.name
