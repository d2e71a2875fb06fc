from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm
from salesflow.org.selectors import active_users

from .delegation import eligible_delegates


class DelegationForm(StyledForm):
    delegate = forms.ModelChoiceField(label=_("Delegate"), queryset=active_users().none(),
                                      help_text=_("Your approvals go to this colleague while you are away."))
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only those who may hold the user's decisions (issue #15); the service checks the same list again.
        self.fields["delegate"].queryset = eligible_delegates(user=user)
        self.fields["delegate"].label_from_instance = lambda u: " · ".join(
            filter(None, [u.display_name, str(u.get_role_display()), u.unit.name if u.unit_id else ""]))


class PolicyTextForm(StyledForm):
    text = forms.CharField(label=_("Policy (TOML)"), widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false"}),
                           strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["class"] = "form-control sf-mono"
