"""The navigation, laid out by process stage (客户 → 商机 → … → 分析). Apps add entries here;
each entry names the capability it needs, so a role only sees the pages it may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesflow.org.roles import has_capability

STAGES = [
    ("customers", _("Customers")),
    ("opportunities", _("Opportunities")),
    ("quotes", _("Quotes & contracts")),
    ("orders", _("Orders & delivery")),
    ("collections", _("Collections")),
    ("service", _("After-sales")),
    ("performance", _("Targets & performance")),
    ("analytics", _("Analytics")),
    ("approvals", _("Approvals")),
    ("admin", _("Administration")),
]
# Stages that are not a step of the sales process: shown without a process number.
UNNUMBERED = {"approvals", "admin"}


@dataclass(frozen=True)
class NavEntry:
    stage: str
    label: str
    url_name: str
    capability: str | None
    icon: str = "circle"


ENTRIES: list[NavEntry] = [
    # A rep's day starts here (今日待办): planned visits, follow-ups due, leads to contact.
    NavEntry("customers", _("Today"), "visits:today", "visit.log", "sun"),
    NavEntry("customers", _("Customer files"), "crm:customer_list", "customer.view", "people"),
    NavEntry("customers", _("Import customers"), "crm:import_start", "customer.import", "upload"),
    NavEntry("customers", _("Leads"), "leads:lead_list", "lead.view", "funnel"),
    NavEntry("customers", _("Import leads"), "leads:import_start", "lead.import", "upload"),
    NavEntry("customers", _("Public pool"), "leads:lead_pool", "lead.view", "water"),
    NavEntry("customers", _("Customer pool"), "pool:customer_pool", "customer.view", "life-preserver"),
    NavEntry("customers", _("Reception records"), "reception:record_list", "reception.view", "chat-left-text"),
    NavEntry("customers", _("Prospects"), "reception:prospect_list", "prospect.view", "person-check"),
    NavEntry("customers", _("Visit plans"), "visits:plan_list", "visit.view", "calendar-week"),
    NavEntry("customers", _("Visit logs"), "visits:log_list", "visit.view", "geo-alt"),
    NavEntry("customers", _("Work logs"), "visits:work_log_list", "visit.view", "journal-text"),
    NavEntry("opportunities", _("Opportunity list"), "deals:opportunity_list", "customer.view", "briefcase"),
    NavEntry("opportunities", _("Kanban board"), "deals:opportunity_kanban", "customer.view", "kanban"),
    NavEntry("opportunities", _("Funnel figures"), "deals:funnel", "customer.view", "bar-chart-steps"),
    NavEntry("quotes", _("Discount requests"), "deals:discount_list", "customer.view", "percent"),
    NavEntry("performance", _("Planned vs done"), "visits:team", "visit.review", "clipboard-check"),
    NavEntry("performance", _("Weekly meeting report"), "visits:weekly", "visit.view", "people"),
    NavEntry("approvals", _("My approvals"), "approvals:inbox", None, "inbox"),
    NavEntry("approvals", _("Approval history"), "approvals:history", None, "clock-history"),
    NavEntry("approvals", _("My requests"), "approvals:my_requests", None, "send"),
    # Issue #15: exports above a role's row limit are requested and approved; here the requester downloads them.
    NavEntry("approvals", _("My exports"), "exports:request_list", None, "download"),
    NavEntry("approvals", _("Delegations"), "approvals:delegation_list", None, "person-up"),
    NavEntry("approvals", _("Notifications"), "notifications:notification_list", None, "bell"),
    NavEntry("admin", _("Customer groups"), "crm:group_list", "customer.master_data", "collection"),
    NavEntry("admin", _("Lost reasons and competitors"), "deals:master_data", "customer.master_data", "list-check"),
    NavEntry("admin", _("Lead rules"), "pool:config_policies", "lead.configure", "sliders"),
    NavEntry("admin", _("Organisation"), "org:unit_list", "org.manage", "diagram-3"),
    NavEntry("admin", _("Users"), "org:user_list", "org.manage", "person-badge"),
    NavEntry("admin", _("Approval policies"), "approvals:policy_list", "approvals.view_policies", "diagram-2"),
    NavEntry("admin", _("Audit trail"), "audit:event_list", "audit.view", "journal-text"),
    NavEntry("admin", _("Working calendar"), "workcal:year_list", "calendar.manage", "calendar3"),
]


@dataclass(frozen=True)
class SectionLink:
    key: str
    label: str
    url_name: str


# Pages shown together although different apps serve them. A page of a lower app reaches its siblings above it
# through these links (every template gets them as ``nav_sections``), never by naming their URLs, so templates
# keep to the layers (scripts/import_graph.py reads them too).
SECTIONS: dict[str, list[SectionLink]] = {
    # The lead rules, as tabs: the pool's policies, the leads' scoring and territory rules.
    "lead_rules": [
        SectionLink("policies", _("Pool policies"), "pool:config_policies"),
        SectionLink("scoring", _("Scoring rules"), "leads:config_scoring"),
        SectionLink("rules", _("Territory rules"), "leads:config_rules"),
    ],
    # The two public pools side by side: the customers' (pool) and the leads' (leads).
    "pools": [
        SectionLink("customers", _("Customer pool"), "pool:customer_pool"),
        SectionLink("leads", _("Lead pool"), "leads:lead_pool"),
    ],
}


class Sections:
    """``nav_sections.<name>``: a section's links as ``{"key", "label", "url"}``, resolved when a page asks."""

    def __getitem__(self, name: str) -> list[dict]:
        return [{"key": link.key, "label": link.label, "url": reverse(link.url_name)} for link in SECTIONS[name]]


def navigation_for(user, current_path: str = "") -> list[dict]:
    stages = []
    for number, (key, label) in enumerate(STAGES, start=1):
        items = []
        for entry in ENTRIES:
            if entry.stage == key and (entry.capability is None or has_capability(user, entry.capability)):
                url = reverse(entry.url_name)
                items.append({"label": entry.label, "url": url, "icon": entry.icon,
                              "active": current_path.startswith(url)})
        if items:
            stages.append({"key": key, "label": label, "items": items, "active": any(i["active"] for i in items),
                           "number": None if key in UNNUMBERED else number})
    return stages
