from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm

from .models import MAX_YEAR, MIN_YEAR


class YearForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)


class DayForm(StyledForm):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("Kind of day"), coerce=lambda v: v == "1",
        choices=[("0", _("Holiday (rest day on a weekday)")), ("1", _("Working weekend day (调休)"))],
    )
    name = forms.CharField(label=_("Name"), max_length=64, required=False,
                           help_text=_("For example 国庆节, or 调休上班 (国庆节)."))
