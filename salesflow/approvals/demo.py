"""The demo reset of the approval engine's rows (the requests themselves are built by the documents' demos)."""

from salesflow.demo.registry import resetter

from .models import ApprovalRequest, Delegation


@resetter(order=30)
def reset_approval_requests() -> dict[str, int]:
    return {"approval requests": ApprovalRequest.objects.all().delete()[0]}


@resetter(order=70)
def reset_delegations() -> dict[str, int]:
    Delegation.objects.all().delete()
    return {}
