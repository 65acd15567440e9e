from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from .validation import endpoints_clean, orgnr_clean, phone_clean

CONTACT_KINDS = [
    ("business", _("Forretningskontakt")),
    ("technical", _("Teknisk kontakt")),
    ("security", _("Sikkerhetskontakt")),
]
ENDPOINT_HELP = _("Ett per linje: domenenavn (api.test.bank.no) eller IP-adresse/-område i "
                  "CIDR-form (192.0.2.0/24).")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SupplierAndEndpointsMixin:
    """The supplier (both fields or neither) and the test endpoints, shared by registration
    and resubmission."""

    def clean_supplier_orgnr(self):
        value = self.cleaned_data.get("supplier_orgnr", "").strip()
        return orgnr_clean(value) if value else ""

    def clean_test_endpoints(self):
        return endpoints_clean(self.cleaned_data.get("test_endpoints", ""))

    def clean(self):
        data = super().clean()
        orgnr, name = data.get("supplier_orgnr"), (data.get("supplier_name") or "").strip()
        if "supplier_orgnr" in data and bool(orgnr) != bool(name):
            field = "supplier_name" if orgnr else "supplier_orgnr"
            self.add_error(field, _("Oppgi både organisasjonsnummer og navn for leverandøren, "
                                    "eller ingen av dem."))
        bank_orgnr = data.get("orgnr")
        if orgnr and bank_orgnr and orgnr == bank_orgnr:
            self.add_error("supplier_orgnr", _("Leverandøren må ha et annet organisasjonsnummer "
                                               "enn banken."))
        return data


class RegistrationForm(SupplierAndEndpointsMixin, forms.Form):
    orgnr = forms.CharField(label=_("Organisasjonsnummer"), max_length=20,
                            help_text=_("9 siffer."))
    name = forms.CharField(label=_("Juridisk navn"), max_length=200)
    supplier_orgnr = forms.CharField(label=_("Leverandørens organisasjonsnummer"),
                                     max_length=20, required=False)
    supplier_name = forms.CharField(label=_("Leverandørens navn"), max_length=200,
                                    required=False)
    test_endpoints = forms.CharField(label=_("Testdomener og IP-områder"),
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=ENDPOINT_HELP)
    registrant_name = forms.CharField(label=_("Ditt navn"), max_length=200)
    registrant_email = forms.EmailField(
        label=_("Din e-post"),
        help_text=_("Du får en e-post med en lenke for å bekrefte adressen og velge passord. "
                    "Du blir bankens administrator i portalen."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, _legend in CONTACT_KINDS:
            self.fields[f"{kind}_name"] = forms.CharField(label=_("Navn"), max_length=200)
            self.fields[f"{kind}_email"] = forms.EmailField(label=_("E-post"))
            self.fields[f"{kind}_phone"] = forms.CharField(label=_("Telefon"), max_length=30)

    def clean_orgnr(self):
        return orgnr_clean(self.cleaned_data["orgnr"])

    def clean(self):
        data = super().clean()
        for kind, _legend in CONTACT_KINDS:
            field = f"{kind}_phone"
            if data.get(field):
                try:
                    data[field] = phone_clean(data[field])
                except forms.ValidationError as exc:
                    self.add_error(field, exc)
        return data

    def contact_groups(self):
        """(legend, [bound fields]) per contact point, for the template's fieldsets."""
        return [(legend, [self[f"{kind}_{part}"] for part in ("name", "email", "phone")])
                for kind, legend in CONTACT_KINDS]

    def contact_points(self):
        data = self.cleaned_data
        return [{"kind": kind, "name": data[f"{kind}_name"], "email": data[f"{kind}_email"],
                 "phone": data[f"{kind}_phone"]} for kind, _legend in CONTACT_KINDS]


class ResubmitForm(SupplierAndEndpointsMixin, forms.Form):
    name = forms.CharField(label=_("Juridisk navn"), max_length=200)
    supplier_orgnr = forms.CharField(label=_("Leverandørens organisasjonsnummer"),
                                     max_length=20, required=False)
    supplier_name = forms.CharField(label=_("Leverandørens navn"), max_length=200,
                                    required=False)
    test_endpoints = forms.CharField(label=_("Testdomener og IP-områder"),
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=ENDPOINT_HELP)
    comment = forms.CharField(label=_("Kommentar til Bits"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("Passord"), widget=forms.PasswordInput,
                                help_text=_("Minst 12 tegn."))
    password2 = forms.CharField(label=_("Gjenta passordet"), widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Passordene er ikke like."))
        elif p1:
            try:
                validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ReadinessForm(forms.Form):
    production_endpoints = forms.CharField(
        label=_("Produksjonsdomener og IP-områder"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=ENDPOINT_HELP)
    ready = forms.BooleanField(label=_("Vi bekrefter at banken er klar for produksjon"))

    def clean_production_endpoints(self):
        return endpoints_clean(self.cleaned_data["production_endpoints"])


class RoutinesForm(forms.Form):
    adopted = forms.BooleanField(label=_("Vi bekrefter at banken har tatt i bruk "
                                         "forvaltningsrutinene"))


class TermsPublishForm(forms.Form):
    version = forms.CharField(label=_("Versjon"), max_length=20)
    effective_date = forms.DateField(label=_("Gjelder fra"), widget=DateInput())
    sign_by = forms.DateField(label=_("Frist for ny signering"), widget=DateInput(),
                              required=False,
                              help_text=_("Påkrevd når banker har signert en tidligere versjon."))
    text = forms.CharField(label=_("Tjenestebeskrivelse og bruksvilkår"),
                           widget=forms.Textarea(attrs={"rows": 14}))
    pdf = forms.FileField(label=_("PDF (valgfritt)"), required=False)


class SignForm(forms.Form):
    read = forms.BooleanField(label=_("Jeg har lest bruksvilkårene og signerer på vegne av "
                                      "banken"))
    maskinporten_accepted = forms.BooleanField(
        label=_("Banken har akseptert Maskinportens bruksvilkår"))


class KeyRotateForm(forms.Form):
    grace_days = forms.IntegerField(
        label=_("Overgangsperiode (dager)"), min_value=0, max_value=7, initial=7,
        help_text=_("Så lenge virker den gamle nøkkelen etter rotasjonen (0–7 dager)."))

