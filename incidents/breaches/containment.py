"""Containing a bank's breach (C.2): Lånekassen suspends and lifts the bank's API access from
the case (through `balances`, which alone keeps the suspension), and records what the API log
knows of the bank's calls in the breach's period."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from balances.selectors import api_suspension_for, lookup_log_summary
from balances.services import api_access_suspend, api_access_unsuspend
from casework.errors import DomainError
from casework.models import Message
from casework.runner import Tell, case_update, require_text

from . import permissions as perms
from . import recipients


def _tell_bank_and_bits(title):
    return lambda b: [Tell(recipients.bank_side(b) + recipients.bits_people(), title)]


def breach_api_suspend(*, breach, by, reason):
    """Lånekassen suspends the bank's API access: the API refuses the bank's next call.

    Two caseworkers suspending at once: the case row is locked, and the second decides on
    the suspension the first has committed — it is told, and nothing more happens.

    Side effects: the bank's access rows suspended (balances, with its own audit event), an
    audit event on the case, the bank's security side and Bits told.
    """
    reason = require_text(reason, _("Oppgi en begrunnelse for suspensjonen."))

    def change(locked):
        if api_suspension_for(organisation=locked.organisation) is not None:
            raise DomainError(_("Bankens API-tilgang er allerede suspendert."))
        if not api_access_suspend(organisation=locked.organisation, by=by, reason=reason):
            raise DomainError(_("Banken har ingen API-tilgang som kan suspenderes."))
        return {"reason": reason}

    breach, _msg = case_update(
        case=breach, by=by, allowed=perms.can_contain, verb="api_suspended", change=change,
        message=reason, visibility=Message.Visibility.PUBLIC,
        tell=_tell_bank_and_bits(gettext_lazy("Bankens API-tilgang er suspendert")))
    return breach


def breach_api_unsuspend(*, breach, by, reason=""):
    """Lånekassen lifts the suspension. Side effects: the access rows (balances, audited),
    an audit event on the case, the bank's security side and Bits told."""

    def change(locked):
        if api_suspension_for(organisation=locked.organisation) is None:
            raise DomainError(_("Bankens API-tilgang er ikke suspendert."))
        api_access_unsuspend(organisation=locked.organisation, by=by)
        return {"reason": (reason or "").strip()}

    breach, _msg = case_update(
        case=breach, by=by, allowed=perms.can_contain, verb="api_unsuspended", change=change,
        tell=_tell_bank_and_bits(gettext_lazy("Suspensjonen av bankens API-tilgang er opphevet")))
    return breach


def breach_period(breach, *, now=None):
    """The period the API log is read for: the stated one (open-ended: until now)."""
    if breach.occurred_unknown or breach.occurred_from is None:
        return None
    return breach.occurred_from, breach.occurred_to or (now or timezone.now())


def breach_api_summary(*, breach, user):
    """The API log's figures for the bank in the breach's period (Lånekassen only), or None."""
    period = breach_period(breach)
    if period is None or not perms.can_see_api_figures(breach, user):
        return None
    start, end = period
    return {"start": start, "end": end,
            **lookup_log_summary(organisation=breach.organisation, start=start, end=end)}


def breach_lookup_figure_record(*, breach, by):
    """Record, from the API log, the number of persons whose data the bank looked up in the
    breach's period. Side effects: persons_looked_up, audit (the figure and the period)."""

    def change(locked):
        period = breach_period(locked)
        if period is None:
            raise DomainError(_("Perioden er ukjent: oppgi den i en rapport først."))
        start, end = period
        summary = lookup_log_summary(organisation=locked.organisation, start=start, end=end)
        locked.persons_looked_up = summary["persons"]
        return {"persons": summary["persons"], "calls": summary["calls"],
                "start": start.isoformat(), "end": end.isoformat()}

    breach, _msg = case_update(case=breach, by=by, allowed=perms.can_see_api_figures,
                               verb="lookup_figure_recorded", change=change)
    return breach
