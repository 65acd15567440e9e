"""What a person can do to an error report, declared once: the case page's buttons, the
action view and the Django admin's actions are all built from `ACTIONS`."""

from django.utils.translation import gettext_lazy as _

from casework.actions import CaseAction
from casework.slacase import request_info_action

from . import services

ACTIONS = (
    CaseAction(name="take", label=_("Ta saken"),
               service=lambda r, u, t: services.incident_take(report=r, by=u)),
    request_info_action(lambda r, u, t: services.incident_request_info(report=r, by=u,
                                                                       message=t)),
    CaseAction(name="escalate", label=_("Eskaler til Lånekassen"),
               prompt=_("Hva skal Lånekassen se på? (internt, ikke for banken)"),
               service=lambda r, u, t: services.incident_escalate(report=r, by=u, note=t)),
    CaseAction(name="mark_fixed", label=_("Marker som rettet"),
               prompt=_("Hva er rettet? (til Bits, ikke for banken)"),
               service=lambda r, u, t: services.incident_mark_fixed(report=r, by=u,
                                                                    explanation=t)),
    CaseAction(name="resolve", label=_("Løs saken"),
               prompt=_("Løsning og veiledning til banken"),
               service=lambda r, u, t: services.incident_resolve(report=r, by=u, guidance=t)),
    CaseAction(name="confirm", label=_("Bekreft at feilen er løst"),
               service=lambda r, u, t: services.incident_confirm(report=r, by=u)),
    CaseAction(name="reopen", label=_("Gjenåpne saken"),
               prompt=_("Hvorfor er feilen ikke løst?"),
               service=lambda r, u, t: services.incident_reopen(report=r, by=u, reason=t)),
)
