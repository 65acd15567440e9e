"""Banks acknowledging a notice that asks for it, and reminders to those that have not.

The acknowledgements themselves are the notifications app's (`Acknowledgement`, generic over
what is acknowledged); notices decides who is asked (the banks it was published to, when the
notice is critical or a change) and what a reminder says.
"""

from django.utils.translation import gettext as _

from casework.errors import DomainError
from casework.runner import SYSTEM, case_update, system_only
from notifications.services import acknowledgement_record, acknowledgements_mark_reminded

from .. import permissions as perms
from ..models import Notice, NoticeEvent
from .announcements import notice_announce


def notice_acknowledge(*, notice, by):
    """A bank user confirms that the bank has read a notice that asks for it. The first one
    counts; later clicks change nothing.

    Side effects: the bank's acknowledgement (acknowledged_at/by), audit on the notice.
    Returns the acknowledgement."""
    if not perms.can_acknowledge(by):
        raise DomainError(_("Bare bankene bekrefter driftsmeldinger."))
    row = None
    if notice.requires_ack:
        row, _recorded = acknowledgement_record(subject=notice, by=by,
                                                organisation=by.membership.organisation)
    if row is None:
        raise DomainError(_("Denne driftsmeldingen trenger ingen bekreftelse fra dere."))
    return row


def notice_remind(*, subject_id, organisation_ids, now):
    """Remind banks that have not acknowledged a live notice (registered with
    notifications.registry; called by its reminder sweep as the portal itself).

    Side effects: the banks' reminder counters, a `reminder` event announced to those banks
    only (no webhooks), audit. Returns how many banks were reminded (0: nothing left to do).
    """
    reminded = []

    def change(notice):
        reminded.extend(acknowledgements_mark_reminded(
            subject=notice, organisation_ids=organisation_ids, now=now))
        if not reminded:
            raise DomainError(_("Alle bankene har bekreftet."))
        event = notice_announce(notice, NoticeEvent.Kind.REMINDER, SYSTEM,
                                organisation_ids=reminded)
        return {"organisations": reminded, "event": event.pk}

    try:
        case_update(case=Notice(pk=subject_id), by=SYSTEM, verb="reminded", change=change,
                    allowed=lambda n, user: system_only(n, user) and n.is_live)
    except DomainError:
        return 0
    return len(reminded)
