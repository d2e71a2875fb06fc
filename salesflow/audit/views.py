from django.shortcuts import render
from django.utils.dateparse import parse_date

from salesflow.core.pages import page_view, paginate, querystring_without

from .selectors import AuditFilters, audit_event_list, readable_changes


@page_view
def event_list(request):
    g = request.GET
    since, until = parse_date(g.get("since", "") or ""), parse_date(g.get("until", "") or "")
    import datetime as dt

    from django.utils import timezone

    def aware(d):
        return timezone.make_aware(dt.datetime.combine(d, dt.time.min)) if d else None

    filters = AuditFilters(actor=g.get("actor", "")[:150], action=g.get("action", "")[:64],
                           object_type=g.get("object_type", "")[:64], object_id=g.get("object_id", "")[:64],
                           since=aware(since), until=aware(until + dt.timedelta(days=1)) if until else None)
    page = paginate(request, audit_event_list(user=request.user, filters=filters), 50)
    page.object_list = readable_changes(page.object_list)
    return render(request, "audit/event_list.html", {"page": page, "f": g, "querystring": querystring_without(request, "page")})
