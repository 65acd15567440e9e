from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

from .api import REQUEST_ID_RE
from .fnr import fnr_is_valid
from .labels import test_case_description
from .models import Environment

STATUS_CHOICES = [("", _("Alle")), ("200", "200"), ("400", "400"), ("401", "401"),
                  ("403", "403"), ("404", "404"), ("405", "405"), ("429", "429"),
                  ("500", "500")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LookupLogFilterForm(forms.Form):
    date_from = forms.DateField(label=_("Fra dato"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Til dato"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    request_id = forms.CharField(label=_("X-Request-Id"), max_length=100, required=False)
    environment = forms.ChoiceField(label=_("Miljø"), required=False,
                                    choices=[("", _("Begge"))] + Environment.choices)

    def __init__(self, *args, organisations=None, fnr_search=False, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("Bank"), queryset=organisations, required=False,
                empty_label=_("Alle"))
        if fnr_search:
            self.fields["fnr"] = forms.CharField(
                label=_("Fødselsnummer"), max_length=11, required=False,
                help_text=_("Søkes på nøkkelhash; loggen har aldri fødselsnummeret i klartekst."))

    def clean_request_id(self):
        value = self.cleaned_data["request_id"].strip()
        if value and not REQUEST_ID_RE.match(value):
            raise forms.ValidationError(_("Ugyldig X-Request-Id."))
        return value

    def clean_fnr(self):
        value = self.cleaned_data.get("fnr", "").strip()
        if value and not fnr_is_valid(value):
            raise forms.ValidationError(_("Ugyldig fødselsnummer."))
        return value


class BorrowerSearchForm(forms.Form):
    fnr = forms.CharField(label=_("Fødselsnummer"), max_length=11,
                          widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                        "autocomplete": "off"}))
    environment = forms.ChoiceField(label=_("Miljø"), choices=Environment.choices,
                                    initial=Environment.TEST)
    as_of = forms.DateField(label=_("Saldo per dato"), widget=DateInput(), required=False)

    def clean_fnr(self):
        value = self.cleaned_data["fnr"].strip()
        if not fnr_is_valid(value):
            raise forms.ValidationError(_("Ugyldig fødselsnummer (11 siffer med kontrollsiffer)."))
        return value


class AsOfForm(forms.Form):
    dato = forms.DateField(label=_("Saldo per dato"), widget=DateInput(), required=False)

    def as_of(self):
        if self.is_valid() and self.cleaned_data["dato"]:
            return self.cleaned_data["dato"]
        return timezone.localdate()


class SandboxForm(forms.Form):
    CONSENT_CHOICES = [("altinn2", _("Altinn 2: samtykketoken i Consent-ID")),
                       ("altinn3", _("Altinn 3: samtykket i Maskinporten-tokenet"))]

    customer = forms.ChoiceField(label=_("Testkunde"))
    consent_form = forms.ChoiceField(label=_("Samtykke"), choices=CONSENT_CHOICES,
                                     initial="altinn2", widget=forms.RadioSelect)

    def __init__(self, *args, customers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [
            (b.fnr, f"{b.fnr} {b.name} – {test_case_description(b.test_case, b.description)}")
            for b in customers]


def bank_choices():
    return Organisation.objects.filter(kind=Organisation.Kind.BANK)
