from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm

from .models import OperatedBy, UnitKind
from .roles import Role
from .selectors import active_users, unit_choices

BLANK = [("", "—")]


class UnitForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=32)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    parent = forms.ModelChoiceField(label=_("Parent unit"), queryset=unit_choices(), required=False)
    province = forms.CharField(label=_("Province"), max_length=32, required=False)
    operated_by = forms.ChoiceField(label=_("Operated by"), choices=OperatedBy.choices)
    partner_name = forms.CharField(label=_("Agent / distributor"), max_length=100, required=False)
    # A secret (the robot's token): this form is for administrators only.
    robot_url = forms.CharField(
        label=_("Group robot"), max_length=500, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-control sf-mono"}),
        help_text=_("Optional. Approval notices for the people of this unit and the units under it are also posted "
                    "to this WeCom, DingTalk or Feishu group: wecombot://<key>, dingtalk://<token>/ or "
                    "feishu://<token>. A unit below with its own robot uses that one."),
    )


class UserForm(StyledForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    name = forms.CharField(label=_("Full name"), max_length=64, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    additional_roles = forms.MultipleChoiceField(
        label=_("Additional roles"), choices=Role.choices, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Roles this person holds beside the main one (a supervisor who also sells, an accountant who is "
                    "also the cashier): they may do what any of their roles may and see what the widest of them "
                    "sees. The main role names them on pages."),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=unit_choices(), required=False)
    manager = forms.ModelChoiceField(label=_("Manager"), queryset=active_users(), required=False)


class DeactivateForm(StyledForm):
    reassign_to = forms.ModelChoiceField(label=_("Give their customers to"),
                                         queryset=active_users(), required=False)
