"""What keeps a breach from being missed: the reminder to Lånekassen every
BREACH_RECEIPT_REMINDER_MINUTES until it confirms receipt (C.2), and the affected banks'
acknowledgements of a breach at Lånekassen with their reminders (C.3, through the
notifications app's acknowledgement machinery)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from casework.errors import DomainError
from casework.runner import SYSTEM, Tell, case_lock, case_tell, case_update, lazy_title, system_only
from notifications.services import acknowledgement_record, acknowledgements_mark_reminded

from . import permissions as perms
from . import recipients
from .models import Breach, Source, Status


def receipt_interval():
    return timedelta(minutes=getattr(settings, "BREACH_RECEIPT_REMINDER_MINUTES", 30))


def breach_receipt_reminders_due(*, now=None):
    """Remind Lånekassen of every bank breach whose receipt nobody has confirmed: once per
    interval since it was reported. The slot (how many intervals have passed) is decided on
    the locked row, so a task run twice, or two workers, remind once per slot.

    Side effects per reminder: receipt_reminders_sent, an audit event (by the system),
    Lånekassen told. Returns how many were reminded."""
    now = now or timezone.now()
    interval = receipt_interval()
    reminded = 0
    for pk, created_at in Breach.objects.filter(
            status=Status.REPORTED, source=Source.BANK).values_list("pk", "created_at"):
        slot = int((now - created_at) / interval)
        if slot < 1:
            continue

        def due(case, by, slot=slot):
            return (system_only(case, by) and case.status == Status.REPORTED
                    and case.receipt_reminders_sent < slot)

        def change(case, slot=slot):
            case.receipt_reminders_sent = slot
            return {"slot": slot}

        try:
            case_update(case=Breach(pk=pk), by=SYSTEM, allowed=due, verb="receipt_reminded",
                        change=change,
                        tell=lambda b: [Tell(recipients.lanekassen_people(), gettext_lazy(
                            "Påminnelse: bekreft mottak av sikkerhetsbruddet"))])
        except DomainError:
            continue  # confirmed, or this slot reminded, since the list was read
        reminded += 1
    return reminded


def breach_acknowledge(*, breach, by):
    """An affected bank confirms it has read a breach at Lånekassen (C.3). The first
    confirmation for the bank counts.

    Side effects: the bank's acknowledgement (with its audit event on the breach),
    Lånekassen told."""
    with transaction.atomic():
        breach = case_lock(breach)
        if not perms.can_acknowledge(breach, by):
            raise DomainError(_("Du har ikke lov til å gjøre dette på denne saken."))
        row, recorded = acknowledgement_record(subject=breach, organisation=by.organisation,
                                               by=by, verb="acknowledged")
        if not recorded:
            raise DomainError(_("Banken har allerede bekreftet at den har lest dette."))
        case_tell(breach, by, [Tell(recipients.lanekassen_people(), lazy_title(gettext_noop(
            "%(bank)s har bekreftet sikkerhetsbruddet"), bank=by.organisation.name))],
            f"{breach._meta.label_lower}:{breach.pk}:ack:{row.pk}")
    return row


def breach_acknowledgement_remind(*, subject_id, organisation_ids, now):
    """The notifications app's reminder for a breach at Lånekassen: the banks that have not
    acknowledged are told again (as the system). Returns how many banks were reminded."""
    reminded = []

    def change(case):
        reminded.extend(acknowledgements_mark_reminded(subject=case,
                                                       organisation_ids=organisation_ids,
                                                       now=now))
        if not reminded:
            raise DomainError("nothing to remind")
        return {"organisations": list(reminded)}

    try:
        case_update(case=Breach(pk=subject_id), by=SYSTEM, allowed=system_only,
                    verb="acknowledgement_reminded", change=change,
                    tell=lambda b: [Tell(recipients.security_people(reminded), gettext_lazy(
                        "Påminnelse: bekreft at dere har lest om sikkerhetsbruddet"))])
    except DomainError:
        return 0
    return len(reminded)
