"""What a person can do to a security breach from its page, declared once: the buttons, the
kernel's action view and the Django admin's actions are built from `ACTIONS`. Reports,
the notice to Datatilsynet and the DORA classification have forms of their own."""

from django.utils.translation import gettext_lazy as _

from balances.selectors import api_suspension_for
from casework.actions import CaseAction

from . import containment, reminders, services
from . import permissions as perms


def _suspended(breach):
    return api_suspension_for(organisation=breach.organisation) is not None


ACTIONS = (
    CaseAction(name="confirm_receipt", label=_("Bekreft mottak"),
               service=lambda b, u, t: services.breach_confirm_receipt(breach=b, by=u)),
    CaseAction(name="ask", label=_("Be om mer informasjon"),
               prompt=_("Hva trenger dere? (synlig for den som meldte)"),
               allowed=perms.can_ask,
               service=lambda b, u, t: services.breach_ask(breach=b, by=u, message=t)),
    CaseAction(name="suspend", label=_("Suspender bankens API-tilgang"), danger=True,
               prompt=_("Begrunnelse for suspensjonen (banken ser den)"),
               allowed=lambda b, u: perms.can_contain(b, u) and b.is_open
               and not _suspended(b),
               service=lambda b, u, t: containment.breach_api_suspend(breach=b, by=u,
                                                                      reason=t)),
    CaseAction(name="unsuspend", label=_("Opphev suspensjonen"),
               prompt=_("Hvorfor kan banken slippe til igjen?"), required=False,
               allowed=lambda b, u: perms.can_contain(b, u) and _suspended(b),
               service=lambda b, u, t: containment.breach_api_unsuspend(breach=b, by=u,
                                                                        reason=t)),
    CaseAction(name="record_figure", label=_("Registrer antall personer fra API-loggen"),
               allowed=lambda b, u: perms.can_see_api_figures(b, u) and b.is_open,
               service=lambda b, u, t: containment.breach_lookup_figure_record(breach=b,
                                                                               by=u)),
    CaseAction(name="acknowledge", label=_("Bekreft at banken har lest dette"),
               allowed=perms.can_acknowledge,
               service=lambda b, u, t: reminders.breach_acknowledge(breach=b, by=u)),
    CaseAction(name="close", label=_("Lukk saken"),
               service=lambda b, u, t: services.breach_close(breach=b, by=u)),
)
