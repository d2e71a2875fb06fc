"""Page forms render the widgets; the service's validator (validation.py) stays the one authority."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm
from salesflow.org.selectors import assignable_users, region_list

from .choices import (
    PROVINCE_CHOICES,
    CompanySize,
    CustomerKind,
    Industry,
    PurchaseTimeline,
    SourceChannel,
    Tier,
    ValueType,
)
from .selectors import customer_group_choices

BLANK = [("", "—")]


def _inline(field: str) -> dict:
    """htmx attributes that validate one field on the server as the user leaves it."""
    return {"class": "form-control", "hx-post": reverse_lazy("crm:customer_validate_field"),
            "hx-trigger": "change, blur delay:200ms", "hx-target": f"#id_{field}-feedback",
            "hx-vals": f'{{"field": "{field}"}}', "hx-include": "this"}


class CustomerForm(StyledForm):
    kind = forms.ChoiceField(label=_("Type"), choices=CustomerKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False,
                                  help_text=_("18 characters; checked with its check digit."),
                                  widget=forms.TextInput(attrs=_inline("credit_code")))
    province = forms.ChoiceField(label=_("Province"), choices=BLANK + PROVINCE_CHOICES, required=False)
    city = forms.CharField(label=_("City"), max_length=32, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), choices=BLANK + Industry.choices, required=False)
    source = forms.ChoiceField(label=_("Source channel"), choices=BLANK + SourceChannel.choices, required=False)
    group = forms.ChoiceField(label=_("Customer group"), required=False)
    value_type = forms.ChoiceField(label=_("Value type"), choices=BLANK + ValueType.choices, required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, initial=Tier.C)
    credit_limit = forms.CharField(label=_("Credit limit (CNY)"), required=False, initial="0.00")
    company_size = forms.ChoiceField(label=_("Company size"), choices=BLANK + CompanySize.choices, required=False)
    shop_url = forms.CharField(label=_("Online shop"), max_length=200, required=False)
    collected_on = forms.CharField(label=_("Date collected"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = BLANK + [(str(u.pk), u.name) for u in region_list()]
        self.fields["group"].choices = BLANK + [(str(g.pk), g.name) for g in customer_group_choices()]


class NewCustomerForm(CustomerForm):
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=64, required=False)
    contact_position = forms.CharField(label=_("Contact position"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False,
                                    widget=forms.TextInput(attrs=_inline("contact_phone")),
                                    help_text=_("Mobile or landline, e.g. 13812345678 or 010-62345678."))
    confirm_duplicates = forms.BooleanField(label=_("I checked the possible duplicates; save anyway"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner"].choices = [(str(u.pk), f"{u.display_name} ({u.username})")
                                        for u in assignable_users(user=user)]
        self.fields["owner"].initial = str(user.pk)


class EditCustomerForm(CustomerForm):
    confirm_duplicates = forms.BooleanField(label=_("I checked the possible duplicates; save anyway"), required=False)


class ContactForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=64,
                           widget=forms.TextInput(attrs={"placeholder": _("Contact name")}))
    position = forms.CharField(label=_("Position"), max_length=64, required=False,
                               widget=forms.TextInput(attrs={"placeholder": _("Position")}))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("Mobile or landline")}))
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)


class ReassignForm(StyledForm):
    owner = forms.ChoiceField(label=_("New owner"))
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(str(u.pk), f"{u.display_name} ({u.username})")
                                        for u in assignable_users(user=user)]


class TargetSheetForm(StyledForm):
    """The target-customer information sheet (《目标客户基本信息情况统计表》, R17): on the customer file and, with
    the prefix "sheet", in the visit form."""

    needs = forms.CharField(label=_("Needs"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("What the customer needs: products, quantities, problems to solve."))
    decision_makers = forms.CharField(label=_("Decision makers and contacts"), required=False, max_length=1000,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("Who decides, who influences, who uses: names and positions."))
    company_size = forms.ChoiceField(label=_("Company size"), choices=BLANK + CompanySize.choices, required=False)
    purchase_timeline = forms.ChoiceField(label=_("Purchasing timeline"), choices=BLANK + PurchaseTimeline.choices,
                                          required=False)
    competitors = forms.CharField(label=_("Competitors"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Suppliers the customer also talks to or buys from today."))

    FIELDS = ("needs", "decision_makers", "company_size", "purchase_timeline", "competitors")

    @classmethod
    def initial_for(cls, customer) -> dict:
        return {key: getattr(customer, key) for key in cls.FIELDS} if customer is not None else {}

    def service_data(self) -> dict:
        return {key: self.cleaned_data.get(key, "") for key in self.FIELDS}
