"""The approval engine: submit, decide, withdraw, resubmit, and the deadline sweep.

Every write locks the request row first (one request = one lock), so two approvers acting at the same
moment are serialised: the request ends in exactly one consistent state and no step is decided twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.audit.events import record_many
from salesflow.core.errors import AppError, Conflict, NotFound, PermissionRefused, ValidationFailed
from salesflow.notifications.services import notice_rows, notices_insert, notify
from salesflow.org.models import User
from salesflow.workcal.calendar import add_working_days

from . import error_codes as codes
from . import events
from .conditions import all_hold
from .models import (
    REQUEST_FLOW,
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalStep,
    ApprovalTask,
    ApproverRule,
    RequestStatus,
    StageKind,
    StageMode,
    StepStatus,
    TaskStatus,
)
from .registry import adapter_for
from .resolve import fulfils_by_submitting, lane_of, next_level_up, resolve, with_delegation

OBJECT_TYPE = "approvals.approvalrequest"


def _on(request: ApprovalRequest) -> dict:
    # The engine audits the approval request; the document audits its own transitions (the adapter's verdicts).
    return {"object_type": OBJECT_TYPE, "object_id": request.pk, "object_repr": request.title,
            "customer_id": request.customer_id}


def policy_for(document_type: str, facts: dict) -> ApprovalPolicy | None:
    for policy in ApprovalPolicy.objects.filter(document_type=document_type, is_active=True).order_by("priority", "id"):
        if all_hold(policy.conditions, facts):
            return policy
    return None


def _approvers(step, request: ApprovalRequest, escalation: dict) -> list[User]:
    """The stage's approvers, minus the requester; if nobody is left, the next level up takes the stage.

    Nobody is passed over for having decided an earlier stage already: a person resolved for two stages (the GM
    who took an overdue B9 and then A9) decides both, each in its own capacity."""
    requester = request.requester
    lane = lane_of(step.rule, step.role)
    people = resolve(step.rule, step.role, requester)
    chosen = [u for u in people if u.pk != requester.pk]
    if step.rule == ApproverRule.ROLE:
        # A role's stage is that role's to decide: nobody up the requester's line stands in for a missing GM.
        return chosen
    frontier = people or [requester]
    seen: set[int] = set()
    while not chosen and frontier:
        nxt = []
        for user in frontier:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            nxt.extend(next_level_up(user, escalation, lane))
        chosen = [u for u in nxt if u.pk != requester.pk]
        frontier = [u for u in nxt if u.pk not in seen]
    return chosen


def _no_approver(stage) -> AppError:
    return AppError(codes.NO_APPROVER, _("Nobody can decide the stage “{stage}”: check the organisation (roles "
                                         "and managers) or ask an administrator.").format(stage=stage.name))


def check_stages(policy: ApprovalPolicy, request: ApprovalRequest) -> None:
    """Refuse a submission one of whose stages nobody could decide: better now, with the stage named, than a
    request stuck half-way."""
    for stage in policy.stages.order_by("step", "id"):
        if fulfils_by_submitting(request.requester, stage.rule, stage.role):
            continue
        if not _approvers(stage, request, policy.escalation):
            raise _no_approver(stage)


def _due(step: ApprovalStep, policy: ApprovalPolicy, now):
    if step.deadline_days is None:
        return None
    return add_working_days(now, step.deadline_days, policy.same_day_cutoff if step.deadline_days == 0 else None)


def _start_step(step: ApprovalStep, request: ApprovalRequest, policy: ApprovalPolicy, now, by) -> list[ApprovalTask]:
    """Start one stage, or record it as decided when the requester holds its lane (their submission decided it).
    Returns the tasks opened (none when the stage was decided by submission)."""
    if fulfils_by_submitting(request.requester, step.rule, step.role):
        ApprovalTask.objects.create(step=step, request=request, approver=request.requester, by_submission=True,
                                    status=TaskStatus.APPROVED if step.kind == StageKind.GATE else TaskStatus.AGREED,
                                    decided_at=now)
        step.status, step.started_at, step.finished_at = _done_status(step), now, now
        step.save(update_fields=["status", "started_at", "finished_at"])
        events.APPROVAL_BY_SUBMISSION.record(by=request.requester, **_on(request), note=step.name,
                                             after={"step": step.name})
        return []
    people = _approvers(step, request, policy.escalation)
    if not people:
        raise _no_approver(step)
    step.status = StepStatus.ACTIVE
    step.started_at = now
    step.due_at = _due(step, policy, now)
    step.save(update_fields=["status", "started_at", "due_at"])
    tasks = []
    for assignee, behalf in with_delegation(people, timezone.localdate(now), requester=request.requester):
        tasks.append(ApprovalTask(step=step, request=request, approver=assignee, on_behalf_of=behalf,
                                  due_at=step.due_at))
    tasks = _unique_tasks(tasks)
    ApprovalTask.objects.bulk_create(tasks)
    adapter = adapter_for(request.document_type)

    def body():
        if step.due_at is None:
            return _("Stage: {stage}.").format(stage=step.name)
        return _("Stage: {stage}. Due {due:%Y-%m-%d %H:%M}.").format(stage=step.name,
                                                                     due=timezone.localtime(step.due_at))

    notify([t.approver for t in tasks], kind="approval.new",
           title=lambda: _("Approval needed: {title}").format(title=request.title),
           body=body, url=adapter.url(request.document_id))
    return tasks


def _done_status(step: ApprovalStep) -> str:
    return StepStatus.OPINED if step.kind == StageKind.OPINION else StepStatus.APPROVED


def _unique_tasks(tasks: list[ApprovalTask]) -> list[ApprovalTask]:
    seen, unique = set(), []
    for t in tasks:
        if t.approver.pk not in seen:
            seen.add(t.approver.pk)
            unique.append(t)
    return unique


def _start_round(request: ApprovalRequest, policy: ApprovalPolicy, by, now) -> None:
    stages = list(policy.stages.order_by("step", "id"))
    if not stages:
        raise AppError(codes.POLICY_INVALID, _("The approval policy “{name}” has no stages.").format(name=policy.name))
    ApprovalStep.objects.bulk_create([
        ApprovalStep(request=request, round=request.round, step=s.step, name=s.name, rule=s.rule, role=s.role,
                     mode=s.mode, kind=s.kind, deadline_days=s.deadline_days)
        for s in stages
    ])
    _advance(request, by, now)


@transaction.atomic
def approval_submit(*, by, document_type: str, document_id: int) -> ApprovalRequest:
    """Start (or, after a rejection or withdrawal, restart) the approval of a document.
    Locks the request (if any) first and the document second — the order every engine write uses."""
    adapter = adapter_for(document_type)
    request = ApprovalRequest.objects.select_for_update().filter(document_type=document_type,
                                                                  document_id=document_id).first()
    document = adapter.get(document_id)
    if request is None:
        # A concurrent first submission may have committed while we waited for the document's lock.
        request = ApprovalRequest.objects.select_for_update().filter(document_type=document_type,
                                                                      document_id=document_id).first()
    requester = adapter.requester(document)
    if by.pk != requester.pk:
        raise PermissionRefused(_("Only the author can submit this document for approval."))
    if request is not None and request.status == RequestStatus.PENDING:
        raise Conflict(codes.ALREADY_PENDING, _("This document is already waiting for approval."))
    facts = adapter.facts(document)
    policy = policy_for(document_type, facts)
    if policy is None:
        raise AppError(codes.NO_POLICY, _("No approval policy applies to this document; ask an administrator."))
    summary = adapter.summary(document)
    now = timezone.now()
    check_stages(policy, ApprovalRequest(requester=requester))
    if request is None:
        request = ApprovalRequest.objects.create(
            policy=policy, policy_version=policy.version, document_type=document_type, document_id=document_id,
            requester=requester, requester_unit_id=requester.unit_id, **summary)
        event = events.APPROVAL_SUBMITTED
    else:
        request.status = REQUEST_FLOW.next(request.status, "resubmit")
        request.round += 1
        request.policy, request.policy_version = policy, policy.version
        for key, value in summary.items():
            setattr(request, key, value)
        request.decided_at = None
        request.save()
        event = events.APPROVAL_RESUBMITTED
    _start_round(request, policy, by, now)
    adapter.on_submitted(document, request, by)
    # "policy" is the policy's code (stable across databases), not its id: the history shows it as stored.
    event.record(by=by, **_on(request), note=policy.name,
                 after={"round": request.round, "policy": policy.code})
    return request


def _lock_request(request_id: int) -> ApprovalRequest:
    request = ApprovalRequest.objects.select_for_update(of=("self",)).select_related("policy", "requester").filter(
        pk=request_id).first()
    if request is None:
        raise NotFound(_("Approval request not found."))
    return request


@transaction.atomic
def approval_decide(*, by, task_id: int, approve: bool, opinion: str = "") -> ApprovalTask:
    """Decide a task with a written opinion (签署意见).

    A gate approves or rejects; a rejection needs the opinion and sends the document back to its author. An
    opinion stage (002 C9/B9 "签署自己的意见并将资料及时上报") agrees or disagrees, always with the opinion written,
    and the papers go up either way: the next stage decides on them."""
    request_id = ApprovalTask.objects.filter(pk=task_id).values_list("request_id", flat=True).first()
    if request_id is None:
        raise NotFound(_("Approval task not found."))
    request = _lock_request(request_id)
    task = ApprovalTask.objects.select_related("step", "approver", "on_behalf_of").get(pk=task_id)
    if task.approver_id != by.pk:
        raise NotFound(_("Approval task not found."))  # the same answer as a missing task: nothing leaks
    if by.pk == request.requester_id:
        raise PermissionRefused(_("Nobody approves their own request."), code=codes.SELF_APPROVAL,
                               refusal="self_approval")
    if task.status != TaskStatus.PENDING or task.step.status != StepStatus.ACTIVE or request.status != RequestStatus.PENDING:
        raise Conflict(codes.ALREADY_DECIDED, _("This approval has already been decided."))
    step = task.step
    is_opinion = step.kind == StageKind.OPINION
    opinion = (opinion or "").strip()
    if not opinion and (is_opinion or not approve):
        message = (_("Write your opinion: it goes up with the papers.") if is_opinion
                   else _("Write your opinion: the author needs to know why."))
        raise ValidationFailed({"opinion": [message]}, code=codes.OPINION_REQUIRED)
    now = timezone.now()
    if is_opinion:
        task.status = TaskStatus.AGREED if approve else TaskStatus.DISAGREED
    else:
        task.status = TaskStatus.APPROVED if approve else TaskStatus.REJECTED
    task.opinion, task.decided_at = opinion[:4000], now
    task.save(update_fields=["status", "opinion", "decided_at"])

    def who_text() -> str:
        if task.on_behalf_of_id:
            return _("{user} for {other}").format(user=by.display_name, other=task.on_behalf_of.display_name)
        return by.display_name

    who = who_text()
    event = events.APPROVAL_OPINION if is_opinion else (
        events.APPROVAL_APPROVED if approve else events.APPROVAL_REJECTED)
    event.record(by=by, **_on(request), note=opinion,
                 after={"step": step.name, "by": who, "verdict": task.status})
    adapter = adapter_for(request.document_type)
    if not approve and not is_opinion:
        _finish_step(step, StepStatus.REJECTED, now)
        _cancel_open(request, now)
        request.status = REQUEST_FLOW.next(request.status, "reject")
        request.decided_at, request.current_step = now, None
        request.save(update_fields=["status", "decided_at", "current_step", "updated_at"])
        document = adapter.get(request.document_id)
        adapter.on_returned(document, request, by, opinion)
        notify(_result_recipients(adapter, document, request), kind="approval.rejected",
               title=lambda: _("Rejected: {title}").format(title=request.title),
               body=lambda: _("{who}: {opinion}").format(who=who_text(), opinion=opinion), url=adapter.url(request.document_id))
        return task
    pending = step.tasks.filter(status=TaskStatus.PENDING).exclude(pk=task.pk)
    # An escalated approver decides for the whole stage; otherwise the stage's any/all rule applies.
    if step.mode == StageMode.ANY or task.escalated or not pending.exists():
        pending.update(status=TaskStatus.CANCELLED, decided_at=now)
        _finish_step(step, _done_status(step), now)
        _advance(request, by, now)
    return task


def _result_recipients(adapter, document, request: ApprovalRequest) -> list[User]:
    """Who hears the final answer: the requester, and whoever the document names (the discount request: the
    supervisor and the rep who prepares the reservation, 002 A9 "下发销售主管,以便销售顾问与客户签订预定书")."""
    people = [request.requester, *(adapter.told_of_result(document, request) if adapter.told_of_result else [])]
    return [person for person in people if person is not None and person.is_active]  # notify() sends one each


def _finish_step(step: ApprovalStep, status: str, now) -> None:
    step.status, step.finished_at = status, now
    step.save(update_fields=["status", "finished_at"])


def _cancel_open(request: ApprovalRequest, now) -> None:
    ApprovalTask.objects.filter(request=request, status=TaskStatus.PENDING).update(status=TaskStatus.CANCELLED,
                                                                                   decided_at=now)
    ApprovalStep.objects.filter(request=request, round=request.round,
                                status__in=[StepStatus.ACTIVE, StepStatus.WAITING]).update(
        status=StepStatus.CANCELLED, finished_at=now)


def _advance(request: ApprovalRequest, by, now) -> None:
    """When every stage of the current step is done, start the next step (recording at once the stages the
    requester's submission decided), or approve the request when none is left."""
    steps = list(ApprovalStep.objects.filter(request=request, round=request.round))
    while True:
        if any(s.status == StepStatus.ACTIVE for s in steps):
            return  # a stage of the current step is still deciding
        waiting = sorted({s.step for s in steps if s.status == StepStatus.WAITING})
        if not waiting:
            break
        request.current_step = waiting[0]
        request.save(update_fields=["current_step", "updated_at"])
        for step in steps:
            if step.step == waiting[0]:
                _start_step(step, request, request.policy, now, by)
    adapter = adapter_for(request.document_type)
    request.status = REQUEST_FLOW.next(request.status, "approve")
    request.decided_at, request.current_step = now, None
    request.save(update_fields=["status", "decided_at", "current_step", "updated_at"])
    document = adapter.get(request.document_id)
    adapter.on_approved(document, request, by)
    events.APPROVAL_COMPLETED.record(by=by, **_on(request), after={"status": request.status})
    notify(_result_recipients(adapter, document, request), kind="approval.approved",
           title=lambda: _("Approved: {title}").format(title=request.title),
           body=(lambda: adapter.result_terms(document)) if adapter.result_terms else None,
           url=adapter.url(request.document_id))


@transaction.atomic
def approval_withdraw(*, by, request_id: int) -> ApprovalRequest:
    request = _lock_request(request_id)
    request.require("withdraw", by=by)
    now = timezone.now()
    request.status = REQUEST_FLOW.next(request.status, "withdraw")
    _cancel_open(request, now)
    request.decided_at, request.current_step = now, None
    request.save(update_fields=["status", "decided_at", "current_step", "updated_at"])
    adapter = adapter_for(request.document_type)
    adapter.on_returned(adapter.get(request.document_id), request, by, "")
    events.APPROVAL_WITHDRAWN.record(by=by, **_on(request))
    return request


def approvals_sweep(now: dt.datetime | None = None, batch: int = 1000) -> dict:
    """Flag overdue stages and remind their approvers; after the policy's grace, escalate to the next level up.

    Works in batches of steps. Each batch locks its requests first (in id order, SKIP LOCKED), the same
    lock a decision takes first, so a sweep and a decision never deadlock: a request being decided right now
    is simply left for the next sweep. Flags are set once, so the sweep is idempotent and two workers can
    run it at the same time; each pass moves forward by step id, so it always ends.
    """
    from salesflow.workcal.calendar import snapshot

    now = now or timezone.now()
    calendar = snapshot()  # one read of the working calendar for the whole sweep
    flagged = escalated = 0
    base = ApprovalStep.objects.filter(status=StepStatus.ACTIVE)
    overdue = base.filter(due_at__lt=now, overdue_at__isnull=True)
    flagged = _in_batches(overdue, batch, lambda steps: _remind_many(steps, now),
                          still=lambda s: s.status == StepStatus.ACTIVE and s.overdue_at is None)
    for grace in set(ApprovalPolicy.objects.values_list("escalation_grace_hours", flat=True)):
        ripe = base.filter(escalated_at__isnull=True, overdue_at__isnull=False,
                           due_at__lte=now - dt.timedelta(hours=grace),
                           request__policy__escalation_grace_hours=grace)
        escalated += _in_batches(ripe, batch, lambda steps: _escalate_many(steps, now, calendar),
                                 still=lambda s: s.status == StepStatus.ACTIVE and s.escalated_at is None)
    return {"flagged": flagged, "escalated": escalated}


def _in_batches(queryset, batch: int, handle, still) -> int:
    """Walk the candidate steps by deadline (the partial index on active steps' due_at), keyset-paginated on
    (due_at, id) so each pass moves forward even when some rows are skipped as locked."""
    done, last = 0, None
    while True:
        page = queryset
        if last is not None:
            page = page.filter(Q(due_at__gt=last[0]) | Q(due_at=last[0], pk__gt=last[1]))
        rows = list(page.order_by("due_at", "pk").values_list("pk", "request_id", "due_at")[:batch])
        if not rows:
            return done
        last = (rows[-1][2], rows[-1][0])
        with transaction.atomic():
            locked = set(ApprovalRequest.objects.select_for_update(skip_locked=True)
                         .filter(pk__in={r for _s, r, _d in rows}).order_by("pk").values_list("pk", flat=True))
            # Re-read under the lock (by id only: a plain plan) — a decision or another sweep may have got there
            # first, which ``still`` checks.
            steps = [s for s in ApprovalStep.objects.filter(pk__in=[s for s, r, _d in rows if r in locked])
                     .select_related("request__policy", "request__requester") if still(s)]
            if steps:
                handle(steps)
                done += len(steps)
        if len(rows) < batch:
            return done


def _remind_many(steps: list[ApprovalStep], now) -> None:
    ApprovalStep.objects.filter(pk__in=[s.pk for s in steps]).update(overdue_at=now)
    tasks = list(ApprovalTask.objects.filter(step__in=steps, status=TaskStatus.PENDING).select_related("approver"))
    ApprovalTask.objects.filter(pk__in=[t.pk for t in tasks]).update(reminded_at=now)
    by_step: dict[int, list] = {}
    for task in tasks:
        by_step.setdefault(task.step_id, []).append(task.approver)
    notices, audit = [], []
    for step in steps:
        request = step.request
        url = adapter_for(request.document_type).url(request.document_id)
        notices += notice_rows(by_step.get(step.pk, []), kind="approval.overdue", url=url,
                               title=lambda r=request: _("Overdue: {title}").format(title=r.title),
                               body=lambda s=step: _("Stage {stage} was due {due:%Y-%m-%d %H:%M}.").format(
                                   stage=s.name, due=timezone.localtime(s.due_at)))
        audit.append(events.APPROVAL_OVERDUE.row(by=None, **_on(request), note=step.name))
    _store(notices, audit)


def _escalate_many(steps: list[ApprovalStep], now, calendar) -> None:
    tasks = list(ApprovalTask.objects.filter(request__in={s.request_id for s in steps})
                 .select_related("approver", "on_behalf_of", "approver__manager", "on_behalf_of__manager"))
    on_step: dict[int, list] = {}
    for task in tasks:
        on_step.setdefault(task.step_id, []).append(task)
    added, notices, audit = [], [], []
    due = calendar.add_working_days(now, 0)
    bosses: dict[tuple, list] = {}  # the next level up of each approver, resolved once per batch
    for step in steps:
        request = step.request
        excluded = {request.requester_id}  # only the requester: having decided an earlier stage excludes nobody
        lane = lane_of(step.rule, step.role)
        existing = {t.approver_id for t in on_step.get(step.pk, [])}
        new_here = []
        for task in on_step.get(step.pk, []):
            if task.status != TaskStatus.PENDING or task.escalated:
                continue
            original = task.on_behalf_of or task.approver
            key = (original.pk, request.policy_id, lane)
            if key not in bosses:
                bosses[key] = next_level_up(original, request.policy.escalation, lane)
            for boss in bosses[key]:
                if boss.pk not in excluded and boss.pk not in existing:
                    existing.add(boss.pk)
                    new_here.append(ApprovalTask(step=step, request=request, approver=boss, escalated=True, due_at=due))
        added += new_here
        url = adapter_for(request.document_type).url(request.document_id)
        notices += notice_rows([t.approver for t in new_here], kind="approval.escalated", url=url,
                               title=lambda r=request: _("Escalated to you: {title}").format(title=r.title),
                               body=lambda s=step: _("Stage {stage} is overdue.").format(stage=s.name))
        audit.append(events.APPROVAL_ESCALATED.row(by=None, **_on(request), note=step.name,
                                                   after={"to": [t.approver.username for t in new_here]}))
    ApprovalTask.objects.bulk_create(added)
    ApprovalStep.objects.filter(pk__in=[s.pk for s in steps]).update(escalated_at=now)
    _store(notices, audit)


def _store(notices: list, audit: list) -> None:
    # The sweep writes thousands of rows at once: plain rows (COPY / executemany), not an ORM object each.
    notices_insert(notices)
    record_many(audit)


def request_for(document_type: str, document_id: int) -> ApprovalRequest | None:
    return ApprovalRequest.objects.filter(document_type=document_type, document_id=document_id).first()


@transaction.atomic
def delegation_create(*, by, delegate: User, starts_on: dt.date, ends_on: dt.date, note: str = "",
                      user: User | None = None):
    """A user away names a colleague for a date range (admins may set it up for someone else)."""
    from salesflow.org.roles import has_capability

    from .models import Delegation

    user = user or by
    if user.pk != by.pk and not has_capability(by, "org.manage"):
        raise PermissionRefused()
    from .delegation import eligible_delegates

    errors = {}
    if delegate is None or not delegate.is_active or delegate.pk == user.pk:
        errors["delegate"] = [_("Choose an active colleague other than yourself.")]
    elif not eligible_delegates(user=user).filter(pk=delegate.pk).exists():
        # Issue #15: a delegate decides in the absent person's place, so they must be able to hold those decisions.
        errors["delegate"] = [_("{name} cannot stand in for these approvals: choose someone with the same role or "
                                "a higher one, in the same region or above it.").format(name=delegate.display_name)]
    if starts_on is None or ends_on is None or ends_on < starts_on:
        errors["ends_on"] = [_("The end date must not be before the start date.")]
    if errors:
        raise ValidationFailed(errors, code=codes.DELEGATION_INVALID)
    delegation = Delegation.objects.create(user=user, delegate=delegate, starts_on=starts_on, ends_on=ends_on,
                                           note=note.strip()[:200])
    events.DELEGATION_CREATED.record(by=by, obj=delegation, after={
        "user": user.pk, "delegate": delegate.pk, "from": str(starts_on), "until": str(ends_on)})
    return delegation


@transaction.atomic
def delegation_end(*, by, delegation_id: int) -> None:
    from .models import Delegation

    delegation = Delegation.objects.select_for_update().filter(pk=delegation_id, user=by).first()
    if delegation is None:
        raise NotFound(_("Delegation not found."))
    today = timezone.localdate()
    delegation.ends_on = max(delegation.starts_on, today - dt.timedelta(days=1)) if delegation.starts_on < today \
        else delegation.starts_on
    if delegation.starts_on >= today:
        delegation.delete()
    else:
        delegation.save(update_fields=["ends_on"])
    events.DELEGATION_ENDED.record(by=by, object_type="approvals.delegation", object_id=delegation_id)
