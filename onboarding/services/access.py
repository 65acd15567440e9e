"""A.3 the test environment and A.4 production: Bits orders, Lånekassen grants (through
`balances`, in the transition's hook, so a failed grant rolls the step back), the bank tests,
confirms readiness and routines. And the side states: suspension and offboarding.

API access is `balances`' to keep: a suspension lives on its access rows only (the API checks
them), so suspending and lifting from here change those rows and record the event on the case.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from balances import services as balances
from casework.errors import DomainError
from casework.models import Environment
from casework.runner import Tell, case_update, lazy_title, require_text, transition_run

from .. import permissions as perms
from . import recipients


def onboarding_order_test(*, case, by):
    """Bits orders test access from Lånekassen. Side effects: status, audit, Lånekassen told."""
    return transition_run(
        case=case, by=by, name="order_test", verb="test_ordered",
        tell=lambda c: [Tell(recipients.lanekassen(),
                             lazy_title(gettext_noop("Bits har bestilt testtilgang for %(bank)s"),
                                        bank=c.organisation.name))])


def onboarding_grant_test(*, case, by):
    """Lånekassen grants test access: API access to the test environment and the Maskinporten
    scope for the bank's orgnr. The bank's admin then creates the test API key, which is shown
    to them once.

    Side effects: an ApiAccess row (balances), status, audit, the bank's admins told.
    """
    return transition_run(
        case=case, by=by, name="grant_test", args=(timezone.now(),), verb="test_granted",
        hook=lambda c: balances.api_access_grant(organisation=c.organisation,
                                                 environment=Environment.TEST, by=by),
        data={"environment": Environment.TEST},
        tell=lambda c: [Tell(recipients.bank_admins(c.organisation), gettext_lazy(
            "Testtilgang er gitt – opprett API-nøkkel og kjør integrasjonstesten"))])


def onboarding_report_test_done(*, case, by, message=""):
    """The bank has run the integration test. Side effects: status, optional public message,
    audit, Bits told to review it."""
    return transition_run(
        case=case, by=by, name="report_test_done", verb="test_reported",
        message=(message or "").strip() or None,
        tell=lambda c: [Tell(recipients.bits(),
                             gettext_lazy("Banken har fullført integrasjonstesten"))])


def onboarding_approve_test(*, case, by, comment=""):
    """Bits approves the integration test (A.3 → A.4). Side effects: status, optional public
    message, audit, the bank's admins told to confirm readiness."""
    return transition_run(
        case=case, by=by, name="approve_test", args=(timezone.now(),), verb="test_approved",
        message=(comment or "").strip() or None,
        tell=lambda c: [Tell(recipients.bank_admins(c.organisation), gettext_lazy(
            "Integrasjonstesten er godkjent – meld klar for produksjon"))])


def onboarding_return_test(*, case, by, comments):
    """Bits sends the integration test back with comments. Side effects: status, a public
    message, audit, the bank's admins told."""
    comments = require_text(comments, _("Skriv hva banken må rette i testen."))
    return transition_run(
        case=case, by=by, name="return_test", verb="test_returned", message=comments,
        tell=lambda c: [Tell(recipients.bank_admins(c.organisation),
                             gettext_lazy("Bits har sendt integrasjonstesten tilbake"))])


def onboarding_confirm_readiness(*, case, by, production_endpoints):
    """The bank confirms it is ready for production and gives its production domains / IP
    ranges (checked by the form). Side effects: status, the endpoints, audit, Lånekassen told.
    """
    endpoints = list(production_endpoints or ())
    if not endpoints:
        raise DomainError(_("Oppgi minst ett produksjonsdomene eller IP-område."),
                          field="production_endpoints")
    return transition_run(
        case=case, by=by, name="confirm_readiness", args=(endpoints,),
        verb="readiness_confirmed", data={"production_endpoints": endpoints},
        tell=lambda c: [Tell(recipients.lanekassen(),
                             lazy_title(gettext_noop("%(bank)s er klar for produksjon"),
                                        bank=c.organisation.name))])


def onboarding_grant_production(*, case, by):
    """Lånekassen grants production access. The bank's admin creates the production key. A
    suspended bank stays suspended: `balances` starts the new access suspended too.

    Side effects: an ApiAccess row for production (balances), status, audit, the bank's admins
    told to confirm the management routines.
    """
    return transition_run(
        case=case, by=by, name="grant_production", args=(timezone.now(),),
        verb="production_granted",
        hook=lambda c: balances.api_access_grant(organisation=c.organisation,
                                                 environment=Environment.PRODUCTION, by=by),
        data={"environment": Environment.PRODUCTION},
        tell=lambda c: [Tell(recipients.bank_admins(c.organisation), gettext_lazy(
            "Produksjonstilgang er gitt – opprett API-nøkkel og bekreft forvaltningsrutinene"))])


def onboarding_confirm_routines(*, case, by):
    """The bank confirms it has adopted the management routines: the case is complete and the
    bank is in production. Side effects: status, audit, Bits and Lånekassen told."""
    return transition_run(
        case=case, by=by, name="confirm_routines", args=(timezone.now(),),
        verb="routines_confirmed",
        tell=lambda c: [Tell(recipients.bits() + recipients.lanekassen(),
                             lazy_title(gettext_noop("%(bank)s er i produksjon"),
                                        bank=c.organisation.name))])


def _bank_and_bits(title):
    return lambda c: [Tell(recipients.bank_admins(c.organisation) + recipients.bits(),
                           lazy_title(title, bank=c.organisation.name))]


def onboarding_suspend(*, case, by, reason):
    """Lånekassen suspends the bank: every API key stops working at once, in every
    environment (including one granted later, until the suspension is lifted).

    Side effects: the bank's API access suspended (balances: the one record of it), a public
    message with the reason, audit on the case, the bank's admins and Bits told.
    """
    reason = require_text(reason, _("Oppgi en begrunnelse for suspensjonen."))

    def suspend(case):
        balances.api_access_suspend(organisation=case.organisation, by=by, reason=reason)
        return {"reason": reason}

    case, _message = case_update(
        case=case, by=by, allowed=perms.can_suspend, denied=_("Banken kan ikke suspenderes nå."),
        verb="suspended", change=suspend, message=reason,
        tell=_bank_and_bits(_("API-tilgangen til %(bank)s er suspendert")))
    return case


def onboarding_unsuspend(*, case, by):
    """Lånekassen lifts the suspension. Side effects: API access active again (balances),
    audit on the case, the bank's admins and Bits told."""
    def lift(case):
        balances.api_access_unsuspend(organisation=case.organisation, by=by)

    case, _message = case_update(
        case=case, by=by, allowed=perms.can_unsuspend, denied=_("Banken er ikke suspendert."),
        verb="unsuspended", change=lift,
        tell=_bank_and_bits(_("Suspensjonen av %(bank)s er opphevet")))
    return case


def onboarding_offboard(*, case, by, reason):
    """Lånekassen ends the bank's use of the service: access closed (a suspension ends with
    it), every key revoked.

    Side effects: balances' offboarding, status, a public message, audit, the bank's admins
    and Bits told.
    """
    reason = require_text(reason, _("Skriv hvorfor banken avsluttes."))
    return transition_run(
        case=case, by=by, name="offboard", args=(timezone.now(),), verb="offboarded",
        hook=lambda c: balances.api_access_offboard(organisation=c.organisation, by=by),
        message=reason, data={"reason": reason},
        tell=_bank_and_bits(_("%(bank)s er avsluttet i tjenesten")))
