from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .parsers import TEXT_MESSAGE, has_bad_text


class TextGuard:
    """Refuses control characters, NUL and lone surrogates in every text field, with a field error
    (``parsers.check_text``): a single-line field also refuses tabs and line breaks, a ``Textarea`` keeps them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(_text_validator(multiline=isinstance(field.widget, forms.Textarea)))


def _text_validator(*, multiline: bool):
    def validate(value):
        if isinstance(value, str) and has_bad_text(value, multiline=multiline):
            raise ValidationError(TEXT_MESSAGE, code="bad_text")

    return validate


class StyledForm(TextGuard, forms.Form):
    """Bootstrap classes on every widget, so templates render fields uniformly; text checked by ``TextGuard``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


# A sensitive stored value (a phone number) the user may only see masked: the edit form shows the masked form and
# keeps the stored value unless a new one is typed (issue #15: the reception edit form pre-filled the visitor's full
# number for a supervisor who may only see it masked, and saving round-tripped it).

def show_masked(form: forms.Form, name: str, *, stored: str, shown: str) -> None:
    """Show ``shown`` (the masked value) in ``form``'s field ``name`` instead of ``stored``; call before the form is
    rendered or validated. Nothing to do when the user may see the value (``shown == stored``)."""
    if not stored or shown == stored:
        return
    form.initial[name] = shown
    field = form.fields[name]
    field.help_text = _("Shown masked. Leave it as it is to keep the number, or type a new one.")

    def whole_number(value):
        if isinstance(value, str) and "*" in value and value.strip() != shown:
            raise ValidationError(_("Type the whole new number, or leave the masked one as it is."),
                                  code="masked")

    field.validators.append(whole_number)
    form.masked_fields = {**getattr(form, "masked_fields", {}), name: shown}


def submitted_data(form: forms.Form) -> dict:
    """The form's cleaned data for the service, without the masked fields that came back as shown (so the
    service keeps the stored values)."""
    masked = getattr(form, "masked_fields", {})
    return {key: value for key, value in form.cleaned_data.items()
            if not (key in masked and isinstance(value, str) and value.strip() == masked[key])}
