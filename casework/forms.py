import html

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files; the content checks happen in the service, before anything is saved."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def attachments_field():
    return MultipleFileField(
        label=_("Vedlegg"),
        help_text=_("Logger, skjermbilder o.l. Inntil 10 MB per fil: bilder, PDF, tekst, ZIP."),
    )


class TextActionForm(forms.Form):
    """The text a transition asks for (a reason, guidance); the action table says whether it
    is required."""

    text = forms.CharField(label=_("Tekst"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(forms.Form):
    """A reply or internal note on any case's timeline, with attachments. The visibilities
    offered are those the writer may use; with one choice the field is hidden."""

    body = forms.CharField(label=_("Melding"), widget=forms.Textarea(attrs={"rows": 4}))
    visibility = forms.ChoiceField(label=_("Hvem skal se meldingen?"), choices=(),
                                   initial="public")
    attachments = attachments_field()

    def __init__(self, *args, allowed_visibilities, with_attachments=True, **kwargs):
        from .models import Message

        super().__init__(*args, **kwargs)
        choices = [c for c in Message.Visibility.choices if c[0] in allowed_visibilities]
        self.fields["visibility"].choices = choices
        if len(choices) == 1:
            self.fields["visibility"].widget = forms.HiddenInput()
        if not with_attachments:
            del self.fields["attachments"]


class LongSelect(forms.Select):
    """A select with many options (every bank, in a list's filter): the portal's select
    (templates/django/forms/widgets/select.html), its options written here. A template loop
    costs about a tenth of a millisecond an option, and even Django's lazy-aware escaping
    adds up: 300 banks made a third of a list page's time."""

    template_name = "casework/widgets/long_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        parts = []
        for group_name, options, _index in context["widget"]["optgroups"]:
            html = "\n".join(
                f'<option value="{_escape(option["value"])}"{_attrs(option["attrs"])}>'
                f'{_escape(option["label"])}</option>' for option in options)
            parts.append(f'<optgroup label="{_escape(group_name)}">{html}</optgroup>'
                         if group_name else html)
        context["widget"]["options_html"] = mark_safe("\n".join(parts))  # every part escaped
        return context


class CaseFilterForm(forms.Form):
    """A case list's filter: a search, the status ("Åpne": every open one) and, where the view
    passes the banks, the bank. A case type subclasses it with its `statuses` (choices) and
    fields of its own, and places them with `field_order`."""

    statuses = ()

    q = forms.CharField(label=_("Søk"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    organisation = forms.ChoiceField(label=_("Bank"), required=False, widget=LongSelect)

    def __init__(self, *args, organisations=None, **kwargs):
        """`organisations`: the banks the bank filter offers, as (id, name) pairs; None
        leaves the filter out."""
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ([("", _("Alle")), ("open", _("Åpne"))]
                                         + list(self.statuses))
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [("", _("Alle"))] + [
                (str(pk), name) for pk, name in organisations]


def _escape(value):
    # What django.utils.html.conditional_escape does, without its check for lazy text on
    # every call.
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs):
    # As django.forms.utils.flatatt: True writes the name alone, False and None nothing.
    return "".join(f" {key}" if value is True else f' {key}="{_escape(value)}"'
                   for key, value in attrs.items() if value is not False and value is not None)
