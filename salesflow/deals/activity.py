"""The deals app's entries on the activity timeline (salesflow.core.activity): stage changes of opportunities."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from salesflow.core.activity import Activity

from .models import OpportunityStageChange
from .selectors import opportunities_in_scope


def stage_changes(user, *, customer_id: int | None = None, opportunity_id: int | None = None, limit: int = 50):
    qs = OpportunityStageChange.objects.filter(opportunity__in=opportunities_in_scope(user).values("pk"))
    if opportunity_id is not None:
        qs = qs.filter(opportunity_id=opportunity_id)
    elif customer_id is not None:
        qs = qs.filter(opportunity__customer_id=customer_id)
    else:
        return []
    rows = (qs.select_related("by", "opportunity").only("at", "from_stage", "to_stage", "by__name", "by__username",
                                                       "opportunity__id", "opportunity__name")
            .order_by("-at", "-id")[:limit])
    label = _("Stage change")
    out = []
    for change in rows:
        # Stored history may name a stage the pipeline no longer has: shown by its code, never raised on.
        title = change.get_to_stage_display()
        if change.from_stage:
            title = f"{change.get_from_stage_display()} → {title}"
        out.append(Activity(
            at=change.at, kind="stage", label=label, title=str(title),
            summary=change.opportunity.name if opportunity_id is None else "",
            url=reverse("deals:opportunity_detail", args=[change.opportunity_id]) if opportunity_id is None else "",
            actor=change.by.display_name if change.by else ""))
    return out
