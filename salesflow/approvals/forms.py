from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm
from salesflow.org.selectors import active_users, delegate_choices


class DelegationForm(StyledForm):
    delegate = forms.ModelChoiceField(label=_("Delegate"), queryset=active_users().none(),
                                      help_text=_("Your approvals go to this colleague while you are away."))
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The service checks again that the delegate is active and not the user.
        self.fields["delegate"].queryset = delegate_choices(user=user)
        self.fields["delegate"].label_from_instance = lambda u: f"{u.display_name} · {u.get_role_display()}"


class PolicyTextForm(StyledForm):
    text = forms.CharField(label=_("Policy (TOML)"), widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false"}),
                           strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["class"] = "form-control sf-mono"
