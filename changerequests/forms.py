from django import forms
from django.utils.translation import gettext_lazy as _

from casework.forms import attachments_field

from .models import GovernanceDecision, ImpactLevel, Part, Status, Urgency

SCALE = [("", _("Ikke vurdert"))] + [(str(n), str(n)) for n in range(1, 6)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label, **kwargs):
    return forms.DateField(label=label, required=False, widget=DateInput(),
                           input_formats=["%Y-%m-%d", "%d.%m.%Y"], **kwargs)


class ChangeRequestForm(forms.Form):
    """A bank's proposal (E.1), or Lånekassen's own change (E.2) with its impact question.
    The service says what is missing, on the field it concerns."""

    title = forms.CharField(label=_("Tittel"), max_length=200, widget=forms.TextInput(attrs={
        "autocomplete": "off"}))
    problem = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Hva er problemet i dag, og hvem merker det?"))
    proposal = forms.CharField(label=_("Foreslått endring"),
                               widget=forms.Textarea(attrs={"rows": 4}))
    benefit = forms.CharField(label=_("Nytte"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Hva blir bedre, og for hvem?"))
    urgency = forms.ChoiceField(label=_("Hastegrad"), choices=Urgency.choices,
                                initial=Urgency.MEDIUM, widget=forms.RadioSelect)
    part = forms.ChoiceField(label=_("Del av tjenesten"), choices=Part.choices)
    impact_requested = forms.BooleanField(
        label=_("Be bankene vurdere konsekvensene for dem"), required=False, initial=True)
    attachments = attachments_field()

    def __init__(self, *args, ask_impact=False, with_attachments=True, similar_url=None,
                 exclude_pk=None, **kwargs):
        super().__init__(*args, **kwargs)
        if similar_url:
            # While the title is typed, the similar requests are fetched (debounced).
            url = f"{similar_url}?exclude={exclude_pk}" if exclude_pk else similar_url
            self.fields["title"].widget.attrs.update({
                "hx-get": url, "hx-trigger": "input changed delay:400ms, load",
                "hx-target": "#similar", "hx-sync": "this:replace",
                "aria-controls": "similar"})
        if not ask_impact:
            del self.fields["impact_requested"]
        if not with_attachments:
            del self.fields["attachments"]


ORDERING_CHOICES = [("support", _("Mest støttet")), ("newest", _("Nyeste")),
                    ("active", _("Sist aktive"))]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Søk"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=(
        [("", _("Alle")), ("undecided", _("Til behandling"))] + list(Status.choices)))
    part = forms.ChoiceField(label=_("Del av tjenesten"), required=False,
                             choices=[("", _("Alle"))] + list(Part.choices))
    urgency = forms.ChoiceField(label=_("Hastegrad"), required=False,
                                choices=[("", _("Alle"))] + list(Urgency.choices))
    ordering = forms.ChoiceField(label=_("Sortering"), required=False, choices=ORDERING_CHOICES)


YES_NO = [("yes", _("Ja")), ("no", _("Nei"))]


class ForumForm(forms.Form):
    decided_on = date_field(_("Møtedato"))
    recommended = forms.ChoiceField(label=_("Anbefaler Fagutvalget endringen?"), choices=YES_NO,
                                    widget=forms.RadioSelect, initial="yes")
    rationale = forms.CharField(label=_("Fagutvalgets begrunnelse"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))


class ReferenceGroupForm(forms.Form):
    decided_on = date_field(_("Vedtaksdato"))
    forward = forms.ChoiceField(label=_("Sendes endringsønsket til Lånekassen?"),
                                choices=YES_NO, widget=forms.RadioSelect, initial="yes")
    rationale = forms.CharField(label=_("Referansegruppens begrunnelse"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))


Outcome = GovernanceDecision.Outcome
DECISIONS = [(Outcome.ACCEPTED, _("Akseptere")), (Outcome.REJECTED, _("Avvise")),
             (Outcome.DEFERRED, _("Utsette"))]


class LanekassenDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Beslutning"), choices=DECISIONS,
                                 widget=forms.RadioSelect, initial=Outcome.ACCEPTED)
    planned_release = forms.CharField(label=_("Planlagt release"), required=False,
                                      max_length=40, help_text=_("Påkrevd ved aksept."))
    deferred_until = date_field(_("Utsatt til"), help_text=_("Påkrevd ved utsettelse."))
    impact = forms.TypedChoiceField(label=_("Konsekvens for bankene (1–5)"), choices=SCALE,
                                    required=False, coerce=int, empty_value=None)
    effort = forms.TypedChoiceField(label=_("Innsats for Lånekassen (1–5)"), choices=SCALE,
                                    required=False, coerce=int, empty_value=None)
    rationale = forms.CharField(label=_("Begrunnelse"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))


class AssessForm(forms.Form):
    value = forms.TypedChoiceField(label=_("Verdi (1–5)"), choices=SCALE, required=False,
                                   coerce=int, empty_value=None)
    effort = forms.TypedChoiceField(label=_("Innsats (1–5)"), choices=SCALE, required=False,
                                    coerce=int, empty_value=None)
    forum_meeting_on = date_field(_("På agendaen til Fagutvalgets møte"))


class ImpactAnswerForm(forms.Form):
    level = forms.ChoiceField(label=_("Konsekvens for dere"), choices=ImpactLevel.choices,
                              widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Kommentar"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class WeightsForm(forms.Form):
    support = forms.IntegerField(label=_("Støtte"), min_value=0, max_value=100)
    urgency = forms.IntegerField(label=_("Hastegrad"), min_value=0, max_value=100)
    value = forms.IntegerField(label=_("Verdi"), min_value=0, max_value=100)
    effort = forms.IntegerField(label=_("Lav innsats"), min_value=0, max_value=100)


class AgendaForm(forms.Form):
    dato = date_field(_("Møtedato"))
