from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesflow.org.guards import Guarded, Permit
from salesflow.org.scope import ScopedQuerySet

from .discounts.models import (  # noqa: F401 — the discount request's models, registered with this app
    DISCOUNT_FLOW,
    DiscountRequest,
    DiscountRequestQuerySet,
    DiscountStatus,
)
from .pipeline import OPEN_STAGES, PIPELINE_FLOW, SellingModel, Stage


class LostReason(models.Model):
    """A managed list: why deals are lost (price, product fit, timing, competitor…)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Competitor(models.Model):
    """Competitors met on deals, as records rather than free text (seed 004 竞争对手识别)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OpportunityQuerySet(ScopedQuerySet):
    """The customers' data scope on the owner and the owner's unit: own, unit subtree, or all; and (issue #15)
    the closed deals of the customers in the user's scope — a customer's new owner reads the deals its previous
    owner won or lost, which keep their historical owner (open ones follow the customer:
    ``services.opportunities_follow_customer``)."""

    def extra_scope(self, user, scope):
        from salesflow.org.roles import Scope

        from .pipeline import CLOSED_STAGES

        customers = Q(customer__owner_id=scope.user_id)
        if scope.kind == Scope.UNIT:
            customers |= Q(customer__unit_id__in=scope.unit_ids)
        return Q(stage__in=CLOSED_STAGES) & customers


class Opportunity(Guarded, models.Model):
    """商机: one possible deal with a customer, moving through seed 004's five stages to won or lost."""

    # Whoever may edit customers (and sees the deal) moves it along the pipeline, forward or back.
    flow = PIPELINE_FLOW
    flow_field = "stage"
    permits = {
        "edit": Permit("customer.edit"),
        **{f"to_{stage}": Permit("customer.edit") for stage in OPEN_STAGES},
        "win": Permit("customer.edit"),
        "lose": Permit("customer.edit"),
        "reopen": Permit("customer.edit"),
    }

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey("crm.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="opportunities")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="opportunities")
    # The owner's unit, kept by the services (the data scope filters on it), like customers.
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    region = models.ForeignKey("org.OrgUnit", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.CONTACT)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0.00"),
                                 validators=[MinValueValidator(Decimal("0"))])
    probability = models.PositiveSmallIntegerField(_("probability %"), default=10,
                                                   validators=[MaxValueValidator(100)])
    expected_close = models.DateField(_("expected close date"), null=True, blank=True)
    value_type = models.CharField(_("value type"), max_length=16, blank=True)
    selling_model = models.CharField(_("selling model"), max_length=16, choices=SellingModel.choices, blank=True)
    products = models.TextField(_("products of interest"), blank=True)
    competitors = models.ManyToManyField(Competitor, verbose_name=_("competitors"), blank=True,
                                         related_name="opportunities")
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)  # {"key_needs": true, …}
    lost_reason = models.ForeignKey(LostReason, verbose_name=_("lost reason"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    won_by = models.ForeignKey(Competitor, verbose_name=_("lost to"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    source_lead_id = models.BigIntegerField(_("from lead"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"), null=True, blank=True)
    # The furthest stage the deal ever entered (pipeline.FUNNEL_RANK), kept by the services on every move: the
    # funnel's "reached" figures group on it instead of scanning the stage history of every deal.
    furthest_rank = models.PositiveSmallIntegerField(_("furthest stage reached"), default=1, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deals_opp_amount_gte_0"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="deals_opp_probability_lte_100"),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="deals_opp_stage_valid"),
            models.CheckConstraint(condition=~Q(stage="lost") | Q(lost_reason__isnull=False),
                                   name="deals_opp_lost_has_reason"),
        ]
        indexes = [
            models.Index(fields=["owner", "stage", "-id"], name="deals_opp_owner_stage_idx"),
            models.Index(fields=["unit", "stage", "-id"], name="deals_opp_unit_stage_idx"),
            models.Index(fields=["region", "closed_at"], name="deals_opp_region_closed_idx"),
            models.Index(fields=["stage", "expected_close"], name="deals_opp_stage_close_idx"),
            models.Index(fields=["customer", "-id"], name="deals_opp_customer_idx"),
            # The funnel's period filter: opportunities first contacted in a quarter (a cohort).
            models.Index(fields=["first_contact_at"], name="deals_opp_first_contact_idx"),
            models.Index(fields=["region", "first_contact_at"], name="deals_opp_region_contact_idx"),
            models.Index(fields=["unit", "first_contact_at"], name="deals_opp_unit_contact_idx"),
        ]

    def __str__(self):
        return self.name


class OpportunityStageChange(models.Model):
    """Every stage move, for the time-in-stage and conversion figures of the funnel."""

    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL,
                           related_name="+")
    # Time spent in from_stage, in seconds (0 for the first entry).
    seconds_in_stage = models.BigIntegerField(_("seconds in the previous stage"), default=0)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity", "at", "id"]
        indexes = [
            models.Index(fields=["to_stage", "at"], name="deals_stagechange_to_at_idx"),
            # The funnel's time in stage reads these three columns for a cohort's deals: from the index alone.
            models.Index(fields=["opportunity", "from_stage", "seconds_in_stage"], name="deals_stagechange_stay_idx"),
        ]

    def __str__(self):
        return f"{self.opportunity_id}: {self.from_stage} → {self.to_stage}"
