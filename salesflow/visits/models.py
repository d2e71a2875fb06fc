"""Visits and follow-up (拜访, seed 002 流程1, R17): visit plans per rep and period, the visit log (daily work log)
with its check-in, and the reminders already sent (so each item is told once a day)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesflow.core.statemachine import StateMachine
from salesflow.org.guards import Guarded, Permit
from salesflow.org.scope import ScopedQuerySet


class PlanPeriod(models.TextChoices):
    MONTH = "month", _("Monthly plan")
    WEEK = "week", _("Weekly plan")
    DAY = "day", _("Daily plan")


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month / ISO week (Monday–Sunday) / day that holds ``day``."""
    if period == PlanPeriod.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if period == PlanPeriod.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    if period == PlanPeriod.DAY:
        return day, day
    raise ValueError(period)


def period_label(period: str, start: dt.date) -> str:
    if period == PlanPeriod.MONTH:
        return f"{start:%Y-%m}"
    if period == PlanPeriod.WEEK:
        year, week, _day = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat()


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # the rep is writing it; only the rep changes its visits
    SUBMITTED = "submitted", _("Waiting for review")  # submitted: the supervisor / manager looks at it
    APPROVED = "approved", _("Approved")  # accepted as the rep wrote it
    ADJUSTED = "adjusted", _("Adjusted by the manager")  # accepted with the manager's changes (the rep was told)


P = PlanStatus
# 002 流程1: the rep designs the plan; at the Saturday meeting the manager guides and fixes next week's focus —
# approving it, adjusting it (add / move / remove visits, with a comment), or sending it back for rework.
PLAN_FLOW = StateMachine(
    PlanStatus,
    {
        P.DRAFT: {"submit": P.SUBMITTED},
        P.SUBMITTED: {"approve": P.APPROVED, "adjust": P.ADJUSTED, "return": P.DRAFT},
        P.APPROVED: {"adjust": P.ADJUSTED},
        P.ADJUSTED: {"adjust": P.ADJUSTED},
    },
)
# Plans the manager has accepted (with or without changes).
ACCEPTED = [P.APPROVED, P.ADJUSTED]


class VisitKind(models.TextChoices):
    NEW = "new", _("New customer visit")  # 拜访新客户
    RETURN = "return", _("Return visit")  # 回访老客户


class VisitPlan(Guarded, models.Model):
    """拜访计划: one rep's visits for a month, an ISO week or a day."""

    # The rep writes, submits and logs against their own plan; a reviewer is the rep's supervisor or manager (a
    # unit head above the rep) or leadership, never the rep themselves.
    flow = PLAN_FLOW
    permits = {
        "edit": Permit("visit.plan", who="owner", states={PlanStatus.DRAFT}),
        "submit": Permit("visit.plan", who="owner", refusal=_("Only the rep who wrote the plan can submit it.")),
        "approve": Permit("visit.review", who="reviewer"),
        "return": Permit("visit.review", who="reviewer"),
        "adjust": Permit("visit.review", who="reviewer"),
        "log": Permit("visit.log", who="owner"),
    }

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.PROTECT,
                              related_name="visit_plans")
    # The rep's unit, kept by the services (the data scope filters on it).
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    period = models.CharField(_("period"), max_length=8, choices=PlanPeriod.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    focus = models.TextField(_("focus of the period"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_comment = models.TextField(_("manager's comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        ordering = ["-starts_on", "period", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "period", "starts_on"], name="visits_plan_one_per_period"),
            models.CheckConstraint(condition=Q(period__in=PlanPeriod.values), name="visits_plan_period_valid"),
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="visits_plan_status_valid"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="visits_plan_dates_ordered"),
        ]
        indexes = [
            models.Index(fields=["owner", "-starts_on"], name="visits_plan_owner_idx"),
            models.Index(fields=["unit", "-starts_on"], name="visits_plan_unit_idx"),
            models.Index(fields=["period", "starts_on"], name="visits_plan_period_idx"),
        ]

    def __str__(self):
        return f"{self.get_period_display()} {self.label}"

    @property
    def label(self) -> str:
        return period_label(self.period, self.starts_on)

    @property
    def owner_name(self) -> str:
        return self.owner.display_name


class PlannedVisit(models.Model):
    """One visit in a plan: a customer, a lead, or a free-text target (a company not yet on file)."""

    plan = models.ForeignKey(VisitPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey("crm.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    target = models.CharField(_("whom to visit"), max_length=200, blank=True)
    planned_on = models.DateField(_("planned date"))
    purpose = models.CharField(_("purpose"), max_length=500, blank=True)
    kind = models.CharField(_("visit kind"), max_length=8, choices=VisitKind.choices, default=VisitKind.RETURN)
    # Who put it in the plan: the rep, or the manager adjusting the plan.
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["planned_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(customer__isnull=True, lead__isnull=True, target=""),
                                   name="visits_planned_has_target"),
            models.CheckConstraint(condition=Q(kind__in=VisitKind.values), name="visits_planned_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["planned_on", "plan"], name="visits_planned_day_idx"),
            models.Index(fields=["plan", "planned_on"], name="visits_planned_plan_idx"),
        ]

    def __str__(self):
        return self.target_name

    @property
    def target_name(self) -> str:
        if self.customer_id:
            return self.customer.name
        if self.lead_id:
            return self.lead.name
        return self.target

    name = target_name


class VisitLog(models.Model):
    """拜访记录 / 工作日志: one visit as it happened, with the check-in time (server clock) and place."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visited by"), on_delete=models.PROTECT,
                              related_name="visit_logs")
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(_("visit kind"), max_length=8, choices=VisitKind.choices)
    customer = models.ForeignKey("crm.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="visit_logs")
    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    opportunity = models.ForeignKey("deals.Opportunity", verbose_name=_("opportunity"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="visit_logs")
    planned_visit = models.ForeignKey(PlannedVisit, verbose_name=_("planned visit"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="logs")
    visited_at = models.DateTimeField(_("visit time"))
    # The company-time date of visited_at (set by the service): what "planned vs done" matches on.
    visited_on = models.DateField(_("visit date"), editable=False)
    contact_name = models.CharField(_("contact met"), max_length=64, blank=True)
    outcome = models.TextField(_("outcome"))
    next_step = models.CharField(_("next step"), max_length=500, blank=True)
    next_followup_on = models.DateField(_("next follow-up"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Check-in: the server's clock when the log was saved, and the browser's position if the user allowed it.
    checked_in_at = models.DateTimeField(_("checked in"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("accuracy (m)"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit log")
        verbose_name_plural = _("visit logs")
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(customer__isnull=False) | Q(lead__isnull=False),
                                   name="visits_log_has_customer_or_lead"),
            models.CheckConstraint(condition=Q(kind__in=VisitKind.values), name="visits_log_kind_valid"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True, accuracy_m__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="visits_log_location_complete"),
            models.CheckConstraint(condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                                   name="visits_log_latitude_range"),
            models.CheckConstraint(condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                                   name="visits_log_longitude_range"),
        ]
        indexes = [
            models.Index(fields=["owner", "-visited_at"], name="visits_log_owner_idx"),
            models.Index(fields=["unit", "-visited_at"], name="visits_log_unit_idx"),
            models.Index(fields=["owner", "visited_on"], name="visits_log_owner_day_idx"),
            models.Index(fields=["customer", "-visited_at"], name="visits_log_customer_idx"),
            models.Index(fields=["lead", "-visited_at"], name="visits_log_lead_idx"),
            models.Index(fields=["opportunity", "-visited_at"], name="visits_log_opp_idx"),
            models.Index(fields=["next_followup_on"], name="visits_log_followup_idx"),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.target_name}"

    @property
    def target_name(self) -> str:
        if self.customer_id:
            return self.customer.name
        return self.lead.name if self.lead_id else ""

    @property
    def owner_name(self) -> str:
        return self.owner.display_name

    @property
    def customer_name(self) -> str | None:
        return self.customer.name if self.customer_id else None

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class VisitReminder(models.Model):
    """A reminder already sent: the unique key makes "once per item per day" hold with any number of sweeps."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    day = models.DateField(_("day"))
    # "visit:c12" (planned visit to customer 12), "followup:l7" (follow-up of lead 7), "visit:p31" (free text)…
    key = models.CharField(_("item"), max_length=64)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit reminder")
        verbose_name_plural = _("visit reminders")
        constraints = [models.UniqueConstraint(fields=["user", "day", "key"], name="visits_reminder_once_a_day")]
        indexes = [models.Index(fields=["day"], name="visits_reminder_day_idx")]

    def __str__(self):
        return f"{self.day} {self.key}"
