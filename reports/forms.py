from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_YEARS = 5


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateRangeForm(forms.Form):
    """A report's period, whole days in Norwegian time. Without dates: the last `default_days`
    up to today. Given `banks` (a queryset), also a choice of one of them, or all."""

    fra = forms.DateField(label=_("Fra og med"), required=False, widget=DateInput())
    til = forms.DateField(label=_("Til og med"), required=False, widget=DateInput())

    def __init__(self, *args, default_days=90, banks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_days = default_days
        if banks is not None:
            self.fields["bank"] = forms.ModelChoiceField(
                queryset=banks, required=False, label=_("Bank"), empty_label=_("Alle banker"),
                error_messages={"invalid_choice": _(
                    "Vi fant ikke den banken. Velg en bank fra listen, eller alle banker.")})

    def clean(self):
        data = super().clean()
        data["start"], data["end"] = period(data.get("fra"), data.get("til"), self.default_days)
        return data


def period(start, end, default_days):
    """(start, end) of a report: the dates given, or the last `default_days` days up to today;
    ValidationError when the end is before the start or the period is longer than five
    years."""
    end = end or timezone.localdate()
    start = start or end - timedelta(days=default_days - 1)
    if end < start:
        raise forms.ValidationError(_("Til-datoen er før fra-datoen. Velg en til-dato som er "
                                      "lik eller senere enn fra-datoen."))
    try:
        limit = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + MAX_YEARS, day=28)
    if end >= limit:
        raise forms.ValidationError(_("Perioden kan være høyst fem år. Velg en kortere "
                                      "periode."))
    return start, end
