from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Environment
from notifications.models import Delivery

from .models import Component, Kind, Severity, Status
from .services import notice_problems

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class NoticeForm(forms.Form):
    """Write or edit a notice. The same rules as the service, shown next to each field."""

    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices, widget=forms.RadioSelect)
    environments = forms.MultipleChoiceField(
        label=_("Miljøer"), choices=Environment.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    components = forms.ModelMultipleChoiceField(
        label=_("Berørte komponenter"), queryset=Component.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    severity = forms.ChoiceField(label=_("Alvorlighet"), choices=Severity.choices,
                                 initial=Severity.MAJOR)
    title = forms.CharField(label=_("Tittel"), max_length=200)
    body = forms.CharField(
        label=_("Tekst"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **fet**, *kursiv*, lister med «-», lenker som [tekst](https://…)."))
    window_start = forms.DateTimeField(label=_("Vedlikehold fra"), required=False,
                                       widget=DateTimeLocalInput(),
                                       input_formats=DATETIME_FORMATS,
                                       help_text=_("Bare for planlagt vedlikehold."))
    window_end = forms.DateTimeField(label=_("Vedlikehold til"), required=False,
                                     widget=DateTimeLocalInput(), input_formats=DATETIME_FORMATS)
    effective_test = forms.DateField(label=_("Gjelder i test fra"), required=False,
                                     widget=DateInput(), help_text=_("Bare for endringer."))
    effective_production = forms.DateField(label=_("Gjelder i produksjon fra"), required=False,
                                           widget=DateInput())
    publish_at = forms.DateTimeField(
        label=_("Publiser senere"), required=False, widget=DateTimeLocalInput(),
        input_formats=DATETIME_FORMATS,
        help_text=_("Fyll ut og velg «Planlegg publisering» for å publisere på et bestemt "
                    "tidspunkt."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["components"].queryset = Component.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        for name, message in notice_problems(
                kind=data.get("kind"), environments=data.get("environments"),
                components=list(data.get("components") or []),
                window_start=data.get("window_start"), window_end=data.get("window_end"),
                effective_test=data.get("effective_test"),
                effective_production=data.get("effective_production"),
                publish_at=data.get("publish_at"), now=timezone.now()):
            self.add_error(name, message)
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        return {key: data.get(key) for key in (
            "kind", "severity", "environments", "components", "title", "body", "window_start",
            "window_end", "effective_test", "effective_production")}


class UpdateForm(forms.Form):
    body = forms.CharField(label=_("Oppdatering"), widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Markdown. Sendes til alle mottakerne."))


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Søk"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("Alle"))] + list(Kind.choices))
    status = forms.ChoiceField(label=_("Status"), required=False)
    severity = forms.ChoiceField(label=_("Alvorlighet"), required=False,
                                 choices=[("", _("Alle"))] + list(Severity.choices))
    environment = forms.ChoiceField(label=_("Miljø"), required=False,
                                    choices=[("", _("Alle"))] + list(Environment.choices))
    component = forms.ModelChoiceField(label=_("Komponent"), required=False,
                                       queryset=Component.objects.all(), empty_label=_("Alle"))
    date_from = forms.DateField(label=_("Fra dato"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Til dato"), required=False, widget=DateInput())

    def __init__(self, *args, include_unpublished=False, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = [c for c in Status.choices
                    if include_unpublished or c[0] not in (Status.DRAFT, Status.SCHEDULED)]
        self.fields["status"].choices = [("", _("Alle")), ("current", _("Pågående"))] + statuses


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alle"))] + [
        c for c in Delivery.Status.choices if c[0] != Delivery.Status.SENDING])
    channel = forms.ChoiceField(label=_("Kanal"), required=False,
                                choices=[("", _("Alle"))] + list(Delivery.Channel.choices))
