"""Seed 004's conversion rate (转化率) in the deals' funnel: the leads that became customers
(registered on ``deals.hooks.CUSTOMER_CONVERSIONS`` in apps.py; the definition is in ``deals/funnel.py``)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from salesflow.deals.funnel import Conversion
from salesflow.org.scope import subtree_ids

from .models import Lead, LeadStatus


def leads_converted(*, user, owner=None, unit=None, region=None, period=None) -> Conversion:
    """Leads in ``user``'s scope (created in ``period`` when given) and how many were converted to a customer."""
    qs = Lead.objects.visible_to(user)
    if owner:
        qs = qs.filter(owner_id=owner)
    if unit:
        qs = qs.filter(unit_id__in=subtree_ids(unit))
    if region:
        qs = qs.filter(region_id=region)
    if period:
        qs = qs.filter(created_at__gte=period[0], created_at__lt=period[1])
    row = qs.order_by().aggregate(total=Count("pk"), converted=Count("pk", filter=Q(status=LeadStatus.CONVERTED)))
    return Conversion(source="leads", label=_("Leads"), total=row["total"], converted=row["converted"])
