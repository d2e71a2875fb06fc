"""Documents that ask the engine for approval register an adapter here (in their AppConfig.ready).

The engine never imports a document app; it talks to documents only through these callbacks, and the
document's own state machine moves only when the engine calls them with its verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentAdapter:
    document_type: str  # "deals.discountrequest"
    label: object  # translated name, e.g. 优惠申请
    get: Callable  # (document_id) -> document, locked for update
    facts: Callable  # (document) -> dict of values that policy conditions test
    summary: Callable  # (document) -> {"title", "amount", "discount_percent", "customer_id"}
    requester: Callable  # (document) -> User who asks
    url: Callable  # (document_id) -> the document's page
    on_submitted: Callable  # (document, request, by)
    on_approved: Callable  # (document, request, by)
    on_returned: Callable  # (document, request, by, opinion) rejected or withdrawn: back to draft
    # Who else hears the final answer besides the requester: (document, request) -> [User].
    told_of_result: Callable | None = None
    # The approved terms in words, for the notice (called in each recipient's language): (document) -> str.
    result_terms: Callable | None = None


REGISTRY: dict[str, DocumentAdapter] = {}
DOCUMENT_LABELS: dict[str, object] = {}


def register(adapter: DocumentAdapter) -> None:
    REGISTRY[adapter.document_type] = adapter
    DOCUMENT_LABELS[adapter.document_type] = adapter.label


def adapter_for(document_type: str) -> DocumentAdapter:
    return REGISTRY[document_type]


def declare_document_type(document_type: str, label) -> None:
    """Document types named by policies before their app exists (contract applications, invoices…)."""
    DOCUMENT_LABELS.setdefault(document_type, label)
