from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm
from salesflow.crm import selectors as crm_selectors
from salesflow.crm.models import Customer


class OpportunityForm(StyledForm):
    """Amounts and dates stay text: the service parses them, so the API and the page give the same messages."""

    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    name = forms.CharField(label=_("Opportunity name"), max_length=200)
    amount = forms.CharField(label=_("Amount (¥)"), max_length=20, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    expected_close = forms.CharField(label=_("Expected close date"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    probability = forms.CharField(label=_("Probability %"), max_length=3, required=False,
                                  help_text=_("Leave empty for the stage's default."),
                                  widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    selling_model = forms.ChoiceField(label=_("Selling model"), required=False)
    products = forms.CharField(label=_("Products of interest"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)

    def __init__(self, *args, user, preselected: Customer | None = None, **kwargs):
        from .pipeline import SellingModel

        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [("", "—")] + crm_selectors.customer_choices(user=user,
                                                                                     preselected=preselected)
        self.fields["selling_model"].choices = [("", "—"), *SellingModel.choices]
