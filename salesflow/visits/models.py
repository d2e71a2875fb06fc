"""Visits and follow-up (拜访, seed 002 流程1, R17): visit plans per rep and period, the visit log (daily work log)
with its check-in, and the reminders already sent (so each item is told once a day)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesflow.core.statemachine import StateMachine
from salesflow.org.guards import Guarded, Permit
from salesflow.org.roles import LEADERSHIP, Role
from salesflow.org.scope import ScopedQuerySet

# R17: the roles whose review fixes a visit plan (the sales manager, and leadership above every manager).
DECIDING_ROLES = frozenset({Role.MANAGER, *LEADERSHIP})


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
    SUBMITTED = "submitted", _("Waiting for review")  # submitted: the supervisor prepares it or the manager decides
    # The supervisor approved it (with or without changes) for the Saturday meeting: it still waits for the
    # sales manager, whose decision fixes it.
    PREPARED = "prepared", _("Prepared by the supervisor")
    APPROVED = "approved", _("Fixed by the manager")  # the manager accepted it as it stands
    ADJUSTED = "adjusted", _("Adjusted by the manager")  # the manager accepted it with changes (the rep was told)


P = PlanStatus
# 002 流程1 step 2: the rep reports next week's visit focus to the sales manager at the Saturday meeting, who guides
# and finally fixes it ("向销售部经理汇报下周的客户拜访重点计划情况…并最终确定"). A supervisor may prepare the plan
# (approve it, or change its visits) but that never fixes it and never locks the manager out: the manager approves,
# adjusts or sends back a prepared plan as they would a submitted one (R17).
PLAN_FLOW = StateMachine(
    PlanStatus,
    {
        P.DRAFT: {"submit": P.SUBMITTED},
        P.SUBMITTED: {"prepare": P.PREPARED, "approve": P.APPROVED, "adjust": P.ADJUSTED, "return": P.DRAFT},
        P.PREPARED: {"prepare": P.PREPARED, "approve": P.APPROVED, "adjust": P.ADJUSTED, "return": P.DRAFT},
        P.APPROVED: {"adjust": P.ADJUSTED},
        P.ADJUSTED: {"adjust": P.ADJUSTED},
    },
)
# Plans the manager has fixed (with or without changes).
ACCEPTED = [P.APPROVED, P.ADJUSTED]
# Plans waiting for the manager's decision.
WAITING = [P.SUBMITTED, P.PREPARED]


def decides_plans(user) -> bool:
    """Whose review fixes a visit plan: the sales manager (or leadership above them), not the supervisor."""
    return any(user.holds(role) for role in DECIDING_ROLES)


class VisitKind(models.TextChoices):
    NEW = "new", _("New customer visit")  # 拜访新客户
    RETURN = "return", _("Return visit")  # 回访老客户


class VisitPlan(Guarded, models.Model):
    """拜访计划: one rep's visits for a month, an ISO week or a day."""

    # The rep writes, submits and logs against their own plan; a reviewer is the rep's supervisor or manager (a
    # unit head above the rep) or leadership, never the rep themselves. Of the reviewers, the sales manager (or
    # leadership) decides — approves, adjusts, sends back at any time before the decision; the supervisor prepares:
    # approves or changes visits for the manager, and may send a plan back only before preparing it.
    flow = PLAN_FLOW
    permits = {
        "edit": Permit("visit.plan", who="owner", states={PlanStatus.DRAFT}),
        "submit": Permit("visit.plan", who="owner", refusal=_("Only the rep who wrote the plan can submit it.")),
        "prepare": Permit("visit.review", who="preparer"),
        "approve": Permit("visit.review", who="decider",
                          refusal=_("The sales manager fixes the visit plan; a supervisor prepares it.")),
        "return": Permit("visit.review", who="returner"),
        "adjust": Permit("visit.review", who="decider",
                         refusal=_("The sales manager fixes the visit plan; a supervisor prepares it.")),
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

    # --- who reviews (Permit.who) ---

    def is_decider(self, user) -> bool:
        return self.is_reviewer(user) and decides_plans(user)

    def is_preparer(self, user) -> bool:
        return self.is_reviewer(user) and not decides_plans(user)

    def is_returner(self, user) -> bool:
        """The manager sends a plan back whenever it waits; the supervisor only one they have not prepared."""
        return self.is_decider(user) or (self.is_preparer(user) and self.status == PlanStatus.SUBMITTED)

    @property
    def waits_for_manager(self) -> bool:
        return self.status in WAITING

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


class WorkLogStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # the rep is writing it; only the rep changes it
    SUBMITTED = "submitted", _("Waiting for review")  # handed in: the supervisor or manager reads it
    REVIEWED = "reviewed", _("Reviewed")  # read by the supervisor or manager, with their comment


W = WorkLogStatus
# 002 流程1 step 1: the rep keeps a written log of each working day (书面记录每天工作日志); the supervisor or the
# manager reads it and guides (step 6: "销售部经理对销售员的工作予以指导和安排"), or sends it back to be completed.
WORK_LOG_FLOW = StateMachine(
    WorkLogStatus,
    {
        W.DRAFT: {"submit": W.SUBMITTED},
        W.SUBMITTED: {"review": W.REVIEWED, "return": W.DRAFT},
    },
)
WORK_LOG_TEXTS = {"summary": 4000, "calls": 4000, "meetings": 2000, "documents": 2000, "problems": 2000,
                  "tomorrow_plan": 2000}


class WorkLog(Guarded, models.Model):
    """工作日志: one rep's working day — calls, meetings, documents prepared, problems, tomorrow's plan — with the
    day's visit logs folded in (read from ``VisitLog`` by owner and day, never copied)."""

    flow = WORK_LOG_FLOW
    permits = {
        "edit": Permit("visit.plan", who="owner", states={WorkLogStatus.DRAFT}),
        "submit": Permit("visit.plan", who="owner", refusal=_("Only the rep who wrote the work log can submit it.")),
        "review": Permit("visit.review", who="reviewer"),
        "return": Permit("visit.review", who="reviewer"),
    }

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.PROTECT,
                              related_name="work_logs")
    # The rep's unit on that day, kept by the services (the data scope filters on it).
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    day = models.DateField(_("day"))
    summary = models.TextField(_("summary of the day"), blank=True)
    call_count = models.PositiveSmallIntegerField(_("phone calls"), default=0)
    calls = models.TextField(_("calls"), blank=True)
    meetings = models.TextField(_("meetings"), blank=True)
    documents = models.TextField(_("documents prepared"), blank=True)
    problems = models.TextField(_("problems and help needed"), blank=True)
    tomorrow_plan = models.TextField(_("plan for tomorrow"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=WorkLogStatus.choices, default=WorkLogStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "day"], name="visits_worklog_one_per_day"),
            models.CheckConstraint(condition=Q(status__in=WorkLogStatus.values), name="visits_worklog_status_valid"),
            models.CheckConstraint(condition=Q(status="draft") | Q(submitted_at__isnull=False),
                                   name="visits_worklog_submitted_at"),
        ]
        indexes = [
            models.Index(fields=["owner", "-day"], name="visits_worklog_owner_idx"),
            models.Index(fields=["unit", "-day"], name="visits_worklog_unit_idx"),
            models.Index(fields=["status", "day"], name="visits_worklog_status_idx"),
        ]

    def __str__(self):
        return f"{self.day} {self.owner_name}"

    @property
    def owner_name(self) -> str:
        return self.owner.display_name

    @property
    def submitted_late(self) -> bool:
        """Handed in after its day (R17: the log is written each day)."""
        if self.submitted_at is None:
            return False
        return timezone.localtime(self.submitted_at, timezone.get_default_timezone()).date() > self.day

    def overdue(self, today: dt.date) -> bool:
        """Its day is over and it is still not handed in."""
        return self.status == WorkLogStatus.DRAFT and self.day < today


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
