from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm

from .models import PlanPeriod, VisitKind

BLANK = [("", "—")]
CHOICE_LIMIT = 1000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def customer_choices(qs, preselected=None) -> list:
    rows = list(qs.order_by("name").values_list("pk", "name")[:CHOICE_LIMIT])
    if preselected is not None and preselected.pk not in {pk for pk, _name in rows}:
        rows.insert(0, (preselected.pk, preselected.name))
    return BLANK + rows


class PlanCreateForm(StyledForm):
    period = forms.ChoiceField(label=_("Period"), choices=PlanPeriod.choices)
    day = forms.DateField(label=_("Any day of the period"), widget=DateInput())
    focus = forms.CharField(label=_("Focus of the period"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))


class PlannedVisitForm(StyledForm):
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int, required=False, empty_value=None)
    lead = forms.TypedChoiceField(label=_("Lead"), coerce=int, required=False, empty_value=None)
    target = forms.CharField(label=_("Or whom to visit (not on file yet)"), required=False, max_length=200)
    planned_on = forms.DateField(label=_("Planned date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Visit kind"), choices=BLANK + VisitKind.choices, required=False)
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=500)
    comment = forms.CharField(label=_("Comment for the rep"), required=False, max_length=2000)

    def __init__(self, *args, customers=(), leads=(), adjusting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = customers
        self.fields["lead"].choices = leads
        if not adjusting:
            del self.fields["comment"]


class VisitLogForm(StyledForm):
    kind = forms.ChoiceField(label=_("Visit kind"), choices=VisitKind.choices)
    customer = forms.TypedChoiceField(label=_("Customer"), coerce=int, required=False, empty_value=None)
    lead = forms.TypedChoiceField(label=_("Or a lead"), coerce=int, required=False, empty_value=None)
    opportunity = forms.TypedChoiceField(label=_("Opportunity"), coerce=int, required=False, empty_value=None)
    visited_at = forms.DateTimeField(label=_("Visit time"), widget=DateTimeInput())
    contact_name = forms.CharField(label=_("Contact met"), required=False, max_length=64)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=500)
    next_followup_on = forms.DateField(label=_("Next follow-up"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    planned_visit = forms.IntegerField(required=False, widget=forms.HiddenInput())
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput())
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput())
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, customers=(), leads=(), opportunities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = customers
        self.fields["lead"].choices = leads
        self.fields["opportunity"].choices = opportunities

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"], "customer_id": d["customer"], "lead_id": d["lead"], "opportunity_id": d["opportunity"],
            "planned_visit_id": d["planned_visit"], "visited_at": d["visited_at"], "contact_name": d["contact_name"],
            "outcome": d["outcome"], "next_step": d["next_step"], "next_followup_on": d["next_followup_on"],
            "notes": d["notes"], "address": d["address"],
            "location": {"latitude": d["latitude"], "longitude": d["longitude"], "accuracy": d["accuracy"]},
        }
