"""Forms of the lead-rule pages (scoring and territory rules; the pool policy form is the pool app's). Numbers
arrive as text: the services validate them (one set of translated messages for the pages and any other caller)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm
from salesflow.crm.choices import PROVINCE_CHOICES, Industry

BLANK = [("", "—")]


def _number(label, help_text=""):
    return forms.CharField(label=label, help_text=help_text, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))


class RuleForm(StyledForm):
    priority = _number(_("Priority"), _("Lower numbers are tried first."))
    province = forms.ChoiceField(label=_("Province"), choices=BLANK + PROVINCE_CHOICES, required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), choices=BLANK + Industry.choices, required=False)
    team = forms.ChoiceField(label=_("Team (round-robin among its reps)"), required=False)
    user = forms.ChoiceField(label=_("User"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, teams=(), users=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = BLANK + [(str(r.pk), r.name) for r in regions]
        self.fields["team"].choices = BLANK + [(str(t.pk), "　" * max(t.depth - 1, 0) + t.name) for t in teams]
        self.fields["user"].choices = BLANK + [
            (str(u.pk), "{name} · {unit}".format(name=u.display_name, unit=u.unit.name if u.unit_id else "—"))
            for u in users]

