from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import TextGuard
from salesflow.crm.choices import PROVINCE_CHOICES, Industry, SourceChannel

from .models import Level

BLANK = [("", "—")]


class LeadForm(TextGuard, forms.Form):
    name = forms.CharField(label=_("Company / name"), max_length=200)
    contact_name = forms.CharField(label=_("Contact name"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    province = forms.ChoiceField(label=_("Province"), choices=BLANK + PROVINCE_CHOICES, required=False)
    city = forms.CharField(label=_("City"), max_length=32, required=False)
    industry = forms.ChoiceField(label=_("Industry"), choices=BLANK + Industry.choices, required=False)
    channel = forms.ChoiceField(label=_("Source channel"), choices=BLANK + SourceChannel.choices, required=False)
    campaign = forms.CharField(label=_("Campaign"), max_length=100, required=False)
    need_notes = forms.CharField(label=_("What they need"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    estimated_amount = forms.CharField(label=_("Estimated amount"), required=False)
    to_pool = forms.BooleanField(label=_("Put it in the pool instead of taking it myself"), required=False)
    confirm_duplicates = forms.BooleanField(label=_("Save even though it may be a duplicate"), required=False)


class ScreenForm(TextGuard, forms.Form):
    need = forms.ChoiceField(label=_("Need"), choices=Level.choices)
    purchasing_power = forms.ChoiceField(label=_("Purchasing power"), choices=Level.choices)
    credit = forms.ChoiceField(label=_("Credit"), choices=Level.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
