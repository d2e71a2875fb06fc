from django import forms
from django.utils.translation import gettext_lazy as _

from salesflow.core.forms import StyledForm


class UploadForm(StyledForm):
    file = forms.FileField(label=_("Excel or CSV file"))
