"""The discount request as a document of the approval engine (R13)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesflow.approvals.registry import DocumentAdapter, register

DOCUMENT_TYPE = "deals.discountrequest"


def _get(document_id):
    from .models import DiscountRequest

    # Lock the document's own row only (of=self): locking the joined customer and requester rows too would take
    # them in the opposite order to a customer reassignment (customer, then its documents) and could deadlock.
    return (DiscountRequest.objects.select_for_update(of=("self",)).select_related("customer", "requester")
            .get(pk=document_id))


def _facts(doc) -> dict:
    return {"amount": doc.amount, "discount_percent": doc.discount_percent, "discount_amount": doc.discount_amount,
            "customer_tier": doc.customer.tier}


def _summary(doc) -> dict:
    # No translated words in the stored title: pages show the document's label in the reader's language.
    return {"title": f"{doc.number} · {doc.customer.name}"[:255], "amount": doc.amount,
            "discount_percent": doc.discount_percent, "customer_id": doc.customer_id}


def _move(doc, action, by=None, **fields):
    from .services import discount_apply_verdict

    discount_apply_verdict(doc, action, by=by, **fields)


def _approved(doc, request, by):
    # D8/A9: the approved terms become a new signed version that goes back to the rep the same day.
    _move(doc, "approve", by=by, approved_at=timezone.now(), terms_version=doc.terms_version + 1, last_opinion="")


def _told_of_result(doc, request) -> list:
    """002 A9 "审批合格后签署意见并下发销售主管,以便销售顾问与客户签订预定书": the supervisor who decided D8 (or
    whose submission was D8) and the rep who owns the customer and prepares the reservation (E8 签预定书)."""
    from salesflow.approvals.models import FAVOURABLE_TASK_STATUSES, ApprovalTask

    d8 = (ApprovalTask.objects.filter(request=request, step__round=request.round, step__step=1,
                                      status__in=FAVOURABLE_TASK_STATUSES)
          .select_related("approver"))
    return [*(task.approver for task in d8), doc.customer.owner]


def _result_terms(doc) -> str:
    terms = _("Approved terms: {amount} with a discount of {percent} ({discount}).").format(
        percent=f"{doc.discount_percent.normalize():f}%", amount=doc.amount, discount=doc.discount_amount)
    return f"{terms} {doc.terms}".strip()


def register_documents() -> None:
    register(DocumentAdapter(
        document_type=DOCUMENT_TYPE,
        label=_("Discount request"),
        get=_get,
        facts=_facts,
        summary=_summary,
        requester=lambda doc: doc.requester,
        url=lambda document_id: reverse("deals:discount_detail", args=[document_id]),
        on_submitted=lambda doc, request, by: _move(doc, "submit", by=by, last_opinion=""),
        on_approved=_approved,
        on_returned=lambda doc, request, by, opinion: _move(doc, "return", by=by, last_opinion=opinion),
        told_of_result=_told_of_result,
        result_terms=_result_terms,
    ))
