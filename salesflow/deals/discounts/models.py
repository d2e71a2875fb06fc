"""The discount request (优惠申请, R13) — its state machine, data scope and guards."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesflow.approvals.error_codes import NOT_REQUESTER
from salesflow.core.statemachine import StateMachine
from salesflow.org.guards import Guarded, Permit
from salesflow.org.scope import ScopedQuerySet


class DiscountStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # the author is writing it, or it came back from a rejection
    PENDING = "pending", _("Waiting for approval")  # the approval engine owns it now
    APPROVED = "approved", _("Approved")  # the terms may go to the customer (R13)


# Only the approval engine's verdicts move a submitted request: approve → approved, return → draft.
DISCOUNT_FLOW = StateMachine(
    DiscountStatus,
    {
        DiscountStatus.DRAFT: {"submit": DiscountStatus.PENDING},
        DiscountStatus.PENDING: {"approve": DiscountStatus.APPROVED, "return": DiscountStatus.DRAFT},
    },
)


class DiscountRequestQuerySet(ScopedQuerySet):
    """Same scope as customers on the requester and their unit; the requester always sees their own, anybody
    asked to approve a request sees it, and (issue #15) a customer's owner sees the customer's requests, those
    its previous owner left pending or approved included (read only: only the requester writes)."""

    scope_owner = "requester_id"
    scope_owner_always = True

    def extra_scope(self, user, scope):
        from salesflow.approvals.models import ApprovalTask

        return Q(pk__in=ApprovalTask.objects.filter(approver_id=scope.user_id,
                                                    request__document_type="deals.discountrequest")
                 .values("request__document_id")) | Q(customer__owner_id=scope.user_id)


class DiscountRequest(Guarded, models.Model):
    """优惠申请: a rep asks for a discount on a deal; R13 decides it the same working day."""

    # Only the author writes, submits and withdraws; the approval engine's verdicts (approve / return) move the
    # rest of the flow (discounts.services.discount_apply_verdict).
    flow = DISCOUNT_FLOW
    permits = {
        "edit": Permit(who="owner", states={DiscountStatus.DRAFT}, label=_("edit"),
                       refusal=_("Only the author can change the request.")),
        "submit": Permit(who="owner", label=_("submit"),
                         refusal=_("Only the author can submit this document for approval.")),
        "withdraw": Permit(who="owner", states={DiscountStatus.PENDING}, label=_("withdraw"),
                           refusal=_("Only the author can withdraw the request."), code=NOT_REQUESTER),
    }

    number = models.CharField(_("number"), max_length=32, unique=True)
    customer = models.ForeignKey("crm.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="discount_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.PROTECT,
                                  related_name="discount_requests")
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    amount = models.DecimalField(_("deal amount"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2,
                                           validators=[MinValueValidator(Decimal("0.01")),
                                                       MaxValueValidator(Decimal("100"))])
    discount_amount = models.DecimalField(_("discount amount"), max_digits=14, decimal_places=2, editable=False)
    reason = models.TextField(_("reason"))
    terms = models.TextField(_("proposed terms"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DiscountStatus.choices, default=DiscountStatus.DRAFT)
    last_opinion = models.TextField(_("last opinion"), blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    terms_version = models.PositiveIntegerField(_("terms version"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DiscountRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("discount request")
        verbose_name_plural = _("discount requests")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deals_discount_amount_positive"),
            models.CheckConstraint(condition=Q(discount_percent__gt=0, discount_percent__lte=100),
                                   name="deals_discount_percent_range"),
            models.CheckConstraint(condition=Q(status__in=DiscountStatus.values), name="deals_discount_status_valid"),
        ]
        indexes = [
            models.Index(fields=["requester", "-id"], name="deals_disc_requester_idx"),
            models.Index(fields=["unit", "-id"], name="deals_disc_unit_idx"),
            models.Index(fields=["customer", "-id"], name="deals_disc_customer_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.customer}"

    @property
    def net_amount(self) -> Decimal:
        return self.amount - self.discount_amount
