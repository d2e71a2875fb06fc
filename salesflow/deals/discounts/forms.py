from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm
from salesflow.crm import selectors as crm_selectors
from salesflow.crm.models import Customer


class DiscountForm(StyledForm):
    """Amounts stay text here: the service parses them (so the API and the page give the same messages)."""

    amount = forms.CharField(label=_("Deal amount (¥)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    discount_percent = forms.CharField(label=_("Discount %"), max_length=8,
                                       widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
                             help_text=_("Why this customer should get the discount (R13: the supervisor decides)."))
    terms = forms.CharField(label=_("Proposed terms"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                            required=False)


class NewDiscountForm(DiscountForm):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    field_order = ["customer", "amount", "discount_percent", "reason", "terms"]

    def __init__(self, *args, user, preselected: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The user's own customers (their data scope) by name; the service checks the choice again.
        self.fields["customer"].choices = [("", "—")] + crm_selectors.customer_choices(user=user,
                                                                                     preselected=preselected)
