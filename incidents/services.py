"""Writes for error reports (C.1). Each is one call of the case kernel's runner
(`casework.runner`): lock, check, change, save, message, audit, notify — in one transaction."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Organisation
from accounts.permissions import is_bits, is_staff_side
from accounts.selectors import users_in_org_kind
from casework import slacase
from casework.errors import DomainError
from casework.models import Message
from casework.permissions import is_case_bank
from casework.recipients import bank_people as _bank_recipients
from casework.recipients import bits_handlers as _bits_recipients
from casework.recipients import lanekassen_users as _lanekassen_recipients
from casework.recipients import tell_bank as _tell_bank
from casework.recipients import tell_bits as _tell_bits
from casework.runner import (
    Tell,
    case_lock,
    case_open,
    case_update,
    lazy_title,
    require_text,
    transition_run,
)

from . import permissions as perms
from .models import ErrorReport, Severity

Visibility = Message.Visibility


def incident_report(*, by, environment, severity, occurred_at, request_ids, summary,
                    description, files=()):
    """A bank member reports an error.

    Side effects: an ErrorReport with a new reference and its SLA due times, attachments, an
    audit event, and a notification (portal + e-mail) to every Bits handler.
    """
    if not perms.can_report(by):
        raise DomainError(_("Bare brukere i en bank kan melde feil."))
    organisation = by.membership.organisation
    return case_open(
        model=ErrorReport, by=by, prefix="FM", verb="reported",
        fields={"organisation": organisation, "reported_by": by, "environment": environment,
                "severity": severity, "occurred_at": occurred_at,
                "request_ids": list(request_ids), "summary": summary.strip(),
                "description": description.strip()},
        data={"severity": severity, "environment": environment}, files=files,
        tell=[Tell(users_in_org_kind(Organisation.Kind.BITS),
                   lazy_title(gettext_noop("Ny feilmelding fra %(bank)s"),
                              bank=organisation.name))])


def incident_take(*, report, by):
    """A Bits handler takes the report. Side effects: assignee set, first response (the bank
    is told that Bits has picked it up), audit, bank notified."""
    return slacase.sla_case_take(case=report, by=by,
                                 title=gettext_lazy("Bits behandler feilmeldingen"))


def incident_request_info(*, report, by, message):
    """Bits asks the bank for more information; the SLA clock pauses until the bank answers.

    Side effects: a public message, first response, audit, bank notified.
    """
    return slacase.sla_case_request_info(case=report, by=by, message=message)


def incident_bank_reply(*, report, by, message, files=()):
    """The bank answers; the case returns to Bits and the SLA clock runs again.

    Side effects: a public message with attachments, due times moved by the pause, audit
    (with the business seconds the bank was waited for), Bits notified.
    """
    return slacase.sla_case_bank_reply(case=report, by=by, message=message, files=files)


def incident_escalate(*, report, by, note):
    """Bits escalates to Lånekassen. Side effects: an internal note (Bits and Lånekassen),
    first response, audit, Lånekassen caseworkers and the bank notified."""
    note = require_text(note, _("Skriv hva Lånekassen skal se på."))
    return transition_run(
        case=report, by=by, name="escalate", verb="escalated", args=(by, timezone.now()),
        message=note, visibility=Visibility.INTERNAL,
        tell=lambda r: [
            Tell(_lanekassen_recipients(r), gettext_lazy("Feilmelding eskalert til Lånekassen"),
                 event="lanekassen"),
            Tell(_bank_recipients(r),
                 gettext_lazy("Feilmeldingen er sendt til Lånekassen"), event="bank"),
        ])


def incident_mark_fixed(*, report, by, explanation):
    """Lånekassen has fixed it. Side effects: an internal note, audit, Bits notified."""
    explanation = require_text(explanation, _("Forklar hva som er rettet."))
    return transition_run(case=report, by=by, name="mark_fixed", verb="fixed",
                          message=explanation, visibility=Visibility.INTERNAL,
                          tell=_tell_bits(gettext_lazy("Lånekassen har rettet feilen")))


def incident_resolve(*, report, by, guidance):
    """Bits resolves the report to the bank with guidance. It closes by itself after five
    working days without a reply. Side effects: a public message, first response, audit,
    bank notified."""
    guidance = require_text(guidance, _("Skriv en løsning eller veiledning til banken."))
    return transition_run(case=report, by=by, name="resolve", verb="resolved",
                          args=(by, timezone.now()), message=guidance,
                          tell=_tell_bank(gettext_lazy("Feilmeldingen er løst")))


def incident_confirm(*, report, by):
    """The bank confirms the solution; the case closes. Side effects: audit, Bits notified."""
    return transition_run(case=report, by=by, name="confirm", verb="confirmed",
                          args=(timezone.now(),),
                          tell=_tell_bits(gettext_lazy("Banken har bekreftet løsningen")))


def incident_reopen(*, report, by, reason):
    """The bank is not satisfied. Side effects: a public message, audit, Bits notified."""
    reason = require_text(reason, _("Skriv hvorfor saken gjenåpnes."))
    return transition_run(case=report, by=by, name="reopen", verb="reopened", message=reason,
                          tell=_tell_bits(gettext_lazy("Banken har gjenåpnet saken")))


def incident_reclassify(*, report, by, severity, reason=""):
    """Bits changes the severity; the SLA due times follow. Side effects: audit (old and new
    severity, the reason), bank told. The same severity again records nothing."""
    if severity not in Severity.values:
        raise DomainError(_("Ukjent alvorlighetsgrad."), field="severity")

    def change(locked):
        old = locked.severity
        locked.severity = severity
        locked.due_times_refresh()
        return {"from": old, "to": severity}

    with transaction.atomic():
        report = case_lock(report)
        if perms.can_reclassify(report, by) and report.severity == severity:
            return report
        report, _message = case_update(
            case=report, by=by, allowed=perms.can_reclassify, verb="reclassified",
            denied=_("Du har ikke lov til å endre alvorlighetsgraden."), change=change,
            data={"reason": reason.strip()},
            tell=lambda r: [Tell(_bank_recipients(r), lazy_title(gettext_noop(
                "Alvorlighetsgraden er endret til %(s)s"), s=r.get_severity_display()))])
    return report


def _comment_tells(report, by, visibility):
    """Who hears of a reply or note: the other side of the conversation."""
    if visibility == Visibility.INTERNAL and not report.escalated_at:
        return []  # Lånekassen is not involved until the report is escalated
    other_staff = (_lanekassen_recipients(report) if is_bits(by)
                   else _bits_recipients(report))
    if is_case_bank(report, by):
        return [Tell(_bits_recipients(report), gettext_lazy("Ny melding"))]
    if visibility == Visibility.PUBLIC:
        users = _bank_recipients(report)
        if report.escalated_at and is_staff_side(by):
            users = users + other_staff
        return [Tell(users, gettext_lazy("Ny melding"))]
    if visibility == Visibility.INTERNAL:
        return [Tell(other_staff, gettext_lazy("Nytt internt notat"))]
    return []  # a note for one's own organisation only


def incident_comment(*, report, by, body, visibility=Visibility.PUBLIC, files=()):
    """A reply or internal note (`casework.slacase.sla_case_comment`): a bank's reply to a
    report waiting for it hands the report back to Bits, as `incident_bank_reply`. Side
    effects: a message (and attachments), a public reply from Bits or Lånekassen counts as
    first response, the other side notified. No audit event: the message is the record.
    Returns the message (the report, for a bank reply)."""
    return slacase.sla_case_comment(
        case=report, by=by, body=body, visibility=visibility, files=files,
        allowed=perms.can_comment, denied=_("Du kan ikke skrive i denne saken."),
        tells=_comment_tells)


def incident_auto_close_due(*, now=None):
    """Close every report resolved more than five working days ago without a reply (a public
    message after the resolution restarts the quiet period).

    Side effects per report: status closed (by the system), audit (no person), bank and Bits
    notified. Returns how many closed.
    """
    return slacase.sla_case_auto_close_due(
        model=ErrorReport, now=now,
        title=gettext_lazy("Saken er lukket automatisk etter fem virkedager uten svar"))


def incident_assign(*, report, by, to):
    """Bits gives an open report to another Bits handler (or takes it over).

    Side effects: the assignee changed (the status stays), an audit event ("assigned"),
    the new handler notified (portal + e-mail)."""
    return slacase.sla_case_assign(case=report, by=by, to=to,
                                   title=gettext_lazy("Du er tildelt feilmeldingen"))
