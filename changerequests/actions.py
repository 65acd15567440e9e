"""The change request's actions with one text or none (Bits' check, Lånekassen's development and
deliveries): one table for the case page's buttons, the action view and the Django admin.

Steps that record a decision with a date and more than one field (Fagutvalget, Referansegruppe
Bank, Lånekassen's decision) have their own forms on the case page (`views.governance`).
"""

from django.utils.translation import gettext_lazy as _

from casework.actions import CaseAction
from casework.models import Environment

from . import permissions as perms
from . import services
from .services.requests import REFERENCE_RE


def _merge(case, user, text):
    note = REFERENCE_RE.sub("", text or "").lstrip(" .,:;–-\n").strip()
    return services.change_request_merge(request=case, by=user, original=text, note=note)


ACTIONS = (
    CaseAction("submit", _("Send til Bits"),
               lambda c, u, t: services.change_request_submit(request=c, by=u)),
    CaseAction("open", _("Åpne for alle banker"),
               lambda c, u, t: services.change_request_open(request=c, by=u)),
    CaseAction("return_to_bank", _("Returner til banken"),
               lambda c, u, t: services.change_request_return(request=c, by=u, message=t),
               prompt=_("Hva mangler? (synlig for banken)")),
    CaseAction("merge", _("Slå sammen med et annet endringsønske"), _merge,
               prompt=_("Referansen til endringsønsket dette er et duplikat av "
                        "(EO-ÅÅÅÅ-NNNN), ev. med en kommentar")),
    CaseAction("reject_out_of_scope", _("Avvis som utenfor omfang"),
               lambda c, u, t: services.change_request_reject_out_of_scope(
                   request=c, by=u, reason=t),
               prompt=_("Hvorfor er endringsønsket utenfor omfanget? (synlig for banken)"),
               danger=True),
    CaseAction("request_impact", _("Be bankene om konsekvensvurdering"),
               lambda c, u, t: services.impact_request(request=c, by=u),
               allowed=perms.can_request_impact),
    CaseAction("start_development", _("Start utviklingen"),
               lambda c, u, t: services.change_request_start_development(
                   request=c, by=u, note=t),
               prompt=_("Kommentar til bankene (valgfritt)"), required=False),
    CaseAction("deliver_test", _("Levert i test"),
               lambda c, u, t: services.change_request_deliver(
                   request=c, by=u, environment=Environment.TEST, note=t),
               prompt=_("Hva er levert? (tas med i endringsvarselet, valgfritt)"),
               required=False),
    CaseAction("deliver_production", _("Levert i produksjon"),
               lambda c, u, t: services.change_request_deliver(
                   request=c, by=u, environment=Environment.PRODUCTION, note=t),
               prompt=_("Hva er levert? (tas med i endringsvarselet, valgfritt)"),
               required=False),
)
