"""Leads (销售线索, seed 001 §3.1): where they came from, how they score, who works them, and their public pool (公海;
the pool's policy and visibility rule are the pool app's, ``salesflow.pool``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesflow.core.statemachine import StateMachine
from salesflow.crm.choices import PROVINCE_CHOICES, Industry, SourceChannel
from salesflow.org.guards import Guarded, Permit
from salesflow.org.scope import ScopedQuerySet
from salesflow.pool.scope import pool_reach_q


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")  # just captured, nobody owns it yet: waits in its unit's pool
    ASSIGNED = "assigned", _("Assigned")  # has an owner who must contact it within the working-time limit
    CONTACTED = "contacted", _("Contacted")  # the owner reached the contact; screening comes next
    QUALIFIED = "qualified", _("Qualified")  # screened at or above the threshold: may be converted
    PARKED = "parked", _("Parked")  # screened below the threshold: kept, not deleted, can be rescreened
    RETURNED = "returned", _("Returned to the pool")  # released or overdue: waits in the pool to be claimed again
    CONVERTED = "converted", _("Converted")  # became a customer file and an opportunity (terminal)


S = LeadStatus
_SCREEN = {"qualify": S.QUALIFIED, "park": S.PARKED}
LEAD_FLOW = StateMachine(
    LeadStatus,
    {
        S.NEW: {"assign": S.ASSIGNED, **_SCREEN},
        S.ASSIGNED: {"assign": S.ASSIGNED, "contact": S.CONTACTED, "release": S.RETURNED, **_SCREEN},
        S.CONTACTED: {"assign": S.CONTACTED, "release": S.RETURNED, **_SCREEN},
        S.QUALIFIED: {"assign": S.QUALIFIED, "release": S.RETURNED, "convert": S.CONVERTED, **_SCREEN},
        S.PARKED: {"assign": S.PARKED, "release": S.RETURNED, **_SCREEN},
        S.RETURNED: {"assign": S.ASSIGNED, **_SCREEN},
    },
)
# Statuses that count against a rep's claim cap (the leads they are working).
OPEN_STATUSES = [S.ASSIGNED, S.CONTACTED, S.QUALIFIED]
# What the pool shows: unowned leads still worth working (parked ones wait for a rescreen, not a claim).
POOL_STATUSES = [S.NEW, S.RETURNED, S.CONTACTED, S.QUALIFIED]
# Where screening is open: every state the flow qualifies or parks from (all but converted).
SCREEN_STATUSES = [s for s in LeadStatus if LEAD_FLOW.can(s, "qualify")]
# An owned lead that is still being worked (an owned lead is never new or returned).
WORKED_STATUSES = [S.ASSIGNED, S.CONTACTED, S.QUALIFIED, S.PARKED]
WORKERS_ONLY = _("Only the lead's owner and those above them may work this lead.")
# What a user may be offered on a lead (every permit but "create", which is the role's alone).
LEAD_ACTIONS = ("claim", "contact", "screen", "assign", "convert", "release", "log_visit")


class Assessment(models.TextChoices):
    NEED = "need", _("Need")
    PURCHASING_POWER = "purchasing_power", _("Purchasing power")
    CREDIT = "credit", _("Credit")


class Level(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    UNKNOWN = "unknown", _("Unknown")


class LeadQuerySet(ScopedQuerySet):
    """Customers' data scope, plus the pool: a rep also sees unowned leads waiting in their unit or above it."""

    def extra_scope(self, user, scope):
        return pool_reach_q(user, scope)

    def in_pool(self) -> LeadQuerySet:
        return self.filter(owner__isnull=True, status__in=POOL_STATUSES)


class Lead(Guarded, models.Model):
    # Who may do what, as the services enforce it: working a lead (screen, contact, convert, release) is for a
    # sales editor who is its owner or above them (a unit head over the owner's unit, leadership); a pool lead is
    # claimed first, never screened, contacted, converted or released while unowned (issue #15); assigning
    # needs only the role. A visit to the lead is its first contact until it has been contacted, so until then
    # only those who work it may log one. Seeing the lead at all is the data scope's business (visible_to).
    flow = LEAD_FLOW
    permits = {
        "create": Permit("lead.edit"),  # the role only (Lead.role_allows): there is no lead yet
        # Issue #15: a pool lead is worked (screened, contacted, converted) only once claimed, so the claim cap
        # holds; converting an unclaimed one used to make the rep its owner without a claim.
        "screen": Permit("lead.edit", who="worker", states=SCREEN_STATUSES, when="owned", refusal=WORKERS_ONLY),
        "contact": Permit("lead.edit", who="worker", states=WORKED_STATUSES, when="owned", refusal=WORKERS_ONLY),
        "convert": Permit("lead.edit", who="worker", when="owned", refusal=WORKERS_ONLY),
        "release": Permit("lead.edit", who="worker", when="owned", refusal=WORKERS_ONLY),
        "claim": Permit("lead.claim", states=POOL_STATUSES, when="in_pool"),
        "assign": Permit("lead.assign"),
        # visit.log is held by the same roles as lead.edit, which the first contact needs.
        "log_visit": Permit("visit.log", who="visitor", states=WORKED_STATUSES, when="owned"),
    }

    name = models.CharField(_("company / name"), max_length=200)
    name_key = models.CharField(_("normalised name"), max_length=200, editable=False, default="")
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_digits = models.CharField(_("phone digits"), max_length=20, blank=True, editable=False)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    province = models.CharField(_("province"), max_length=16, choices=PROVINCE_CHOICES, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    channel = models.CharField(_("source channel"), max_length=32, choices=SourceChannel.choices, blank=True)
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    need_notes = models.TextField(_("what they need"), blank=True)
    estimated_amount = models.DecimalField(_("estimated amount"), max_digits=14, decimal_places=2,
                                           default=Decimal("0.00"), validators=[MinValueValidator(0)])
    need = models.CharField(_("need"), max_length=16, choices=Level.choices, default=Level.UNKNOWN)
    purchasing_power = models.CharField(_("purchasing power"), max_length=16, choices=Level.choices,
                                        default=Level.UNKNOWN)
    credit = models.CharField(_("credit"), max_length=16, choices=Level.choices, default=Level.UNKNOWN)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    screened_at = models.DateTimeField(_("screened"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    # No owner = the lead waits in the pool (公海) of ``unit``.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="leads")
    # The owner's unit, or for a pool lead the unit whose pool it waits in (kept by the services).
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    region = models.ForeignKey("org.OrgUnit", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", limit_choices_to={"kind": "region"})
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    # Set by the sweep when the owner missed the contact limit; cleared when somebody contacts the lead.
    overdue_at = models.DateTimeField(_("contact overdue"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True)
    opportunity_id = models.BigIntegerField(_("opportunity"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=LeadStatus.values), name="leads_lead_status_valid"),
            models.CheckConstraint(condition=Q(estimated_amount__gte=0), name="leads_lead_amount_gte_0"),
            # An owned lead is never "new" or "returned", and a pool lead is never merely "assigned".
            models.CheckConstraint(
                condition=~Q(status__in=["assigned"], owner__isnull=True)
                & ~Q(status__in=["new", "returned"], owner__isnull=False),
                name="leads_lead_owner_matches_status"),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "-id"], name="leads_owner_status_idx"),
            models.Index(fields=["unit", "status", "-id"], name="leads_unit_status_idx"),
            # A team's or region's list narrowed by status and province (the bench's slowest list without it).
            models.Index(fields=["status", "province", "unit", "-id"], name="leads_status_province_idx"),
            models.Index(fields=["status", "assigned_at"], name="leads_status_assigned_idx"),
            models.Index(fields=["phone_digits"], name="leads_phone_idx"),
            models.Index(fields=["credit_code"], name="leads_credit_code_idx"),
            models.Index(fields=["name_key"], name="leads_namekey_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def in_pool(self) -> bool:
        return self.owner_id is None

    @property
    def owned(self) -> bool:
        return self.owner_id is not None

    def is_worker(self, user) -> bool:
        """Its owner and those above them; for a pool lead, anybody who sees it."""
        return self.owner_id is None or self.is_above(user)

    def is_visitor(self, user) -> bool:
        return self.contacted_at is not None or self.is_worker(user)

    def actions(self, *, by) -> list[str]:
        """The actions ``by`` may take on the lead now: the page's buttons and the API's ``actions``."""
        return [action for action in LEAD_ACTIONS if self.can(action, by=by)]


class LeadScoringRule(models.Model):
    """Points an assessment level is worth (e.g. need = high → 40); a lead's score is the sum over assessments."""

    assessment = models.CharField(_("assessment"), max_length=32, choices=Assessment.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("lead scoring rule")
        verbose_name_plural = _("lead scoring rules")
        ordering = ["assessment", "-points"]
        constraints = [models.UniqueConstraint(fields=["assessment", "level"], name="leads_scoring_one_per_level")]

    def __str__(self):
        return f"{self.get_assessment_display()} {self.get_level_display()}: {self.points}"


class LeadAssignmentRule(models.Model):
    """Territory (区域) routing: the first active rule, by priority, whose filled criteria all match wins."""

    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    province = models.CharField(_("province"), max_length=16, choices=PROVINCE_CHOICES, blank=True)
    region = models.ForeignKey("org.OrgUnit", verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+", limit_choices_to={"kind": "region"})
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    team = models.ForeignKey("org.OrgUnit", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead assignment rule")
        verbose_name_plural = _("lead assignment rules")
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(team__isnull=False) | Q(user__isnull=False),
                                   name="leads_rule_has_target"),
        ]

    def __str__(self):
        return " / ".join(filter(None, [self.province, self.region.name if self.region_id else "", self.industry]))

    def matches(self, lead: Lead) -> bool:
        return ((not self.province or self.province == lead.province)
                and (not self.region_id or self.region_id == lead.region_id)
                and (not self.industry or self.industry == lead.industry))


class RoundRobinCursor(models.Model):
    """The last rep of a team who got a lead by round-robin; read and moved under a row lock."""

    team = models.OneToOneField("org.OrgUnit", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+")
    last_user_id = models.BigIntegerField(_("last user"), null=True, blank=True)

    class Meta:
        verbose_name = _("round-robin cursor")
        verbose_name_plural = _("round-robin cursors")

    def __str__(self):
        return f"{self.team_id}: {self.last_user_id}"
