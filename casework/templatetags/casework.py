from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

VERB_LABELS = {
    "reported": _("meldte feilen"),
    "taken": _("tok saken"),
    "info_requested": _("ba banken om mer informasjon"),
    "bank_replied": _("svarte"),
    "escalated": _("eskalerte til Lånekassen"),
    "fixed": _("markerte feilen som rettet"),
    "resolved": _("løste saken"),
    "confirmed": _("bekreftet løsningen"),
    "reopened": _("gjenåpnet saken"),
    "auto_closed": _("lukket saken automatisk etter fem virkedager uten svar"),
    "reclassified": _("endret alvorlighet"),
}


@register.filter
def verb_label(verb):
    return VERB_LABELS.get(verb, verb)
