"""Reception records (接待记录) out of the system: the Excel export of a filtered list (E3 "打印编制出接待记录" — the
printed pages are templates) streamed row by row (openpyxl write-only mode, the queryset read in batches)."""

from __future__ import annotations

import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from salesflow.core.cells import safe_cell

from .selectors import visitor_phone

BATCH = 2000


def record_columns() -> list[str]:
    return [_("Received"), _("Channel"), _("Visitors"), _("Number of people"), _("Company"), _("Phone"),
            _("What they asked"), _("What was explained"), _("Purchase intent"), _("Next step"), _("Next step on"),
            _("Consultant"), _("Unit"), _("Customer"), _("Prospect"), _("Opportunity")]


def export_records(*, user, queryset) -> tempfile.SpooledTemporaryFile:
    """The records of ``queryset`` (already scoped to ``user`` by selectors.reception_list) as an .xlsx file; phone
    numbers in full only for the consultant who received the visitors (R20)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Reception records"))
    ws.append(record_columns())
    for r in queryset.select_related("unit").iterator(chunk_size=BATCH):
        ws.append([safe_cell(v) for v in (
            timezone.localtime(r.received_at).replace(tzinfo=None), r.get_channel_display(), r.visitor_names,
            r.visitor_count, r.company, visitor_phone(user, r), r.questions, r.explained, r.get_intent_display(),
            r.next_step, r.next_step_on, r.owner.display_name, r.unit.name if r.unit_id else "",
            r.customer.name if r.customer_id else "", r.prospect.name if r.prospect_id else "",
            r.opportunity.name if r.opportunity_id else "",
        )])
    out = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


EXPORT_KIND = "reception.records"


def register_export() -> None:
    """The reception records list as an export kind (issue #15: audited, approval above the row limit)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from salesflow.exports.kinds import ExportKind, register

    from .selectors import reception_list

    def filters(params):
        from .views import record_filters

        return record_filters(params)

    register(ExportKind(
        code=EXPORT_KIND, label=gettext_lazy("Reception records"), filters=filters,
        queryset=lambda user, f: reception_list(user=user, filters=f),
        write=lambda user, qs: export_records(user=user, queryset=qs), filename="reception-records",
        capability="reception.view", list_url=lambda: reverse("reception:record_list")))
