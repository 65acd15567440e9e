from django import template
from django.utils.translation import gettext_lazy as _

from ..models import Status

register = template.Library()

VERB_LABELS = {
    "registered": _("registrerte banken"),
    "registrant_verified": _("bekreftet e-postadressen"),
    "registrant_corrected": _("rettet registrantens e-postadresse og sendte ny lenke"),
    "verified": _("godkjente registreringen"),
    "returned": _("returnerte registreringen for endringer"),
    "resubmitted": _("sendte inn registreringen på nytt"),
    "rejected": _("avviste registreringen"),
    "registration_reopened": _("åpnet registreringen igjen"),
    "terms_signed": _("signerte bruksvilkårene"),
    "test_ordered": _("bestilte testtilgang"),
    "test_granted": _("ga testtilgang"),
    "test_reported": _("meldte integrasjonstesten fullført"),
    "test_approved": _("godkjente integrasjonstesten"),
    "test_returned": _("sendte integrasjonstesten tilbake"),
    "readiness_confirmed": _("meldte banken klar for produksjon"),
    "production_granted": _("ga produksjonstilgang"),
    "routines_confirmed": _("bekreftet forvaltningsrutinene – banken er i produksjon"),
    "suspended": _("suspenderte API-tilgangen"),
    "unsuspended": _("opphevet suspensjonen"),
    "offboarded": _("avsluttet banken i tjenesten"),
    "api_key_created": _("opprettet en API-nøkkel"),
    "api_key_rotated": _("roterte en API-nøkkel"),
    "api_key_revoked": _("trakk tilbake en API-nøkkel"),
}


@register.filter
def onboarding_verb(verb):
    return VERB_LABELS.get(verb, verb)


@register.filter
def onboarding_status(value):
    try:
        return Status(value).label
    except ValueError:
        return value
