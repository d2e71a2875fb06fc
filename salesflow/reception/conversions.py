"""Seed 004's conversion rate (转化率) in the deals' funnel: the prospects (准客户) that became customers, i.e. got
a customer file (E4/D5) (registered on ``deals.hooks.CUSTOMER_CONVERSIONS`` in apps.py; the definition is in
``deals/funnel.py``)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from salesflow.deals.funnel import Conversion
from salesflow.org.scope import subtree_ids

from .models import Prospect


def prospects_converted(*, user, owner=None, unit=None, region=None, period=None) -> Conversion:
    """Prospects in ``user``'s scope (registered in ``period`` when given) and how many got a customer file. A
    prospect carries its consultant's unit, not a region: the region narrows by its subtree."""
    qs = Prospect.objects.visible_to(user)
    if owner:
        qs = qs.filter(consultant_id=owner)
    for narrow in (unit, region):
        if narrow:
            qs = qs.filter(unit_id__in=subtree_ids(narrow))
    if period:
        qs = qs.filter(registered_at__gte=period[0], registered_at__lt=period[1])
    row = qs.order_by().aggregate(total=Count("pk"), converted=Count("pk", filter=Q(customer__isnull=False)))
    return Conversion(source="prospects", label=_("Prospects"), total=row["total"], converted=row["converted"])
