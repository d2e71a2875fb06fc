"""The approval engine's data: policies (what the regulations say) and requests (what is happening).

A policy is data an admin can edit; a request copies the policy's stages when it starts a round, so a policy
edit never changes a request already under way.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesflow.core.statemachine import StateMachine
from salesflow.org.guards import Guarded, Permit
from salesflow.org.scope import ScopedQuerySet

from .error_codes import NOT_REQUESTER


class ApproverRule(models.TextChoices):
    # Resolved through the organisation at the moment a stage starts (see resolve.py).
    REQUESTER_SUPERVISOR = "requester_supervisor", _("The requester's supervisor")
    REQUESTER_MANAGER = "requester_manager", _("The requester's line manager")
    REGION_MANAGER = "region_manager", _("The sales manager of the requester's region")
    ROLE = "role", _("Everyone holding a role")


class StageMode(models.TextChoices):
    ALL = "all", _("All approvers must agree")
    ANY = "any", _("Any one approver decides")


class StageKind(models.TextChoices):
    # 002 C9/B9: the sales manager and the marketing VP each "审核,签署自己的意见并将资料及时上报" — they sign an
    # opinion and pass the papers up whatever it says; the GM (A9) decides "对上报的资料及意见进行审批". A gate can
    # stop the request; an opinion is always forwarded to the next stage.
    GATE = "gate", _("Approve or reject")
    OPINION = "opinion", _("Opinion (always forwarded)")


class ApprovalPolicy(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    document_type = models.CharField(_("document type"), max_length=64, db_index=True)
    description = models.TextField(_("description"), blank=True)
    regulation = models.CharField(_("regulation"), max_length=16, blank=True, help_text=_("e.g. R13"))
    # [{"field": "discount_percent", "op": "gt", "value": "5"}, …]; all must hold. Empty = always applies.
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    priority = models.PositiveIntegerField(_("priority"), default=100,
                                           help_text=_("Lower numbers are tried first; the first match applies."))
    # Who takes over an overdue approval, by role: {"supervisor": "manager", "manager": "director", …};
    # a role not in the map escalates to the approver's own manager.
    escalation = models.JSONField(_("escalation"), default=dict, blank=True)
    escalation_grace_hours = models.PositiveIntegerField(_("escalation grace (hours)"), default=4)
    # "Same working day" deadlines: a stage that starts after this time is due by the end of the next working day.
    same_day_cutoff = models.TimeField(_("same-day cut-off"), default=dt.time(16, 0))
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("approval policy")
        verbose_name_plural = _("approval policies")
        ordering = ["document_type", "priority", "code"]

    def __str__(self):
        return self.name


class PolicyStage(models.Model):
    policy = models.ForeignKey(ApprovalPolicy, verbose_name=_("policy"), on_delete=models.CASCADE,
                               related_name="stages")
    # Stages with the same step number run side by side (e.g. C9 and B9); the next number waits for them.
    step = models.PositiveIntegerField(_("step"))
    name = models.CharField(_("name"), max_length=100)
    rule = models.CharField(_("approver"), max_length=32, choices=ApproverRule.choices)
    role = models.CharField(_("role"), max_length=32, blank=True)
    mode = models.CharField(_("decision"), max_length=8, choices=StageMode.choices, default=StageMode.ANY)
    kind = models.CharField(_("stage type"), max_length=8, choices=StageKind.choices, default=StageKind.GATE)
    # None = no deadline; 0 = the same working day (see the policy's cut-off); N = within N working days.
    deadline_days = models.PositiveIntegerField(_("deadline (working days)"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy stage")
        verbose_name_plural = _("policy stages")
        ordering = ["policy", "step", "id"]

    def __str__(self):
        return self.name


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")  # a round is running
    APPROVED = "approved", _("Approved")  # every stage agreed; the document moved on
    REJECTED = "rejected", _("Rejected")  # an approver said no; the document went back to its author
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the author took it back while it was pending


REQUEST_FLOW = StateMachine(
    RequestStatus,
    {
        RequestStatus.PENDING: {"approve": RequestStatus.APPROVED, "reject": RequestStatus.REJECTED,
                                "withdraw": RequestStatus.WITHDRAWN},
        RequestStatus.REJECTED: {"resubmit": RequestStatus.PENDING},
        RequestStatus.WITHDRAWN: {"resubmit": RequestStatus.PENDING},
    },
)


class ApprovalRequestQuerySet(ScopedQuerySet):
    """The requester always sees their requests, a unit head those of requesters in their subtree, leadership
    all; and an approver every request they were asked to decide (a delegate's tasks are theirs too)."""

    scope_owner = "requester_id"
    scope_unit = "requester_unit_id"
    scope_owner_always = True

    def extra_scope(self, user, scope):
        return Q(pk__in=ApprovalTask.objects.filter(approver_id=scope.user_id).values("request_id"))


class ApprovalRequest(Guarded, models.Model):
    """One document's way through a policy. A rejection or withdrawal ends a round; resubmitting starts the
    next round on the same request, so the whole history stays together."""

    # The decisions are the approvers' tasks (approvals.services.approval_decide); the requester may withdraw.
    flow = REQUEST_FLOW
    permits = {
        "withdraw": Permit(who="owner", refusal=_("Only the author can withdraw the request."), code=NOT_REQUESTER),
    }

    policy = models.ForeignKey(ApprovalPolicy, verbose_name=_("policy"), on_delete=models.PROTECT,
                               related_name="requests")
    policy_version = models.PositiveIntegerField(_("policy version"), default=1)
    document_type = models.CharField(_("document type"), max_length=64)
    document_id = models.BigIntegerField(_("document id"))
    title = models.CharField(_("title"), max_length=255)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, null=True, blank=True)
    customer_id = models.BigIntegerField(_("customer id"), null=True, blank=True)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.PROTECT,
                                  related_name="approval_requests")
    requester_unit_id = models.BigIntegerField(_("requester's unit"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    round = models.PositiveIntegerField(_("round"), default=1)
    current_step = models.PositiveIntegerField(_("current step"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ApprovalRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["document_type", "document_id"], name="approvals_one_request_per_document"),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="approvals_request_status_valid"),
        ]
        indexes = [
            models.Index(fields=["requester", "-id"], name="approvals_req_requester_idx"),
            models.Index(fields=["status", "-id"], name="approvals_req_status_idx"),
        ]

    def __str__(self):
        return self.title


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Not started")
    ACTIVE = "active", _("In progress")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    OPINED = "opined", _("Opinions given")  # an opinion stage is done whatever the opinions say
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalStep(models.Model):
    """A policy stage instantiated for one round of one request."""

    request = models.ForeignKey(ApprovalRequest, verbose_name=_("request"), on_delete=models.CASCADE,
                                related_name="steps")
    round = models.PositiveIntegerField(_("round"))
    step = models.PositiveIntegerField(_("step"))
    name = models.CharField(_("name"), max_length=100)
    rule = models.CharField(_("approver"), max_length=32, choices=ApproverRule.choices)
    role = models.CharField(_("role"), max_length=32, blank=True)
    mode = models.CharField(_("decision"), max_length=8, choices=StageMode.choices)
    kind = models.CharField(_("stage type"), max_length=8, choices=StageKind.choices, default=StageKind.GATE)
    deadline_days = models.PositiveIntegerField(_("deadline (working days)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=StepStatus.choices, default=StepStatus.WAITING)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("flagged overdue"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["request", "round", "step", "id"]
        indexes = [
            # The deadline sweep reads only active steps, oldest deadline first.
            models.Index(fields=["due_at"], condition=Q(status="active"), name="approvals_step_due_idx"),
        ]

    def __str__(self):
        return self.name


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    AGREED = "agreed", _("Agrees")  # an opinion stage's answers
    DISAGREED = "disagreed", _("Disagrees")
    CANCELLED = "cancelled", _("No longer needed")


DECIDED_TASK_STATUSES = (TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.AGREED, TaskStatus.DISAGREED)
FAVOURABLE_TASK_STATUSES = (TaskStatus.APPROVED, TaskStatus.AGREED)


class ApprovalTask(models.Model):
    """One approver's part in a step: what lands in their inbox."""

    step = models.ForeignKey(ApprovalStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="tasks")
    request = models.ForeignKey(ApprovalRequest, verbose_name=_("request"), on_delete=models.CASCADE,
                                related_name="tasks")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT,
                                 related_name="approval_tasks")
    # Set when the approver acts for someone away (delegation): the record shows "X for Y".
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("on behalf of"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    escalated = models.BooleanField(_("added by escalation"), default=False)
    # The requester holds this stage's lane (e.g. a supervisor's own request and D8): submitting was the decision.
    by_submission = models.BooleanField(_("decided by submitting"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    opinion = models.TextField(_("opinion"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "approver"], name="approvals_one_task_per_approver_and_step"),
        ]
        indexes = [
            # The inbox: an approver's pending tasks by deadline. A plain composite index rather than a partial
            # one: SQLite's planner would not use the partial index for the count (a scan of 200k decided rows).
            models.Index(fields=["approver", "status", "due_at"], name="approvals_inbox_idx"),
            models.Index(fields=["approver", "-decided_at"], name="approvals_history_idx"),
        ]

    def __str__(self):
        return f"{self.approver} · {self.step}"


class Delegation(models.Model):
    """While away, a user's approvals go to a named colleague for a date range."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("away"), on_delete=models.CASCADE,
                             related_name="delegations")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("delegate"), on_delete=models.CASCADE,
                                 related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="approvals_delegation_dates"),
            models.CheckConstraint(condition=~Q(user=models.F("delegate")), name="approvals_delegation_not_self"),
        ]

    def __str__(self):
        return f"{self.user} → {self.delegate}"

