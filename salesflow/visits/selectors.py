"""Permission-scoped reads of visit plans and logs, "planned vs done", the Today list and the weekly report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import NotFound, PermissionRefused
from salesflow.org.models import User
from salesflow.org.roles import Role, Scope, has_capability
from salesflow.org.scope import data_scope

from .models import (
    DECIDING_ROLES,
    PlannedVisit,
    PlanPeriod,
    PlanStatus,
    VisitKind,
    VisitLog,
    VisitPlan,
    WorkLog,
    WorkLogStatus,
    period_bounds,
)
from .services import local_today

SORTS = {"-starts_on": "-starts_on", "starts_on": "starts_on", "owner": "owner__name"}


def _require(user, capability: str = "visit.view") -> None:
    if not has_capability(user, capability):
        raise PermissionRefused()


# --- plans ---------------------------------------------------------------------------------------------

@dataclass
class PlanFilters:
    period: str = ""
    status: str = ""
    owner: int | None = None
    mine: bool = False
    current: bool = False  # only plans whose period holds today


def plan_list(*, user, filters: PlanFilters | None = None) -> QuerySet[VisitPlan]:
    _require(user)
    f = filters or PlanFilters()
    qs = VisitPlan.objects.visible_to(user)
    if f.period in PlanPeriod.values:
        qs = qs.filter(period=f.period)
    if f.status in PlanStatus.values:
        qs = qs.filter(status=f.status)
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.mine:
        qs = qs.filter(owner_id=user.pk)
    if f.current:
        today = local_today()
        qs = qs.filter(starts_on__lte=today, ends_on__gte=today)
    return (qs.select_related("owner", "unit", "reviewed_by").annotate(item_count=Count("items"))
            .order_by("-starts_on", "period", "-id"))


def plan_get(*, user, plan_id: int) -> VisitPlan:
    _require(user)
    plan = (VisitPlan.objects.visible_to(user).select_related("owner", "unit", "reviewed_by")
            .filter(pk=plan_id).first())
    if plan is None:
        raise NotFound(_("Visit plan not found."))
    return plan


def plan_items(plan: VisitPlan) -> list[PlannedVisit]:
    return list(plan.items.select_related("customer", "lead", "added_by").order_by("planned_on", "id"))


def plan_history(*, plan: VisitPlan, limit: int = 100) -> list[AuditEvent]:
    # The caller read the plan through plan_get: the scope check has happened.
    return list(AuditEvent.objects.filter(object_type="visits.visitplan", object_id=str(plan.pk))
                .order_by("-at", "-id")[:limit])


# --- planned vs done -----------------------------------------------------------------------------------

DONE, MISSED, PENDING = "done", "missed", "pending"
ITEM_STATES = {DONE: gettext_lazy("Done"), MISSED: gettext_lazy("Missed"), PENDING: gettext_lazy("Coming")}


@dataclass
class Progress:
    """Planned vs done for one rep and one plan: a planned visit is done when a visit log names it, or when the
    rep visited the same customer (or lead) on the planned day; it is missed once its day has passed; a visit
    no planned visit accounts for is unplanned."""

    planned: int = 0
    done: int = 0
    missed: int = 0
    pending: int = 0
    unplanned: int = 0
    states: dict[int, str] = field(default_factory=dict)  # planned visit id → done / missed / pending
    matched_log: dict[int, int] = field(default_factory=dict)  # planned visit id → visit log id
    unplanned_logs: list = field(default_factory=list)

    @property
    def rate(self) -> int | None:
        """Done as a percentage of the planned visits whose day has come."""
        due = self.done + self.missed
        return round(100 * self.done / due) if due else None


def _targets(obj) -> list[str]:
    keys = []
    if obj.customer_id:
        keys.append(f"c{obj.customer_id}")
    if obj.lead_id:
        keys.append(f"l{obj.lead_id}")
    return keys


def match(items, logs, today: dt.date) -> Progress:
    """Pair planned visits with logs (each log counts once): explicit links first, then same target same day."""
    progress = Progress(planned=len(items))
    used: set[int] = set()
    linked: dict[int, list] = defaultdict(list)
    for log in logs:
        if log.planned_visit_id:
            linked[log.planned_visit_id].append(log)
    for item in items:
        for log in linked.get(item.pk, []):
            if log.pk not in used:
                used.add(log.pk)
                progress.states[item.pk], progress.matched_log[item.pk] = DONE, log.pk
                break
    by_day: dict[tuple, list] = defaultdict(list)
    for log in logs:
        if log.pk not in used:
            for key in _targets(log):
                by_day[(key, log.visited_on)].append(log)
    for item in items:
        if item.pk in progress.states:
            continue
        for key in _targets(item)[:1]:
            log = next((c for c in by_day.get((key, item.planned_on), []) if c.pk not in used), None)
            if log is not None:
                used.add(log.pk)
                progress.states[item.pk], progress.matched_log[item.pk] = DONE, log.pk
        if item.pk not in progress.states:
            progress.states[item.pk] = MISSED if item.planned_on < today else PENDING
    for state in progress.states.values():
        setattr(progress, state, getattr(progress, state) + 1)
    progress.unplanned_logs = [log for log in logs if log.pk not in used]
    progress.unplanned = len(progress.unplanned_logs)
    return progress


def _logs_between(owner_ids, start: dt.date, end: dt.date, *, names: bool = False):
    qs = VisitLog.objects.filter(owner_id__in=owner_ids, visited_on__gte=start, visited_on__lte=end)
    if names:
        qs = qs.select_related("customer", "lead")
    else:
        qs = qs.only("id", "owner_id", "customer_id", "lead_id", "planned_visit_id", "visited_on", "visited_at")
    return qs.order_by("visited_at", "id")


def plan_progress(plan: VisitPlan, items: list[PlannedVisit] | None = None, today: dt.date | None = None
                  ) -> Progress:
    items = plan_items(plan) if items is None else items
    logs = list(_logs_between([plan.owner_id], plan.starts_on, plan.ends_on, names=True))
    return match(items, logs, today or local_today())


def _people_in_scope(user) -> QuerySet[User]:
    scope = data_scope(user)
    people = User.objects.filter(is_active=True)
    if scope.kind == Scope.ALL:
        return people
    if scope.kind == Scope.UNIT:
        return people.filter(unit_id__in=scope.unit_ids)
    if scope.kind == Scope.OWN:
        return people.filter(pk=user.pk)
    return people.none()


@dataclass
class TeamRow:
    rep: User
    plan: VisitPlan | None
    progress: Progress


def team_progress(*, user, period: str, day: dt.date, unit_id: int | None = None,
                  today: dt.date | None = None) -> tuple[dt.date, dt.date, list[TeamRow]]:
    """Planned vs done per rep in the user's scope for one month / week / day (their plan of that period)."""
    _require(user)
    start, end = period_bounds(period, day)
    plans = list(VisitPlan.objects.visible_to(user).filter(period=period, starts_on=start)
                 .select_related("owner__unit"))
    if unit_id:
        from salesflow.org.scope import subtree_ids

        units = subtree_ids(unit_id)
        plans = [p for p in plans if p.unit_id in units]
    people = _people_in_scope(user).holding(Role.REP)
    if unit_id:
        people = people.filter(unit_id__in=units)
    reps = {u.pk: u for u in people.select_related("unit")}
    reps.update({p.owner_id: p.owner for p in plans if p.owner_id not in reps})
    items_by_plan: dict[int, list] = defaultdict(list)
    for item in PlannedVisit.objects.filter(plan__in=[p.pk for p in plans]).order_by("planned_on", "id"):
        items_by_plan[item.plan_id].append(item)
    logs_by_owner: dict[int, list] = defaultdict(list)
    for log in _logs_between(list(reps), start, end):
        logs_by_owner[log.owner_id].append(log)
    plan_of = {p.owner_id: p for p in plans}
    today = today or local_today()
    rows = [TeamRow(rep, plan_of.get(pk), match(items_by_plan.get(plan_of[pk].pk, []) if pk in plan_of else [],
                                                 logs_by_owner.get(pk, []), today))
            for pk, rep in reps.items()]
    rows.sort(key=lambda r: (r.rep.unit.path if r.rep.unit_id and r.rep.unit else "", r.rep.display_name))
    return start, end, rows


def team_totals(rows: list[TeamRow]) -> Progress:
    total = Progress()
    for row in rows:
        for key in ("planned", "done", "missed", "pending", "unplanned"):
            setattr(total, key, getattr(total, key) + getattr(row.progress, key))
    return total


# --- visit logs ----------------------------------------------------------------------------------------

@dataclass
class LogFilters:
    kind: str = ""
    owner: int | None = None
    customer: int | None = None
    mine: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    located: str = ""  # "yes" | "no"


def log_list(*, user, filters: LogFilters | None = None) -> QuerySet[VisitLog]:
    _require(user)
    f = filters or LogFilters()
    qs = VisitLog.objects.visible_to(user)
    if f.kind in VisitKind.values:
        qs = qs.filter(kind=f.kind)
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.mine:
        qs = qs.filter(owner_id=user.pk)
    if f.customer:
        qs = qs.filter(customer_id=f.customer)
    if f.date_from:
        qs = qs.filter(visited_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(visited_on__lte=f.date_to)
    if f.located == "yes":
        qs = qs.filter(latitude__isnull=False)
    elif f.located == "no":
        qs = qs.filter(latitude__isnull=True)
    return qs.select_related("owner", "customer", "lead", "opportunity").order_by("-visited_at", "-id")


def log_get(*, user, log_id: int) -> VisitLog:
    """A log in the user's scope, or a visit to a customer the user may see (the customer's own history)."""
    _require(user)
    log = (VisitLog.objects.select_related("owner", "unit", "customer", "lead", "opportunity", "planned_visit__plan")
           .filter(pk=log_id).first())
    if log is None or not _can_see(user, log):
        raise NotFound(_("Visit log not found."))
    return log


def _can_see(user, log: VisitLog) -> bool:
    from salesflow.crm.models import Customer

    if VisitLog.objects.visible_to(user).filter(pk=log.pk).exists():
        return True
    return bool(log.customer_id) and Customer.objects.visible_to(user).filter(pk=log.customer_id).exists()


# --- daily work logs (工作日志) ---------------------------------------------------------------------------

@dataclass
class WorkLogFilters:
    owner: int | None = None
    status: str = ""
    mine: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    waiting: bool = False  # handed in, not read yet (the reviewer's queue)
    overdue: bool = False  # drafts whose day is over


def _visits_that_day():
    """Subquery: the number of visits the log's owner logged on the log's day (the visits folded in)."""
    from django.db.models import IntegerField, Subquery
    from django.db.models.functions import Coalesce

    counts = (VisitLog.objects.filter(owner_id=OuterRef("owner_id"), visited_on=OuterRef("day"))
              .order_by().values("owner_id").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def work_log_list(*, user, filters: WorkLogFilters | None = None) -> QuerySet[WorkLog]:
    """Work logs in the user's scope (a rep: their own; a supervisor or manager: their unit's; leadership: all),
    with the number of visits of each day, newest day first."""
    _require(user)
    f = filters or WorkLogFilters()
    qs = WorkLog.objects.visible_to(user)
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.mine:
        qs = qs.filter(owner_id=user.pk)
    if f.status in WorkLogStatus.values:
        qs = qs.filter(status=f.status)
    if f.date_from:
        qs = qs.filter(day__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(day__lte=f.date_to)
    if f.waiting:
        qs = qs.filter(status=WorkLogStatus.SUBMITTED).exclude(owner_id=user.pk)
    if f.overdue:
        qs = qs.filter(status=WorkLogStatus.DRAFT, day__lt=local_today())
    return (qs.select_related("owner", "unit", "reviewed_by").annotate(visit_count=_visits_that_day())
            .order_by("-day", "-id"))


def work_log_get(*, user, log_id: int) -> WorkLog:
    _require(user)
    log = (WorkLog.objects.visible_to(user).select_related("owner", "unit", "reviewed_by")
           .filter(pk=log_id).first())
    if log is None:
        raise NotFound(_("Work log not found."))
    return log


def work_log_of_day(*, user, day: dt.date) -> WorkLog | None:
    """The user's own log of ``day``, if they have started it."""
    _require(user)
    return WorkLog.objects.filter(owner=user, day=day).select_related("owner", "reviewed_by").first()


def work_log_visits(*, owner_id: int, day: dt.date) -> list[VisitLog]:
    """The visits folded into a work log: the owner's visit logs of the day, in the order they happened. The
    caller has read the work log (or the day is the caller's own): the scope check has happened."""
    return list(VisitLog.objects.filter(owner_id=owner_id, visited_on=day)
                .select_related("customer", "lead", "opportunity").order_by("visited_at", "id"))


def work_log_history(*, log: WorkLog, limit: int = 50) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="visits.worklog", object_id=str(log.pk))
                .order_by("-at", "-id")[:limit])


def work_logs_waiting(user) -> int:
    """Logs of the people below the user handed in and not read yet."""
    if not has_capability(user, "visit.review"):
        return 0
    return WorkLog.objects.visible_to(user).filter(status=WorkLogStatus.SUBMITTED).exclude(owner=user).count()


# --- timelines (wired into the customer and opportunity pages) ------------------------------------------

def _timeline_entry(log: VisitLog) -> dict:
    who = log.owner.display_name
    title = _("{kind} by {name}").format(kind=log.get_kind_display(), name=who)
    if log.contact_name:
        title += " · " + log.contact_name
    summary = log.outcome if len(log.outcome) <= 160 else log.outcome[:159] + "…"
    if log.next_step:
        summary += " — " + _("Next step: {step}").format(step=log.next_step)
    return {"at": log.visited_at, "kind": "visit", "title": title, "summary": summary,
            "url": reverse("visits:log_detail", args=[log.pk]),
            # For the activity timeline (salesflow.core.activity).
            "label": _("Visit log"), "actor": who}


def timeline_for_customer(user, customer_id: int, limit: int = 50) -> list[dict]:
    """Visits to a customer the user may see (by anyone: they are the customer file's history), newest first,
    as {at, kind, title, summary, url}; empty when the customer is not the user's to see."""
    from salesflow.crm.models import Customer

    if not has_capability(user, "visit.view") or not Customer.objects.visible_to(user).filter(
            pk=customer_id).exists():
        return []
    logs = VisitLog.objects.filter(customer_id=customer_id).select_related("owner").order_by("-visited_at", "-id")
    return [_timeline_entry(log) for log in logs[:limit]]


def timeline_for_opportunity(user, opp_id: int, limit: int = 50) -> list[dict]:
    from salesflow.deals.models import Opportunity

    if not has_capability(user, "visit.view") or not Opportunity.objects.visible_to(user).filter(
            pk=opp_id).exists():
        return []
    logs = VisitLog.objects.filter(opportunity_id=opp_id).select_related("owner").order_by("-visited_at", "-id")
    return [_timeline_entry(log) for log in logs[:limit]]


def activity_source(user, *, customer_id: int | None = None, opportunity_id: int | None = None,
                    limit: int = 50) -> list[dict]:
    """The visits on the activity timeline of a customer or an opportunity (registered in apps.py)."""
    if opportunity_id is not None:
        return timeline_for_opportunity(user, opportunity_id, limit=limit)
    if customer_id is not None:
        return timeline_for_customer(user, customer_id, limit=limit)
    return []


def upcoming_for_customer(user, customer_id: int, today: dt.date | None = None) -> list[PlannedVisit]:
    """Planned visits to the customer from today on, in plans the user may see."""
    today = today or local_today()
    return list(PlannedVisit.objects.filter(customer_id=customer_id, planned_on__gte=today,
                                            plan__in=VisitPlan.objects.visible_to(user))
                .select_related("plan__owner").order_by("planned_on", "id")[:10])


# --- Today (今日待办) ----------------------------------------------------------------------------------

@dataclass
class Today:
    day: dt.date
    planned: list = field(default_factory=list)  # [(planned visit, done)]
    followups: list = field(default_factory=list)  # [(customer, overdue)]
    lead_followups: list = field(default_factory=list)  # [(visit log, overdue)]
    leads: list = field(default_factory=list)  # [(lead, deadline, overdue)]
    done: list = field(default_factory=list)  # today's visit logs
    more_followups: int = 0

    @property
    def overdue_count(self) -> int:
        return (sum(1 for _c, late in self.followups if late) + sum(1 for _l, late in self.lead_followups if late)
                + sum(1 for _l, _d, late in self.leads if late))


FOLLOWUP_LIMIT = 100


def _contact_deadline(cal, lead, limits) -> dt.datetime | None:
    """When the lead's working-time limit for the first contact runs out (assigned + N working hours)."""
    from salesflow.workcal.calendar import workday_end_time, workday_start_time

    if lead.assigned_at is None:
        return None
    tz = timezone.get_default_timezone()
    remaining = dt.timedelta(hours=limits[lead.unit_id])
    moment = timezone.localtime(lead.assigned_at, tz)
    for _i in range(400):
        day = moment.date()
        if cal.is_workday(day):
            opens = timezone.make_aware(dt.datetime.combine(day, workday_start_time()), tz)
            closes = timezone.make_aware(dt.datetime.combine(day, workday_end_time()), tz)
            start = max(moment, opens)
            if start < closes:
                if closes - start >= remaining:
                    return start + remaining
                remaining -= closes - start
        moment = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0)), tz)
    return None


def today_for(*, user, now: dt.datetime | None = None) -> Today:
    """Everything the user should do today: planned visits, follow-ups due (and overdue, in red), and assigned
    leads still waiting for their first contact, with the contact deadline."""
    from salesflow.crm.choices import CustomerStatus
    from salesflow.crm.models import Customer
    from salesflow.leads.models import Lead, LeadStatus
    from salesflow.pool.policies import policy_for
    from salesflow.workcal.calendar import snapshot

    _require(user)
    now = now or timezone.now()
    today = local_today(now)
    result = Today(day=today)
    result.done = list(VisitLog.objects.filter(owner=user, visited_on=today)
                       .select_related("owner", "customer", "lead").order_by("visited_at", "id"))
    items = list(PlannedVisit.objects.filter(plan__owner=user, planned_on=today)
                 .select_related("customer", "lead", "plan").order_by("id"))
    progress = match(items, result.done, today)
    seen = set()
    for item in items:
        key = tuple(_targets(item)) or ("p", item.pk)
        if key in seen:  # the same customer in the month's, the week's and the day's plan: show it once
            continue
        seen.add(key)
        result.planned.append((item, progress.states.get(item.pk) == DONE))
    followups = (Customer.objects.filter(owner=user, status=CustomerStatus.ACTIVE, next_followup_on__lte=today)
                 .order_by("next_followup_on", "id"))
    result.followups = [(c, c.next_followup_on < today) for c in followups[:FOLLOWUP_LIMIT]]
    if len(result.followups) == FOLLOWUP_LIMIT:
        result.more_followups = followups.count() - FOLLOWUP_LIMIT
    later = VisitLog.objects.filter(lead_id=OuterRef("lead_id"), visited_at__gt=OuterRef("visited_at"))
    lead_logs = (VisitLog.objects.filter(owner=user, customer__isnull=True, next_followup_on__lte=today)
                 .exclude(lead__status=LeadStatus.CONVERTED).exclude(Exists(later))
                 .select_related("lead").order_by("next_followup_on", "id")[:FOLLOWUP_LIMIT])
    result.lead_followups = [(log, log.next_followup_on < today) for log in lead_logs]
    leads = list(Lead.objects.filter(owner=user, status=LeadStatus.ASSIGNED, contacted_at__isnull=True)
                 .select_related("unit").order_by("assigned_at", "id")[:FOLLOWUP_LIMIT])
    if leads:
        cal = snapshot()
        limits = {}
        for lead in leads:
            if lead.unit_id not in limits:
                limits[lead.unit_id] = policy_for(lead.unit).contact_limit_hours
            deadline = _contact_deadline(cal, lead, limits)
            result.leads.append((lead, deadline, lead.overdue_at is not None or (deadline is not None
                                                                                  and deadline < now)))
    return result


# --- weekly meeting (周例会) ---------------------------------------------------------------------------

@dataclass
class WeeklyRow:
    rep: User
    visits: int = 0
    new_visits: int = 0
    return_visits: int = 0
    new_customers: int = 0
    progress: Progress | None = None
    next_plan: VisitPlan | None = None
    next_items: list = field(default_factory=list)


def weekly_report(*, user, day: dt.date, today: dt.date | None = None) -> tuple[dt.date, dt.date, list[WeeklyRow]]:
    """For the Saturday meeting (002 流程1 steps 2 and 5): per rep, this week's visits by kind, the customers
    they filed, planned vs done of the week's plan, and next week's plan."""
    from salesflow.crm.models import Customer

    _require(user)
    start, end = period_bounds(PlanPeriod.WEEK, day)
    next_start = start + dt.timedelta(days=7)
    _s, _e, rows = team_progress(user=user, period=PlanPeriod.WEEK, day=day, today=today)
    reps = {row.rep.pk: WeeklyRow(rep=row.rep, progress=row.progress) for row in rows}
    for owner_id, kind, n in (VisitLog.objects.filter(owner_id__in=list(reps), visited_on__gte=start,
                                                      visited_on__lte=end)
                              .values_list("owner_id", "kind").annotate(n=Count("id")).order_by()):
        row = reps[owner_id]
        row.visits += n
        if kind == VisitKind.NEW:
            row.new_visits += n
        else:
            row.return_visits += n
    tz = timezone.get_default_timezone()
    since = timezone.make_aware(dt.datetime.combine(start, dt.time()), tz)
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()), tz)
    for owner_id, n in (Customer.objects.filter(owner_id__in=list(reps), created_at__gte=since, created_at__lt=until)
                        .values_list("owner_id").annotate(n=Count("id")).order_by()):
        reps[owner_id].new_customers = n
    next_plans = {p.owner_id: p for p in VisitPlan.objects.visible_to(user).filter(
        period=PlanPeriod.WEEK, starts_on=next_start, owner_id__in=list(reps))}
    for item in (PlannedVisit.objects.filter(plan__in=[p.pk for p in next_plans.values()])
                 .select_related("customer", "lead", "plan").order_by("planned_on", "id")):
        reps[item.plan.owner_id].next_items.append(item)
    for owner_id, plan in next_plans.items():
        reps[owner_id].next_plan = plan
    return start, end, list(reps.values())


def reviewable_plans_waiting(user) -> int:
    """Submitted plans of the reps below the user, waiting for them."""
    if not has_capability(user, "visit.review"):
        return 0
    waiting = VisitPlan.objects.visible_to(user).exclude(owner=user)
    if any(user.holds(role) for role in DECIDING_ROLES):
        # R17: the manager decides submitted plans and the ones a supervisor prepared for them.
        return waiting.filter(status__in=[PlanStatus.SUBMITTED, PlanStatus.PREPARED]).count()
    return waiting.filter(status=PlanStatus.SUBMITTED).count()



def planned_visit_of(*, user, planned_id: int | None) -> PlannedVisit | None:
    """One of the user's own planned visits (a visit log started from the plan), or None."""
    if not planned_id:
        return None
    return (PlannedVisit.objects.filter(pk=planned_id, plan__owner=user)
            .select_related("customer", "lead").first())
