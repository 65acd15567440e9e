from django import forms
from django.utils.translation import gettext_lazy as _

from casework.forms import CaseFilterForm, attachments_field
from casework.models import Environment

from .models import QUESTION_MAX_CHARS, Category, FaqStatus, Status

TOO_LONG = _("Teksten kan være på høyst %(limit_value)s tegn (den har %(show_value)s).")


def _search_attrs(url):
    """An input that asks `url` for matches as the person types (htmx, debounced)."""
    return {"hx-get": url, "hx-trigger": "keyup changed delay:400ms, search",
            "hx-target": "#suggestions", "hx-include": "#ask-form [data-suggest]",
            "data-suggest": "", "autocomplete": "off"}


class AskForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), choices=Category.choices)
    environment = forms.ChoiceField(
        label=_("Miljø"), required=False,
        choices=[("", _("Ikke relevant"))] + list(Environment.choices))
    title = forms.CharField(label=_("Tittel"), max_length=200,
                            help_text=_("Ett kort spørsmål, for eksempel «Hva betyr 403 fra "
                                        "Saldo-API-et?»"))
    text = forms.CharField(
        label=_("Spørsmålet"), max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Beskriv hva dere lurer på. Ikke skriv fødselsnummer eller nøkler."),
        error_messages={"max_length": TOO_LONG})
    attachments = attachments_field()

    def __init__(self, *args, suggest_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggest_url:
            for name in ("title", "text"):
                self.fields[name].widget.attrs.update(_search_attrs(suggest_url))
        # The browser's own limit would cut a pasted text short without a word; the server
        # says how long it is instead.
        self.fields["text"].widget.attrs.pop("maxlength", None)


class FaqForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), choices=Category.choices)
    title = forms.CharField(label=_("Spørsmål"), max_length=200)
    question = forms.CharField(label=_("Utdypning av spørsmålet"), required=False,
                               max_length=QUESTION_MAX_CHARS,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               error_messages={"max_length": TOO_LONG})
    answer = forms.CharField(label=_("Svar"), max_length=QUESTION_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 10}),
                             error_messages={"max_length": TOO_LONG})


class FilterForm(CaseFilterForm):
    statuses = Status.choices
    category = forms.ChoiceField(label=_("Kategori"), required=False,
                                 choices=[("", _("Alle"))] + list(Category.choices))
    field_order = ["q", "status", "category", "organisation"]


class FaqSearchForm(forms.Form):
    """The FAQ page's search: results follow as the person types or picks (htmx)."""

    q = forms.CharField(label=_("Søk i FAQ"), required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    category = forms.ChoiceField(label=_("Kategori"), required=False,
                                 choices=[("", _("Alle"))] + list(Category.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Alle"))] + list(FaqStatus.choices))

    def __init__(self, *args, results_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        if results_url:
            common = {"hx-get": results_url, "hx-target": "#faq-results",
                      "hx-include": "closest form", "hx-push-url": "true"}
            self.fields["q"].widget.attrs.update(
                common, **{"hx-trigger": "keyup changed delay:400ms, search"})
            for name in ("category", "status"):
                self.fields[name].widget.attrs.update(common, **{"hx-trigger": "change"})
