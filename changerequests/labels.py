"""What the timeline says of a change request's audit events."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import GovernanceDecision, ImpactLevel

VERB_LABELS = {
    "drafted": _("lagret et utkast"),
    "submitted": _("sendte endringsønsket til Bits"),
    "proposed_by_lanekassen": _("registrerte en endring fra Lånekassen"),
    "edited": _("endret endringsønsket"),
    "returned": _("returnerte endringsønsket til banken"),
    "opened": _("åpnet endringsønsket for alle banker"),
    "rejected_out_of_scope": _("avviste endringsønsket som utenfor omfanget"),
    "merged": _("slo endringsønsket sammen med"),
    "forum_recommended": _("registrerte Fagutvalgets anbefaling"),
    "forwarded": _("registrerte at Referansegruppe Bank sender det til Lånekassen"),
    "not_forwarded": _("registrerte at Referansegruppe Bank ikke sender det videre"),
    "accepted": _("aksepterte endringen"),
    "rejected": _("avviste endringen"),
    "deferred": _("utsatte beslutningen"),
    "resumed": _("tok saken opp igjen etter utsettelsen"),
    "development_started": _("startet utviklingen"),
    "delivered_test": _("leverte endringen i test"),
    "delivered_production": _("leverte endringen i produksjon"),
    "supported": _("støttet endringsønsket"),
    "support_withdrawn": _("trakk støtten"),
    "impact_requested": _("ba bankene om konsekvensvurdering"),
    "impact_answered": _("svarte på konsekvensvurderingen"),
    "assessed": _("vurderte verdi og innsats"),
}


def event_detail(event):
    """The part of an event worth reading after its label: the bank, the original, the
    release, the date, the notice."""
    data = event.data or {}
    if event.verb in ("supported", "support_withdrawn") and data.get("organisation"):
        return f"({data['organisation']})"
    if event.verb == "merged" and data.get("original"):
        return data["original"]
    if event.verb == "forum_recommended" and data.get("outcome"):
        return f"({GovernanceDecision.Outcome(data['outcome']).label.lower()})"
    if event.verb == "accepted" and data.get("planned_release"):
        return "(" + gettext("planlagt i %(r)s") % {"r": data["planned_release"]} + ")"
    if event.verb == "deferred" and data.get("until"):
        day = "{2}.{1}.{0}".format(*data["until"].split("-"))
        return "(" + gettext("til %(d)s") % {"d": day} + ")"
    if event.verb.startswith("delivered_") and data.get("notice"):
        return "(" + gettext("endringsvarsel %(ref)s klargjort") % {"ref": data["notice"]} + ")"
    if event.verb == "impact_answered" and data.get("level"):
        return f"({ImpactLevel(data['level']).label.lower()})"
    return ""
