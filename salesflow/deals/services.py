"""Discount requests (优惠申请): a rep drafts, submits to R13, and the engine decides."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.approvals import services as approvals
from salesflow.audit import events
from salesflow.core.errors import NotFound, PermissionRefused, ValidationFailed
from salesflow.core.statemachine import InvalidTransition
from salesflow.crm.models import Customer
from salesflow.org.roles import has_capability

from .approval import DOCUMENT_TYPE
from .models import DiscountRequest, DiscountStatus

FIELDS = ["customer", "amount", "discount_percent", "discount_amount", "reason", "terms", "status"]
CENT = Decimal("0.01")


def _clean(data: dict) -> dict:
    errors, cleaned = {}, {}
    for key, low, high in (("amount", Decimal("0.01"), Decimal("999999999999.99")),
                           ("discount_percent", Decimal("0.01"), Decimal("100"))):
        raw = str(data.get(key, "")).strip().replace(",", "")
        try:
            value = Decimal(raw).quantize(CENT, rounding=ROUND_HALF_UP)
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[key] = [_("Enter a number such as 12.50.")]
            continue
        if not low <= value <= high:
            errors[key] = [_("Enter a value from {low} to {high}.").format(low=low, high=high)]
        cleaned[key] = value
    cleaned["reason"] = str(data.get("reason", "")).strip()[:4000]
    if not cleaned["reason"]:
        errors["reason"] = [_("Explain why the customer should get this discount.")]
    cleaned["terms"] = str(data.get("terms", "")).strip()[:4000]
    if errors:
        raise ValidationFailed(errors)
    cleaned["discount_amount"] = (cleaned["amount"] * cleaned["discount_percent"] / 100).quantize(CENT, ROUND_HALF_UP)
    return cleaned


def _number() -> str:
    today = timezone.localdate()
    prefix = f"YH{today:%Y%m%d}"
    last = DiscountRequest.objects.filter(number__startswith=prefix).order_by("-number").values_list(
        "number", flat=True).first()
    seq = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _locked(by, discount_id: int) -> DiscountRequest:
    doc = (DiscountRequest.objects.visible_to(by).select_for_update(of=("self",))
           .select_related("customer", "requester").filter(pk=discount_id).first())
    if doc is None:
        raise NotFound(_("Discount request not found."))
    return doc


@transaction.atomic
def discount_create(*, by, customer_id: int, data: dict) -> DiscountRequest:
    if not has_capability(by, "discount.request"):
        raise PermissionRefused()
    customer = Customer.objects.visible_to(by).filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed({"customer": [_("Choose one of your customers.")]})
    cleaned = _clean(data)
    # The unique number is the last guard if two requests are numbered at the same moment.
    doc = DiscountRequest.objects.create(number=_number(), customer=customer, requester=by, unit_id=by.unit_id,
                                         **cleaned)
    events.record(by=by, action="discount.created", obj=doc, customer_id=customer.pk,
                  after=events.snapshot(doc, FIELDS))
    return doc


@transaction.atomic
def discount_update(*, by, discount_id: int, data: dict) -> DiscountRequest:
    doc = _locked(by, discount_id)
    if doc.requester_id != by.pk:
        raise PermissionRefused(_("Only the author can change the request."))
    if doc.status != DiscountStatus.DRAFT:
        raise InvalidTransition(DiscountStatus(doc.status), _("edit"))
    before = events.snapshot(doc, FIELDS)
    cleaned = _clean(data)
    for key, value in cleaned.items():
        setattr(doc, key, value)
    doc.save(update_fields=[*cleaned, "updated_at"])
    events.record(by=by, action="discount.updated", obj=doc, customer_id=doc.customer_id, before=before,
                  after=events.snapshot(doc, FIELDS))
    return doc


def _visible(by, discount_id: int) -> DiscountRequest:
    doc = DiscountRequest.objects.visible_to(by).filter(pk=discount_id).first()
    if doc is None:
        raise NotFound(_("Discount request not found."))
    return doc


# Submit and withdraw check visibility without a lock and let the engine lock: request first, then the
# document (through the adapter), the same order as a decision, so the two can never deadlock.
@transaction.atomic
def discount_submit(*, by, discount_id: int):
    doc = _visible(by, discount_id)
    if doc.status != DiscountStatus.DRAFT:
        raise InvalidTransition(DiscountStatus(doc.status), _("submit"))
    return approvals.approval_submit(by=by, document_type=DOCUMENT_TYPE, document_id=doc.pk)


@transaction.atomic
def discount_withdraw(*, by, discount_id: int):
    doc = _visible(by, discount_id)
    request = approvals.request_for(DOCUMENT_TYPE, doc.pk)
    if request is None:
        raise InvalidTransition(DiscountStatus(doc.status), _("withdraw"))
    return approvals.approval_withdraw(by=by, request_id=request.pk)
