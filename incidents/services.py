"""Writes for error reports (C.1). Each transition: lock, check permission, transition, save,
audit, notify — in one transaction."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from accounts.models import Organisation
from accounts.selectors import users_in_org_kind
from casework.errors import DomainError
from casework.models import Message
from casework.services import (
    attachments_add,
    attachments_validate,
    audit_record,
    message_add,
    reference_next,
)
from casework.sla import calendar_get, sla_targets
from notifications.services import notify

from . import permissions as perms
from .models import ErrorReport, Severity, Status

PROCESS = "incident"
V = Message.Visibility
AUTO_CLOSE_WORKING_DAYS = 5


# --- who hears about what ---------------------------------------------------------------

def _bits_recipients(report):
    if report.assignee_id and report.assignee.is_active:
        return [report.assignee]
    return list(users_in_org_kind(Organisation.Kind.BITS))


def _lanekassen_recipients(report):
    return list(users_in_org_kind(Organisation.Kind.LANEKASSEN))


def _bank_recipients(report):
    if report.reported_by.is_active:
        return [report.reported_by]
    admins = report.organisation.memberships.filter(role="admin").select_related("user")
    return [m.user for m in admins]


def _notify(report, users, title, by, event):
    notify(users=users, title=f"{report.reference}: {title}", url=report.get_absolute_url(),
           key=f"incident:{report.pk}:{event}", exclude=by,
           context={"summary": report.summary})


# --- SLA ----------------------------------------------------------------------------------

def _refresh_due_times(report, calendar=None):
    targets = sla_targets(process=PROCESS, severity=report.severity)
    if targets is None:
        report.first_response_due = report.resolution_due = None
        return
    calendar = calendar or calendar_get()
    paused = timedelta(seconds=report.paused_seconds)
    first, resolution = targets
    report.first_response_due = calendar.add(report.created_at, first + paused)
    report.resolution_due = calendar.add(report.created_at, resolution + paused)


def _mark_first_response(report, by, at):
    if report.first_response_at is None and perms.is_staff_user(by):
        report.first_response_at = at


# --- transitions --------------------------------------------------------------------------

def _locked(report):
    # Lock the report row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join that select_related("assignee") makes.
    return ErrorReport.objects.select_for_update(of=("self",)).select_related(
        "assignee", "reported_by", "organisation").get(pk=report.pk)


def _run(report, by, name, *args, **kwargs):
    """Apply transition `name` to a locked, fresh copy of the report, or say why not."""
    method = getattr(report, name)
    if not can_proceed(method):
        raise DomainError(_("Saken har endret status i mellomtiden (nå: %(status)s). Last siden "
                            "på nytt og se hva som er gjort.") % {
                                "status": report.get_status_display()})
    if by is not None and not has_transition_perm(method, by):
        raise DomainError(_("Du har ikke lov til å gjøre dette på denne saken."))
    before = report.status
    method(*args, **kwargs)
    return before


def _require_text(text, message):
    text = (text or "").strip()
    if not text:
        raise DomainError(message)
    return text


def incident_report(*, by, environment, severity, occurred_at, request_ids, summary,
                    description, files=()):
    """A bank member reports an error.

    Side effects: an ErrorReport with a new reference, attachments, an audit event, and a
    notification (portal + e-mail) to every Bits handler.
    """
    if not perms.can_report(by):
        raise DomainError(_("Bare brukere i en bank kan melde feil."))
    attachments_validate(files)  # a bad file saves nothing
    now = timezone.now()
    with transaction.atomic():
        report = ErrorReport(
            reference=reference_next(prefix="FM", year=timezone.localtime(now).year),
            organisation=by.membership.organisation, reported_by=by,
            environment=environment, severity=severity, occurred_at=occurred_at,
            request_ids=list(request_ids), summary=summary.strip(),
            description=description.strip(), created_at=now,
        )
        _refresh_due_times(report)
        report.save()
        audit_record(obj=report, actor=by, verb="reported", to_state=report.status,
                     data={"severity": severity, "environment": environment})
        attachments_add(obj=report, uploaded_by=by, files=files)
        _notify(report, list(users_in_org_kind(Organisation.Kind.BITS)),
                _("Ny feilmelding fra %(bank)s") % {"bank": report.organisation.name},
                by, "reported")
    return report


def incident_take(*, report, by):
    """A Bits handler takes the report. Side effects: assignee set, audit, bank notified."""
    with transaction.atomic():
        report = _locked(report)
        before = _run(report, by, "take", by)
        # The bank is told that Bits has picked the report up: that is the first response.
        _mark_first_response(report, by, timezone.now())
        report.save()
        audit_record(obj=report, actor=by, verb="taken", from_state=before,
                     to_state=report.status)
        _notify(report, _bank_recipients(report), _("Bits behandler feilmeldingen"), by,
                f"taken:{report.updated_at.timestamp()}")
    return report


def incident_request_info(*, report, by, message):
    """Bits asks the bank for more information; the SLA clock pauses until the bank answers.

    Side effects: a public message, audit, bank notified.
    """
    message = _require_text(message, _("Skriv hva banken må svare på."))
    now = timezone.now()
    with transaction.atomic():
        report = _locked(report)
        before = _run(report, by, "request_info", by, now)
        _mark_first_response(report, by, now)
        report.save()
        message_add(obj=report, author=by, body=message, visibility=V.PUBLIC)
        audit_record(obj=report, actor=by, verb="info_requested", from_state=before,
                     to_state=report.status)
        _notify(report, _bank_recipients(report), _("Bits trenger mer informasjon"), by,
                f"info_requested:{now.timestamp()}")
    return report


def incident_bank_reply(*, report, by, message, files=()):
    """The bank answers; the case returns to Bits and the SLA clock runs again.

    Side effects: a public message with attachments, due times moved by the pause, audit,
    Bits notified.
    """
    message = _require_text(message, _("Skriv et svar."))
    attachments_validate(files)
    now = timezone.now()
    with transaction.atomic():
        report = _locked(report)
        calendar = calendar_get()
        paused = calendar.between(report.paused_since, now) if report.paused_since else timedelta()
        before = _run(report, by, "bank_reply", int(paused.total_seconds()))
        _refresh_due_times(report, calendar)
        report.save()
        msg = message_add(obj=report, author=by, body=message, visibility=V.PUBLIC)
        attachments_add(obj=report, uploaded_by=by, files=files, message=msg)
        audit_record(obj=report, actor=by, verb="bank_replied", from_state=before,
                     to_state=report.status, data={"paused_seconds": int(paused.total_seconds())})
        _notify(report, _bits_recipients(report), _("Banken har svart"), by,
                f"bank_replied:{now.timestamp()}")
    return report


def incident_escalate(*, report, by, note):
    """Bits escalates to Lånekassen. Side effects: an internal note (Bits and Lånekassen),
    audit, Lånekassen caseworkers and the bank notified."""
    note = _require_text(note, _("Skriv hva Lånekassen skal se på."))
    now = timezone.now()
    with transaction.atomic():
        report = _locked(report)
        before = _run(report, by, "escalate", by, now)
        _mark_first_response(report, by, now)
        report.save()
        message_add(obj=report, author=by, body=note, visibility=V.INTERNAL)
        audit_record(obj=report, actor=by, verb="escalated", from_state=before,
                     to_state=report.status)
        _notify(report, _lanekassen_recipients(report),
                _("Feilmelding eskalert til Lånekassen"), by, f"escalated:{now.timestamp()}")
        _notify(report, _bank_recipients(report), _("Feilmeldingen er sendt til Lånekassen"),
                by, f"escalated-bank:{now.timestamp()}")
    return report


def incident_mark_fixed(*, report, by, explanation):
    """Lånekassen has fixed it. Side effects: an internal note, audit, Bits notified."""
    explanation = _require_text(explanation, _("Forklar hva som er rettet."))
    now = timezone.now()
    with transaction.atomic():
        report = _locked(report)
        before = _run(report, by, "mark_fixed")
        report.save()
        message_add(obj=report, author=by, body=explanation, visibility=V.INTERNAL)
        audit_record(obj=report, actor=by, verb="fixed", from_state=before,
                     to_state=report.status)
        _notify(report, _bits_recipients(report), _("Lånekassen har rettet feilen"), by,
                f"fixed:{now.timestamp()}")
    return report


def incident_resolve(*, report, by, guidance):
    """Bits resolves the report to the bank with guidance. It closes by itself after five
    working days without a reply. Side effects: a public message, audit, bank notified."""
    guidance = _require_text(guidance, _("Skriv en løsning eller veiledning til banken."))
    now = timezone.now()
    with transaction.atomic():
        report = _locked(report)
        before = _run(report, by, "resolve", by, now)
        _mark_first_response(report, by, now)
        report.save()
        message_add(obj=report, author=by, body=guidance, visibility=V.PUBLIC)
        audit_record(obj=report, actor=by, verb="resolved", from_state=before,
                     to_state=report.status)
        _notify(report, _bank_recipients(report), _("Feilmeldingen er løst"), by,
                f"resolved:{now.timestamp()}")
    return report


def incident_confirm(*, report, by):
    """The bank confirms the solution; the case closes. Side effects: audit, Bits notified."""
    now = timezone.now()
    with transaction.atomic():
        report = _locked(report)
        before = _run(report, by, "confirm", now)
        report.save()
        audit_record(obj=report, actor=by, verb="confirmed", from_state=before,
                     to_state=report.status)
        _notify(report, _bits_recipients(report), _("Banken har bekreftet løsningen"), by,
                f"confirmed:{now.timestamp()}")
    return report


def incident_reopen(*, report, by, reason):
    """The bank is not satisfied. Side effects: a public message, audit, Bits notified."""
    reason = _require_text(reason, _("Skriv hvorfor saken gjenåpnes."))
    now = timezone.now()
    with transaction.atomic():
        report = _locked(report)
        before = _run(report, by, "reopen")
        report.save()
        message_add(obj=report, author=by, body=reason, visibility=V.PUBLIC)
        audit_record(obj=report, actor=by, verb="reopened", from_state=before,
                     to_state=report.status)
        _notify(report, _bits_recipients(report), _("Banken har gjenåpnet saken"), by,
                f"reopened:{now.timestamp()}")
    return report


def incident_reclassify(*, report, by, severity, reason=""):
    """Bits changes the severity; the SLA due times follow. Side effects: audit, bank told."""
    if severity not in Severity.values:
        raise DomainError(_("Ukjent alvorlighetsgrad."))
    with transaction.atomic():
        report = _locked(report)
        if not perms.can_reclassify(report, by):
            raise DomainError(_("Du har ikke lov til å endre alvorlighetsgraden."))
        old = report.severity
        if old == severity:
            return report
        report.severity = severity
        _refresh_due_times(report)
        report.save()
        audit_record(obj=report, actor=by, verb="reclassified",
                     data={"from": old, "to": severity, "reason": reason.strip()})
        _notify(report, _bank_recipients(report),
                _("Alvorlighetsgraden er endret til %(s)s") % {
                    "s": report.get_severity_display()}, by,
                f"reclassified:{timezone.now().timestamp()}")
    return report


def incident_comment(*, report, by, body, visibility=V.PUBLIC, files=()):
    """A reply or internal note. A bank's reply to a report waiting for it hands the report
    back to Bits. Side effects: a message (and attachments), the other side notified."""
    body = _require_text(body, _("Skriv en melding."))
    if visibility not in perms.note_choices(by):
        raise DomainError(_("Du kan ikke skrive med denne synligheten."))
    attachments_validate(files)
    now = timezone.now()
    with transaction.atomic():
        # Decide on the locked row, not on the page the writer loaded: Bits may have asked
        # the bank (the reply must resume the clock) or the report may have closed since.
        report = _locked(report)
        if perms.is_reporting_bank(report, by) and report.status == Status.AWAITING_BANK:
            return incident_bank_reply(report=report, by=by, message=body, files=files)
        if not perms.can_comment(report, by):
            raise DomainError(_("Du kan ikke skrive i denne saken."))
        msg = message_add(obj=report, author=by, body=body.strip(), visibility=visibility)
        attachments_add(obj=report, uploaded_by=by, files=files, message=msg,
                        visibility=visibility)
        if visibility == V.PUBLIC:
            _mark_first_response(report, by, now)
            report.save()
        key = f"message:{msg.pk}"
        title = _("Ny melding")
        if perms.is_reporting_bank(report, by):
            recipients = _bits_recipients(report)
        elif visibility == V.PUBLIC:
            recipients = _bank_recipients(report)
            if report.escalated_at and perms.is_staff_user(by):
                other = (_lanekassen_recipients(report) if perms.is_bits_user(by)
                         else _bits_recipients(report))
                recipients = recipients + other
        elif visibility == V.INTERNAL:
            recipients = (_lanekassen_recipients(report) if perms.is_bits_user(by)
                          else _bits_recipients(report))
            title = _("Nytt internt notat")
        else:
            recipients = []  # a note for one's own organisation only
        if visibility == V.INTERNAL and not report.escalated_at:
            recipients = []  # Lånekassen is not involved until the report is escalated
        _notify(report, recipients, title, by, key)
    return msg


def incident_auto_close_due(*, now=None):
    """Close every report resolved more than five working days ago without a reply.

    Side effects per report: status closed, audit (no actor), bank and Bits notified.
    """
    now = now or timezone.now()
    calendar = calendar_get()
    closed = 0
    # A public message on the resolved report (a "thanks, but…" from the bank) restarts the
    # quiet period: the case closes only after five working days with no reply at all.
    last_public = (Message.objects.filter(
        content_type=ContentType.objects.get_for_model(ErrorReport),
        object_id=OuterRef("pk"), visibility=V.PUBLIC)
        .order_by("-created_at").values("created_at")[:1])
    candidates = (ErrorReport.objects.filter(status=Status.RESOLVED, resolved_at__isnull=False)
                  .annotate(last_public=Subquery(last_public)))
    for report_id, resolved_at, last_reply in candidates.values_list(
            "pk", "resolved_at", "last_public"):
        quiet_since = max(resolved_at, last_reply) if last_reply else resolved_at
        if calendar.add_working_days(quiet_since, AUTO_CLOSE_WORKING_DAYS) > now:
            continue
        with transaction.atomic():
            report = _locked(ErrorReport(pk=report_id))
            if report.status != Status.RESOLVED:
                continue
            report.auto_close(now)
            report.save()
            audit_record(obj=report, actor=None, verb="auto_closed", from_state=Status.RESOLVED,
                         to_state=report.status)
            _notify(report, _bank_recipients(report) + _bits_recipients(report),
                    _("Saken er lukket automatisk etter fem virkedager uten svar"), None,
                    "auto_closed")
            closed += 1
    return closed
