"""The discount request as a document of the approval engine (R13)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesflow.approvals.registry import DocumentAdapter, register

DOCUMENT_TYPE = "deals.discountrequest"


def _get(document_id):
    from .models import DiscountRequest

    return DiscountRequest.objects.select_for_update().select_related("customer", "requester").get(pk=document_id)


def _facts(doc) -> dict:
    return {"amount": doc.amount, "discount_percent": doc.discount_percent, "discount_amount": doc.discount_amount,
            "customer_tier": doc.customer.tier}


def _summary(doc) -> dict:
    # No translated words in the stored title: pages show the document's label in the reader's language.
    return {"title": f"{doc.number} · {doc.customer.name}"[:255], "amount": doc.amount,
            "discount_percent": doc.discount_percent, "customer_id": doc.customer_id}


def _move(doc, action, **fields):
    from .models import DISCOUNT_FLOW

    doc.status = DISCOUNT_FLOW.next(doc.status, action)
    for key, value in fields.items():
        setattr(doc, key, value)
    doc.save(update_fields=["status", "updated_at", *fields])


def _approved(doc, request, by):
    # D8/A9: the approved terms become a new signed version that goes back to the rep the same day.
    _move(doc, "approve", approved_at=timezone.now(), terms_version=doc.terms_version + 1, last_opinion="")


def register_documents() -> None:
    register(DocumentAdapter(
        document_type=DOCUMENT_TYPE,
        label=_("Discount request"),
        get=_get,
        facts=_facts,
        summary=_summary,
        requester=lambda doc: doc.requester,
        url=lambda document_id: reverse("deals:discount_detail", args=[document_id]),
        on_submitted=lambda doc, request, by: _move(doc, "submit", last_opinion=""),
        on_approved=_approved,
        on_returned=lambda doc, request, by, opinion: _move(doc, "return", last_opinion=opinion),
    ))
