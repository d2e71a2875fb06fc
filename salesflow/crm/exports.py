"""Excel export of the customer list a user can see, streamed row by row (openpyxl write-only mode)."""

from __future__ import annotations

import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook

from salesflow.core.cells import safe_cell

from .selectors import phone_for


def export_customers(*, user, queryset) -> tempfile.SpooledTemporaryFile:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Customers"))
    ws.append([_("Name"), _("Type"), _("Unified social credit code"), _("Province"), _("City"), _("Address"),
               _("Region"), _("Industry"), _("Source channel"), _("Customer group"), _("Value type"), _("Tier"),
               _("Credit limit"), _("Owner"), _("Contact name"), _("Contact phone"), _("Created")])
    for c in queryset.iterator(chunk_size=2000):
        ws.append([safe_cell(v) for v in (
            c.name, c.get_kind_display(), c.credit_code, c.province, c.city, c.address,
            c.region.name if c.region else "", c.get_industry_display(), c.get_source_display(),
            c.group.name if c.group else "", c.get_value_type_display(), c.tier, c.credit_limit,
            c.owner.display_name if c.owner_id else "", c.primary_contact or "", phone_for(user, c, c.primary_phone or ""),
            c.created_at.date(),
        )])
    out = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


EXPORT_KIND = "crm.customers"


def register_export() -> None:
    """The customer list as an export kind (issue #15: audited, approval above the row limit; salesflow/exports)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from salesflow.exports.kinds import ExportKind, register

    from .selectors import customer_list

    def filters(params):
        from .views import customer_filters

        return customer_filters(params)

    register(ExportKind(
        code=EXPORT_KIND, label=gettext_lazy("Customers"), filters=filters,
        queryset=lambda user, f: customer_list(user=user, filters=f),
        write=lambda user, qs: export_customers(user=user, queryset=qs), filename="customers",
        capability="customer.export", list_url=lambda: reverse("crm:customer_list")))
