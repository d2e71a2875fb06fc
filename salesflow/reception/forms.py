from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm
from salesflow.crm.choices import PROVINCE_CHOICES, Industry, SourceChannel

from .models import Channel, Intent

BLANK = [("", "—")]


class ReceptionForm(StyledForm):
    """Plain inputs; the service validates and converts (one set of rules for pages and API)."""

    received_at = forms.CharField(label=_("Received"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    visitor_names = forms.CharField(label=_("Visitors"), max_length=200,
                                    help_text=_("Names of the people who came or called, e.g. 王经理、李工"))
    visitor_count = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=999, initial=1)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    questions = forms.CharField(label=_("What they asked"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    explained = forms.CharField(label=_("What was explained"), widget=forms.Textarea(attrs={"rows": 3}),
                                required=False)
    intent = forms.ChoiceField(label=_("Purchase intent"), choices=Intent.choices, initial=Intent.UNDECIDED)
    next_step = forms.CharField(label=_("Next step"), max_length=500, required=False)
    next_step_on = forms.CharField(label=_("Next step on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    customer_id = forms.ChoiceField(label=_("Customer"), required=False, choices=BLANK)
    opportunity_id = forms.ChoiceField(label=_("Opportunity"), required=False, choices=BLANK)
    prospect_id = forms.ChoiceField(label=_("Prospect"), required=False, choices=BLANK)

    def __init__(self, *args, customers=(), opportunities=(), prospects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer_id"].choices = BLANK + [(str(c.pk), c.name) for c in customers]
        self.fields["opportunity_id"].choices = BLANK + [(str(o.pk), o.name) for o in opportunities]
        self.fields["prospect_id"].choices = BLANK + [(str(p.pk), p.name) for p in prospects]


class ProspectForm(StyledForm):
    name = forms.CharField(label=_("Company / name"), max_length=200)
    contact_name = forms.CharField(label=_("Contact name"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    province = forms.ChoiceField(label=_("Province"), choices=BLANK + PROVINCE_CHOICES, required=False)
    city = forms.CharField(label=_("City"), max_length=32, required=False)
    industry = forms.ChoiceField(label=_("Industry"), choices=BLANK + Industry.choices, required=False)
    source = forms.ChoiceField(label=_("Source channel"), choices=BLANK + SourceChannel.choices, required=False)
    needs = forms.CharField(label=_("What they need"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    intent = forms.ChoiceField(label=_("Purchase intent"), choices=BLANK + Intent.choices, required=False,
                               help_text=_("Empty: taken from the latest reception record."))
    consultant_id = forms.ChoiceField(label=_("Consultant in charge"), choices=BLANK)
    confirm_duplicates = forms.BooleanField(label=_("Save even though it may be a duplicate"), required=False)

    def __init__(self, *args, consultants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant_id"].choices = BLANK + [(str(u.pk), u.display_name) for u in consultants]
