"""Lead import pages: the shared import pages (salesflow/imports/pages.py) with the lead options — file-wide
channel and campaign on the mapping step, duplicates and assignment on the confirm step."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from salesflow.crm.choices import SourceChannel
from salesflow.imports import pages as import_pages
from salesflow.org.models import UnitKind
from salesflow.org.selectors import assignable_users, unit_choices

from .imports import LEAD_IMPORT_KIND, Assign, Duplicates
from .models import Lead


def _detail_context(request, job) -> dict:
    can_assign = Lead.role_allows("assign", by=request.user)
    teams = []
    if can_assign and job.status == "validated" and job.created_by_id == request.user.pk:
        teams = unit_choices(kind=UnitKind.TEAM, active_only=True).filter(
            pk__in=assignable_users(user=request.user).values("unit_id"))
    return {"channels": SourceChannel.choices, "can_assign": can_assign, "teams": teams,
            "assign_modes": Assign, "duplicate_modes": Duplicates}


LEAD_IMPORT = import_pages.ImportPages(
    kind=LEAD_IMPORT_KIND, namespace="leads", start_template="leads/import_start.html",
    detail_template="leads/import_detail.html", title=gettext_lazy("Import leads"), list_url="leads:lead_list",
    list_label=gettext_lazy("Leads"), open_label=gettext_lazy("Open the lead list"),
    mapping_options=lambda post: {"channel": post.get("default_channel", ""),
                                  "campaign": post.get("default_campaign", "")},
    confirm_options=lambda post: {"duplicates": post.get("duplicates", ""), "assign": post.get("assign", ""),
                                  "team": post.get("team", "")},
    detail_context=_detail_context,
)

import_start, import_detail, import_cancel = import_pages.page_views(LEAD_IMPORT)
