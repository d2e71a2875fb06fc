"""What follows a user's deactivation or team move (registered on org's hooks in apps.py)."""

from __future__ import annotations

from salesflow.audit.events import record_many

from .. import events
from ..models import (
    Lead,
    LeadStatus,
)

# --- hooks for the organisation (registered in apps.py) ---------------------------------------------------

def leads_transfer_all(*, from_user, to_user, by) -> int:
    """Deactivation: the leaving user's open leads go to their successor (converted ones keep their history)."""
    ids = list(Lead.objects.select_for_update().filter(owner=from_user).exclude(status=LeadStatus.CONVERTED)
               .order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    Lead.objects.filter(pk__in=ids).update(owner=to_user, unit=to_user.unit)
    record_many(events.LEAD_REASSIGNED.row(by=by, object_type="leads.lead", object_id=pk,
                                           before={"owner": from_user.pk}, after={"owner": to_user.pk})
                for pk in ids)
    return len(ids)


def leads_follow_owner_unit(*, user, by) -> int:
    """A rep moved to another team: their open leads move into that team's scope."""
    return (Lead.objects.filter(owner=user).exclude(status=LeadStatus.CONVERTED).exclude(unit_id=user.unit_id)
            .update(unit=user.unit_id))
