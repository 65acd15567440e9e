from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from casework.forms import attachments_field
from casework.models import Environment

from .models import AffectedScope, MainCause, Nature, SubjectsInformed

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _when(label, required=True, help_text=""):
    return forms.DateTimeField(label=label, required=required, widget=DateTimeLocalInput(),
                               input_formats=DATETIME_FORMATS, help_text=help_text)


def _count(label):
    return forms.IntegerField(label=label, required=False, min_value=0,
                              error_messages={"min_value": _("Antallet kan ikke være negativt.")})


class BreachFactsForm(forms.Form):
    """The facts of a breach (C.2, C.3), as Datatilsynet's form asks for them. The service
    checks them again (`services.facts_clean`) and names the field that is wrong."""

    aware_at = _when(_("Når ble dere kjent med bruddet?"),
                     help_text=_("Fristene regnes fra dette tidspunktet."))
    occurred_from = _when(_("Bruddet startet"), required=False)
    occurred_to = _when(_("Bruddet sluttet"), required=False,
                        help_text=_("La stå tom hvis det fortsatt pågår."))
    occurred_unknown = forms.BooleanField(label=_("Tidspunktet er ukjent"), required=False)
    description = forms.CharField(label=_("Hva skjedde, og hvordan?"),
                                  widget=forms.Textarea(attrs={"rows": 5}))
    main_cause = forms.ChoiceField(label=_("Hovedårsak"), choices=MainCause.choices,
                                   widget=forms.RadioSelect)
    cause_other = forms.CharField(label=_("Annen årsak"), required=False, max_length=200)
    nature = forms.MultipleChoiceField(label=_("Type brudd"), choices=Nature.choices,
                                       widget=forms.CheckboxSelectMultiple)
    data_categories = forms.CharField(label=_("Hvilke personopplysninger er berørt?"),
                                      widget=forms.Textarea(attrs={"rows": 2}))
    persons_approx = _count(_("Omtrent hvor mange personer?"))
    records_approx = _count(_("Omtrent hvor mange registreringer?"))
    consequences = forms.CharField(label=_("Sannsynlige konsekvenser"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    measures_taken = forms.CharField(label=_("Tiltak som er satt i verk"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    measures_planned = forms.CharField(label=_("Tiltak som er planlagt"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    subjects_informed = forms.ChoiceField(
        label=_("Er de registrerte informert (GDPR art. 34)?"),
        choices=SubjectsInformed.choices, widget=forms.RadioSelect)
    subjects_informed_details = forms.CharField(label=_("Om informasjonen til de registrerte"),
                                                required=False,
                                                widget=forms.Textarea(attrs={"rows": 2}))
    contact_name = forms.CharField(label=_("Kontaktperson"), max_length=200)
    contact_email = forms.EmailField(label=_("Kontaktpersonens e-post"))
    contact_phone = forms.CharField(label=_("Kontaktpersonens telefon"), required=False,
                                    max_length=30)

    def facts(self):
        return {k: self.cleaned_data.get(k) for k in BreachFactsForm.base_fields}


class BreachReportForm(BreachFactsForm):
    attachments = attachments_field()


class LanekassenBreachForm(BreachReportForm):
    affected_scope = forms.ChoiceField(label=_("Berørte banker"), choices=AffectedScope.choices,
                                       widget=forms.RadioSelect)
    affected_environment = forms.ChoiceField(label=_("Miljø"), required=False,
                                             choices=[("", "–")] + list(Environment.choices))
    affected_organisations = forms.ModelMultipleChoiceField(
        label=_("Valgte banker"), required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Organisation.objects.filter(kind=Organisation.Kind.BANK).order_by("name"))


class AuthorityForm(forms.Form):
    notified = forms.TypedChoiceField(
        label=_("Melding til Datatilsynet"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("Meldt til Datatilsynet")), ("no", _("Besluttet ikke å melde"))])
    notified_at = _when(_("Meldt"), required=False)
    reference = forms.CharField(label=_("Datatilsynets referanse"), required=False,
                                max_length=100)
    reason = forms.CharField(label=_("Begrunnelse for ikke å melde"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    delay_reason = forms.CharField(label=_("Begrunnelse for forsinkelse (etter 72 timer)"),
                                   required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DoraForm(forms.Form):
    classified_at = _when(_("Klassifisert som alvorlig IKT-hendelse"))
