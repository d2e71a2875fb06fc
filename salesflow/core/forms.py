from django import forms
from django.core.exceptions import ValidationError

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
