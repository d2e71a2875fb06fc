"""The hourly sweep: a lead nobody contacted within the pool policy's days goes back to the pool."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salesflow.notifications.services import notify
from salesflow.pool.policies import all_policies, policy_for

from .. import events
from ..models import (
    Lead,
    LeadStatus,
)
from .assignment import _to_pool

# --- the sweep -----------------------------------------------------------------------------------------

def leads_sweep(now: dt.datetime | None = None) -> dict:
    """Leads not contacted within their unit's working-time limit are flagged and returned to the pool, and the
    owner is told. Idempotent; safe with two workers (each lead is re-read under its row lock)."""
    from salesflow.workcal.calendar import snapshot

    now = now or timezone.now()
    cal = snapshot()
    shortest = min(p.contact_limit_hours for p in all_policies())
    # Working time never exceeds wall time, so only leads assigned at least `shortest` hours ago can be late.
    candidates = (Lead.objects.filter(status=LeadStatus.ASSIGNED, contacted_at__isnull=True,
                                      assigned_at__lte=now - dt.timedelta(hours=shortest))
                  .select_related("unit").order_by("pk").values_list("pk", flat=True))
    returned = 0
    limits: dict[int | None, int] = {}
    for pk in list(candidates):
        with transaction.atomic():
            lead = (Lead.objects.select_for_update(of=("self",)).select_related("owner", "unit")
                    .filter(pk=pk, status=LeadStatus.ASSIGNED, contacted_at__isnull=True).first())
            if lead is None or lead.assigned_at is None:
                continue
            if lead.unit_id not in limits:
                limits[lead.unit_id] = policy_for(lead.unit).contact_limit_hours
            limit = dt.timedelta(hours=limits[lead.unit_id])
            if cal.working_hours_between(lead.assigned_at, now) < limit:
                continue
            owner = lead.owner
            _to_pool(None, lead, overdue_at=now, event=events.LEAD_RETURNED_OVERDUE,
                     note=_("Not contacted within {hours} working hours").format(hours=limits[lead.unit_id]))
            name = lead.name
            notify([owner], kind="lead.returned_overdue",
                   title=lambda name=name: _("Lead returned to the pool: {name}").format(name=name),
                   body=lambda: _("You did not contact this lead within the working-time limit, so it went back "
                                  "to the pool."),
                   url=reverse("leads:lead_detail", args=[lead.pk]))
            returned += 1
    return {"returned": returned}
