import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import CaseFilterForm, attachments_field
from casework.models import Environment

from .models import Severity, Status

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")
# A bad value is echoed in the error message at most this long (a pasted log is not).
ECHO_MAX = 80
# How far back a fault may have happened: older reports belong in a conversation, not a date.
OCCURRED_AT_MAX_AGE = timezone.timedelta(days=365)


def _echo(value):
    return value if len(value) <= ECHO_MAX else value[:ECHO_MAX - 1] + "…"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ErrorReportForm(forms.Form):
    environment = forms.ChoiceField(label=_("Miljø"), choices=Environment.choices,
                                    widget=forms.RadioSelect)
    severity = forms.ChoiceField(label=_("Alvorlighet"), choices=Severity.choices,
                                 initial=Severity.NORMAL)
    occurred_at = forms.DateTimeField(
        label=_("Når skjedde feilen?"), widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
    )
    request_ids = forms.CharField(
        label=_("X-Request-Id"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Én verdi per linje, fra API-kallene som feilet."),
    )
    summary = forms.CharField(label=_("Sammendrag"), max_length=200)
    description = forms.CharField(label=_("Beskrivelse"), widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=_("Hva skjedde, hva forventet dere, og hvor ofte?"))
    attachments = attachments_field()

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        now = timezone.now()
        if value > now + timezone.timedelta(minutes=5):
            raise forms.ValidationError(_("Tidspunktet kan ikke være i fremtiden."))
        if value < now - OCCURRED_AT_MAX_AGE:
            raise forms.ValidationError(_(
                "Tidspunktet kan ikke være mer enn ett år tilbake. Sjekk årstallet; gjelder "
                "feilen noe eldre, beskriv det i beskrivelsen og oppgi et nyere tidspunkt."))
        return value

    def clean_request_ids(self):
        values = [v.strip() for v in re.split(r"[\s,;]+", self.cleaned_data["request_ids"])]
        values = list(dict.fromkeys(v for v in values if v))
        if not values:
            raise forms.ValidationError(_("Oppgi minst én X-Request-Id."))
        bad = [v for v in values if not REQUEST_ID_RE.match(v)]
        if bad:
            raise forms.ValidationError(
                _("Ugyldig X-Request-Id: %(v)s. Bruk bokstaver, tall, punktum, bindestrek, "
                  "kolon og understrek.") % {"v": ", ".join(_echo(v) for v in bad[:3])})
        if len(values) > 50:
            raise forms.ValidationError(_("Oppgi høyst 50 X-Request-Id-verdier."))
        return values


class ReclassifyForm(forms.Form):
    severity = forms.ChoiceField(label=_("Ny alvorlighet"), choices=Severity.choices)
    reason = forms.CharField(label=_("Begrunnelse"), required=False, max_length=500)


class FilterForm(CaseFilterForm):
    statuses = Status.choices
    severity = forms.ChoiceField(label=_("Alvorlighet"), required=False,
                                 choices=[("", _("Alle"))] + list(Severity.choices))
    environment = forms.ChoiceField(label=_("Miljø"), required=False,
                                    choices=[("", _("Alle"))] + list(Environment.choices))
    field_order = ["q", "status", "severity", "environment", "organisation"]
