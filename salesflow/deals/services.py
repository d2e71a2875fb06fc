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


# --- opportunities (商机) -------------------------------------------------------------------------------

OPPORTUNITY_FIELDS = ["name", "customer", "owner", "unit", "stage", "amount", "probability", "expected_close",
                      "value_type", "selling_model", "products", "lost_reason", "won_by"]


def _clean_opportunity(data: dict, *, partial: bool = False) -> dict:
    import datetime as dt

    from .pipeline import SellingModel

    errors, cleaned = {}, {}
    if not partial or "name" in data:
        cleaned["name"] = str(data.get("name", "")).strip()[:200]
        if not cleaned["name"]:
            errors["name"] = [_("This field is required.")]
    if not partial or "amount" in data:
        raw = str(data.get("amount", "") or "0").strip().replace(",", "")
        try:
            cleaned["amount"] = Decimal(raw).quantize(CENT, rounding=ROUND_HALF_UP)
            if not cleaned["amount"].is_finite() or cleaned["amount"] < 0 or cleaned["amount"] > Decimal("999999999999"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["amount"] = [_("Enter an amount such as 500000.00.")]
    if "probability" in data and data["probability"] not in (None, ""):
        try:
            cleaned["probability"] = int(data["probability"])
            if not 0 <= cleaned["probability"] <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["probability"] = [_("Enter a whole number from 0 to 100.")]
    if "expected_close" in data:
        value = data.get("expected_close")
        if value in (None, ""):
            cleaned["expected_close"] = None
        elif isinstance(value, dt.date):
            cleaned["expected_close"] = value
        else:
            try:
                cleaned["expected_close"] = dt.date.fromisoformat(str(value))
            except ValueError:
                errors["expected_close"] = [_("Enter a date such as 2026-03-31.")]
    if "selling_model" in data:
        cleaned["selling_model"] = str(data.get("selling_model") or "")
        if cleaned["selling_model"] and cleaned["selling_model"] not in SellingModel.values:
            errors["selling_model"] = [_("Unknown selling model.")]
    for key in ("value_type", "products"):
        if key in data:
            cleaned[key] = str(data.get(key) or "").strip()[:4000]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


@transaction.atomic
def opportunity_create(*, by, customer_id: int, data: dict, owner=None, source_lead_id: int | None = None):
    """A new opportunity on a customer the actor can see; starts at 接触潜在客户 with its default probability."""
    from salesflow.crm.services import region_of

    from .models import Opportunity, OpportunityStageChange
    from .pipeline import DEFAULT_PROBABILITY, Stage

    if not has_capability(by, "customer.edit"):
        raise PermissionRefused()
    customer = Customer.objects.visible_to(by).filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed({"customer": [_("Choose one of your customers.")]})
    cleaned = _clean_opportunity(data)
    owner = owner or customer.owner
    now = timezone.now()
    opportunity = Opportunity.objects.create(
        customer=customer, owner=owner, unit_id=owner.unit_id, region=region_of(owner.unit),
        stage=Stage.CONTACT, probability=cleaned.pop("probability", DEFAULT_PROBABILITY[Stage.CONTACT]),
        value_type=cleaned.pop("value_type", customer.value_type), source_lead_id=source_lead_id,
        first_contact_at=now, stage_entered_at=now, **cleaned)
    OpportunityStageChange.objects.create(opportunity=opportunity, from_stage="", to_stage=Stage.CONTACT, at=now,
                                          by=by)
    events.record(by=by, action="opportunity.created", obj=opportunity, customer_id=customer.pk,
                  after=events.snapshot(opportunity, OPPORTUNITY_FIELDS))
    return opportunity
