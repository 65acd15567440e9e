"""What a person can do to an onboarding case from its page, declared once: the case page's
buttons, the action view and the Django admin's actions are all built from `ACTIONS`.

The bank's own steps that need a form of their own (resubmit the registration, sign the
terms, confirm readiness and routines) have their own views. Suspending and lifting a
suspension are not transitions: `allowed` says when they are offered.
"""

from django.utils.translation import gettext_lazy as _

from casework.actions import CaseAction

from . import permissions as perms
from . import services

WHAT_MUST_CHANGE = _("Hva må banken endre? (synlig for banken)")

ACTIONS = (
    CaseAction(name="verify", label=_("Godkjenn registreringen"),
               service=lambda c, u, t: services.onboarding_verify(case=c, by=u)),
    CaseAction(name="return_for_changes", label=_("Returner til banken for endringer"),
               prompt=WHAT_MUST_CHANGE,
               service=lambda c, u, t: services.onboarding_return(case=c, by=u, message=t)),
    CaseAction(name="reject", label=_("Avvis registreringen"),
               prompt=_("Begrunnelse for avslaget (synlig for banken)"), danger=True,
               service=lambda c, u, t: services.onboarding_reject(case=c, by=u, reason=t)),
    CaseAction(name="reopen_registration", label=_("Åpne registreringen igjen"),
               prompt=WHAT_MUST_CHANGE,
               service=lambda c, u, t: services.onboarding_reopen_registration(
                   case=c, by=u, message=t)),
    CaseAction(name="order_test", label=_("Bestill testtilgang"),
               service=lambda c, u, t: services.onboarding_order_test(case=c, by=u)),
    CaseAction(name="grant_test", label=_("Gi testtilgang"),
               service=lambda c, u, t: services.onboarding_grant_test(case=c, by=u)),
    CaseAction(name="report_test_done", label=_("Meld integrasjonstesten fullført"),
               prompt=_("Kommentar til Bits (valgfritt)"), required=False,
               service=lambda c, u, t: services.onboarding_report_test_done(
                   case=c, by=u, message=t)),
    CaseAction(name="approve_test", label=_("Godkjenn integrasjonstesten"),
               prompt=_("Kommentar til banken (valgfritt)"), required=False,
               service=lambda c, u, t: services.onboarding_approve_test(
                   case=c, by=u, comment=t)),
    CaseAction(name="return_test", label=_("Send integrasjonstesten tilbake"),
               prompt=_("Hva må banken rette? (synlig for banken)"),
               service=lambda c, u, t: services.onboarding_return_test(
                   case=c, by=u, comments=t)),
    CaseAction(name="grant_production", label=_("Gi produksjonstilgang"),
               service=lambda c, u, t: services.onboarding_grant_production(case=c, by=u)),
    CaseAction(name="suspend", label=_("Suspender API-tilgangen"),
               prompt=_("Begrunnelse (synlig for banken)"), allowed=perms.can_suspend,
               danger=True,
               service=lambda c, u, t: services.onboarding_suspend(case=c, by=u, reason=t)),
    CaseAction(name="unsuspend", label=_("Opphev suspensjonen"), allowed=perms.can_unsuspend,
               service=lambda c, u, t: services.onboarding_unsuspend(case=c, by=u)),
    CaseAction(name="offboard", label=_("Avslutt banken i tjenesten"),
               prompt=_("Hvorfor avsluttes banken? (synlig for banken)"), danger=True,
               service=lambda c, u, t: services.onboarding_offboard(case=c, by=u, reason=t)),
)
