"""Discount requests (优惠申请, R13): draft, edit, submit to the approval engine, withdraw; the engine's verdicts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.approvals import services as approvals
from salesflow.audit.events import record_many, snapshot
from salesflow.core.errors import NotFound, PermissionRefused, ValidationFailed
from salesflow.core.parsers import (
    CENT,
    REQUIRED,
    parse_field,
    parse_money,
    parse_percent,
    round_money,
)
from salesflow.core.statemachine import InvalidTransition
from salesflow.crm.models import Customer
from salesflow.org.roles import has_capability

from . import events
from .approval import DOCUMENT_TYPE
from .models import DISCOUNT_FLOW, DiscountRequest, DiscountStatus

FIELDS = ["customer", "amount", "discount_percent", "discount_amount", "reason", "terms", "status"]
AMOUNT_MESSAGES = {"invalid": gettext_lazy("Enter a number such as 12.50.")}


def _clean(data: dict) -> dict:
    errors, cleaned = {}, {}
    cleaned["amount"] = parse_field(errors, "amount", parse_money, data.get("amount"), low=CENT, blank=REQUIRED,
                                    messages=AMOUNT_MESSAGES)
    cleaned["discount_percent"] = parse_field(errors, "discount_percent", parse_percent, data.get("discount_percent"),
                                              low=CENT)
    cleaned["reason"] = str(data.get("reason", "")).strip()[:4000]
    if not cleaned["reason"]:
        errors["reason"] = [_("Explain why the customer should get this discount.")]
    cleaned["terms"] = str(data.get("terms", "")).strip()[:4000]
    if errors:
        raise ValidationFailed(errors)
    cleaned["discount_amount"] = round_money(cleaned["amount"] * cleaned["discount_percent"] / 100)
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
    events.DISCOUNT_CREATED.record(by=by, obj=doc, customer_id=customer.pk,
                                   after=snapshot(doc, FIELDS))
    return doc


def _lock_customer_of(by, discount_id: int) -> None:
    """Lock order of every writer (issue #15): the customer's row, then the document. A draft belongs to the
    customer's relationship: whoever may no longer act on the customer (its previous owner, once it was
    reassigned or released to the pool) may not change or submit it; it waits for the customer's next owner
    (``discounts_follow_customer``)."""
    customer_id = (DiscountRequest.objects.visible_to(by).filter(pk=discount_id)
                   .values_list("customer_id", flat=True).first())
    if customer_id is None:
        raise NotFound(_("Discount request not found."))
    if Customer.objects.visible_to(by).select_for_update(of=("self",)).filter(pk=customer_id) \
            .values_list("pk", flat=True).first() is None:
        raise PermissionRefused(_("This customer is no longer yours: the request waits for its new owner."))


@transaction.atomic
def discount_update(*, by, discount_id: int, data: dict) -> DiscountRequest:
    _lock_customer_of(by, discount_id)
    doc = _locked(by, discount_id)
    doc.require("edit", by=by)
    before = snapshot(doc, FIELDS)
    cleaned = _clean(data)
    for key, value in cleaned.items():
        setattr(doc, key, value)
    doc.save(update_fields=[*cleaned, "updated_at"])
    events.DISCOUNT_UPDATED.record(by=by, obj=doc, customer_id=doc.customer_id, before=before,
                                   after=snapshot(doc, FIELDS))
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
    _lock_customer_of(by, discount_id)
    doc = _visible(by, discount_id)
    doc.require("submit", by=by)
    return approvals.approval_submit(by=by, document_type=DOCUMENT_TYPE, document_id=doc.pk)


@transaction.atomic
def discount_withdraw(*, by, discount_id: int):
    doc = _visible(by, discount_id)
    doc.require("withdraw", by=by)
    request = approvals.request_for(DOCUMENT_TYPE, doc.pk)
    if request is None:
        raise InvalidTransition(DiscountStatus(doc.status), _("withdraw"))
    return approvals.approval_withdraw(by=by, request_id=request.pk)


# The engine's verdicts, applied inside its transaction to the document it has locked (discounts/approval.py).
VERDICT_EVENTS = {"submit": events.DISCOUNT_SUBMITTED, "approve": events.DISCOUNT_APPROVED,
                  "return": events.DISCOUNT_RETURNED}


def discount_apply_verdict(doc: DiscountRequest, action: str, *, by=None, **fields) -> DiscountRequest:
    """Move the discount request along its declared flow and audit it on the document itself (the engine
    audits its own request): submit, approve or return, with the fields the verdict sets."""
    before = {"status": doc.status}
    doc.status = DISCOUNT_FLOW.next(doc.status, action)
    for key, value in fields.items():
        setattr(doc, key, value)
    doc.save(update_fields=["status", "updated_at", *fields])
    VERDICT_EVENTS[action].record(by=by, obj=doc, customer_id=doc.customer_id, before=before,
                                  after={"status": doc.status}, note=fields.get("last_opinion", "") or "")
    return doc


def discounts_follow_customer(*, changes: dict, new_owner, by, at, note: str = "") -> int:
    """``crm.hooks.CUSTOMER_OWNER_CHANGED`` (issue #15): the customers' draft requests (being written, or returned
    by the approvers) pass to the new owner, who may finish and submit them. A pending request stays with its
    requester and its approval (the approvers decide what was asked, by whom); an approved one is history, read by
    the new owner through ``DiscountRequestQuerySet.extra_scope``. Released to the pool, drafts wait with their
    requester, who may no longer touch them (``_lock_customer_of``), and follow whoever takes the customer."""
    if new_owner is None:
        return 0
    rows = list(DiscountRequest.objects.select_for_update(of=("self",))
                .filter(customer_id__in=list(changes), status=DiscountStatus.DRAFT).exclude(requester=new_owner)
                .order_by("pk").values_list("pk", "customer_id", "requester_id"))
    if not rows:
        return 0
    DiscountRequest.objects.filter(pk__in=[pk for pk, *_rest in rows]).update(
        requester=new_owner, unit=new_owner.unit_id, updated_at=at)
    record_many(events.DISCOUNT_REASSIGNED.row(
        by=by, object_type="deals.discountrequest", object_id=pk, customer_id=customer_id,
        before={"requester": requester_id}, after={"requester": new_owner.pk}, note=note)
        for pk, customer_id, requester_id in rows)
    return len(rows)
