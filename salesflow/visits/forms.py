import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm
from salesflow.crm.forms import TargetSheetForm

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

    def sheet_fields(self):
        return [self[f"sheet_{key}"] for key in TargetSheetForm.FIELDS]

    def service_data(self) -> dict:
        d = self.cleaned_data
        sheet = None
        if d.get("customer") and d.get("sheet_for") == d["customer"]:
            sheet = {key: d.get(f"sheet_{key}", "") for key in TargetSheetForm.FIELDS}
        return {
            "sheet": sheet,
            "kind": d["kind"], "customer_id": d["customer"], "lead_id": d["lead"], "opportunity_id": d["opportunity"],
            "planned_visit_id": d["planned_visit"], "visited_at": d["visited_at"], "contact_name": d["contact_name"],
            "outcome": d["outcome"], "next_step": d["next_step"], "next_followup_on": d["next_followup_on"],
            "notes": d["notes"], "address": d["address"],
            "location": {"latitude": d["latitude"], "longitude": d["longitude"], "accuracy": d["accuracy"]},
        }

    def clean(self):
        d = super().clean()
        # The sheet's answers were shown for one customer (sheet_for); if the customer was changed without the page
        # reloading the sheet, the answers are not this customer's: show the right ones instead of saving.
        if d.get("customer") and d.get("sheet_for") != d["customer"] and any(
                d.get(f"sheet_{key}") for key in TargetSheetForm.FIELDS):
            raise forms.ValidationError(_("The target-customer sheet showed another customer's answers; check the "
                                          "answers of this customer and save again."), code="sheet_for")
        return d


# R17: the target-customer sheet's fields in the visit form, named "sheet_<field>"; sheet_for is the customer whose
# answers the form shows.
for _name, _field in TargetSheetForm.base_fields.items():
    VisitLogForm.base_fields[f"sheet_{_name}"] = copy.deepcopy(_field)
VisitLogForm.base_fields["sheet_for"] = forms.IntegerField(required=False, widget=forms.HiddenInput())


class WorkLogForm(StyledForm):
    summary = forms.CharField(label=_("Summary of the day"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    call_count = forms.IntegerField(label=_("Phone calls"), min_value=0, max_value=500, required=False)
    calls = forms.CharField(label=_("Calls"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Whom you called and what came of it."))
    meetings = forms.CharField(label=_("Meetings"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    documents = forms.CharField(label=_("Documents prepared"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("Quotations, proposals, contracts, reports."))
    problems = forms.CharField(label=_("Problems and help needed"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    tomorrow_plan = forms.CharField(label=_("Plan for tomorrow"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}))

    FIELDS = ("summary", "call_count", "calls", "meetings", "documents", "problems", "tomorrow_plan")

    def service_data(self) -> dict:
        return {key: self.cleaned_data.get(key) or (0 if key == "call_count" else "") for key in self.FIELDS}
