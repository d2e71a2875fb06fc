"""The export request as a document of the approval engine (issue #15)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesflow.approvals.registry import DocumentAdapter, register

from .models import DOCUMENT_TYPE


def _get(document_id):
    from .models import ExportRequest

    return ExportRequest.objects.select_for_update(of=("self",)).select_related("requester").get(pk=document_id)


def _facts(doc) -> dict:
    # Policies may route by list or size (e.g. a second stage above 5,000 rows).
    return {"kind": doc.kind, "row_count": doc.row_count, "row_limit": doc.row_limit}


def _summary(doc) -> dict:
    # No translated words in the stored title: pages show the document's label in the reader's language.
    return {"title": f"#{doc.pk} · {doc.kind} · {doc.row_count}"[:255], "amount": None, "discount_percent": None,
            "customer_id": None}


def _move(doc, action, by=None, **fields):
    from .services import export_apply_verdict

    export_apply_verdict(doc, action, by=by, **fields)


def register_documents() -> None:
    register(DocumentAdapter(
        document_type=DOCUMENT_TYPE,
        label=_("Export request"),
        get=_get,
        facts=_facts,
        summary=_summary,
        requester=lambda doc: doc.requester,
        url=lambda document_id: reverse("exports:request_detail", args=[document_id]),
        # Created pending by export_request_create, which submits it in the same transaction.
        on_submitted=lambda doc, request, by: None,
        on_approved=lambda doc, request, by: _move(doc, "approve", by=by, approved_at=timezone.now(),
                                                   last_opinion=""),
        on_returned=lambda doc, request, by, opinion: _move(doc, "return", by=by, last_opinion=opinion),
    ))
