"""The pool policy form. Numbers arrive as text: the services validate them (one set of translated messages for
the pages and any other caller)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm


def _number(label, help_text=""):
    return forms.CharField(label=label, help_text=help_text, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))


class PolicyForm(StyledForm):
    claim_cap = _number(_("Leads a rep may hold"))
    contact_limit_hours = _number(_("Contact a new lead within (working hours)"),
                                  _("Leads not contacted in time go back to the pool."))
    qualify_threshold = _number(_("Qualifying score"), _("Screened leads below it are parked."))
    customer_pool_enabled = forms.BooleanField(label=_("Customers return to the pool automatically"), required=False)
    customer_followup_days = _number(_("No follow-up for (days)"),
                                     _("Counted from the last contact, or from the day the owner got the customer."))
    customer_deal_days = _number(_("No deal for (days)"),
                                 _("Counted from the last won opportunity, or from the day the owner got the customer."))
    customer_warning_days = _number(_("Warn the owner (days before)"))
    customer_claim_cap = _number(_("Customers a rep may hold"))
    customer_exempt_key_accounts = forms.BooleanField(label=_("Key accounts (tier A) never return"), required=False)
    customer_exempt_late_deals = forms.BooleanField(
        label=_("Customers with an open opportunity at quote and negotiation or later never return"), required=False)
