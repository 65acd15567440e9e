"""A notice's lifecycle: scheduling, publishing, updates, and closing (resolved, completed,
cancelled); maintenance starts and completes.

Every transition is one call of the case kernel's runner (`casework.runner.transition_run`):
lock, can proceed, permission (Lånekassen, or `SYSTEM` on the beat schedule), transition, the
hook, save, audit — one transaction. Nobody is told through the runner (`tell=None`): the hook
writes the notice's event and its announcement, which the worker sends after commit.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from casework.errors import DomainError
from casework.runner import case_update, require_text, transition_run
from notifications.services import acknowledgements_close, acknowledgements_request

from .. import permissions as perms
from ..models import CLOSED_STATUSES, Kind, Notice, NoticeEvent, NoticeRecipient
from ..selectors import notice_recipient_organisations
from .announcements import notice_announce
from .writing import notice_fields_problems, raise_first, require_author


def notice_schedule(*, notice, by, publish_at):
    """Publish later, at `publish_at` (the beat schedule publishes it).

    Side effects: status scheduled, audit.
    """
    now = timezone.now()

    def check(locked):
        raise_first(notice_fields_problems(locked, publish_at=publish_at, now=now))
        if locked.kind == Kind.MAINTENANCE and locked.window_end <= publish_at:
            raise DomainError(_("Vedlikeholdet er over før driftsmeldingen blir publisert."),
                              field="publish_at")

    return transition_run(case=notice, by=by, name="schedule", verb="scheduled",
                          args=(publish_at,), hook=check,
                          data={"publish_at": publish_at.isoformat()})


def notice_unschedule(*, notice, by, verb="unscheduled", data=None):
    """Take a scheduled notice back to draft. Side effects: status draft, audit."""
    return transition_run(case=notice, by=by, name="unschedule", verb=verb, data=data)


def notice_publish(*, notice, by, now=None):
    """Publish now. The recipients are fixed here: Bits and every bank with access to an
    affected environment. `by` is `casework.runner.SYSTEM` when the beat schedule publishes a
    scheduled notice.

    Side effects: status published (maintenance: upcoming, or in progress if its window has
    begun), a `published` event and its announcement (one fan-out job naming the recipients),
    audit. The request writes the same rows whatever the number of banks: the worker, batch by
    batch, records each organisation as a NoticeRecipient and asks each bank for its
    acknowledgement when the notice needs one (`recipients_record`), then sends e-mail,
    in-portal notifications and webhooks.
    """
    now = now or timezone.now()
    data = {}

    def hook(locked):
        raise_first(notice_fields_problems(locked, publishing=True, now=now))
        ids = list(notice_recipient_organisations(notice=locked).values_list("pk", flat=True))
        event = notice_announce(locked, NoticeEvent.Kind.PUBLISHED, by, organisation_ids=ids,
                                batch_hooks=[RECIPIENTS_HOOK])
        data.update(recipients=len(ids), event=event.pk)

    return transition_run(case=notice, by=by, name="publish", verb="published", args=(now,),
                          hook=hook, data=data)


RECIPIENTS_HOOK = "notices.recipients"


def recipients_record(*, job, organisations, now):
    """A publishing fan-out's batch hook (registered in `NoticesConfig.ready`): the batch's
    organisations become the notice's recipients (one linked from a case before stays, now as
    a recipient), and each bank among them is asked to acknowledge the notice if it needs that,
    as of the time it was published. Safe to run twice."""
    notice = Notice.objects.get(pk=job.subject_id)
    ids = [org.pk for org in organisations]
    NoticeRecipient.objects.bulk_create(
        [NoticeRecipient(notice=notice, organisation_id=pk) for pk in ids],
        ignore_conflicts=True)
    NoticeRecipient.objects.filter(notice=notice, organisation_id__in=ids).exclude(
        reason=NoticeRecipient.Reason.PUBLISHED).update(reason=NoticeRecipient.Reason.PUBLISHED)
    if notice.requires_ack:
        acknowledgements_request(subject=notice, at=notice.published_at or now, organisation_ids=[
            org.pk for org in organisations if org.kind == Organisation.Kind.BANK])


def notice_update_add(*, notice, by, body):
    """Add an update to a published notice; it is sent like the notice itself.

    Side effects: an `update` event with its announcement, audit. Returns the event.
    """
    require_author(by)
    body = require_text(body, _("Skriv oppdateringen."), field="body")
    events = []

    def change(locked):
        events.append(notice_announce(locked, NoticeEvent.Kind.UPDATE, by, body))
        return {"event": events[0].pk}

    case_update(case=notice, by=by, verb="update_added", change=change,
                allowed=lambda n, user: perms.can_author(user) and n.is_live,
                denied=_("Bare en publisert driftsmelding som ikke er avsluttet kan "
                         "oppdateres."))
    return events[0]


def _move(notice, by, *, name, verb, event_kind, note, now):
    now = now or timezone.now()
    data = {}

    def hook(locked):
        if locked.published_at is not None:
            # A notice cancelled before it went out was never sent: nobody to tell.
            data["event"] = notice_announce(locked, event_kind, by, note).pk
        if locked.status in CLOSED_STATUSES:
            acknowledgements_close(subject=locked, at=now)

    return transition_run(case=notice, by=by, name=name, verb=verb, hook=hook, data=data,
                          args=() if name == "start" else (now,))


def notice_start(*, notice, by, note="", now=None):
    """Maintenance begins (by hand, or at the window's start by the beat schedule).

    Side effects: status in progress, a `started` event with its announcement, audit.
    """
    return _move(notice, by, name="start", verb="started", event_kind=NoticeEvent.Kind.STARTED,
                 note=note, now=now)


def notice_resolve(*, notice, by, note="", now=None):
    """A fault is over. Side effects: status resolved, a `resolved` event, no more reminders,
    audit."""
    return _move(notice, by, name="resolve", verb="resolve",
                 event_kind=NoticeEvent.Kind.RESOLVED, note=note, now=now)


def notice_complete(*, notice, by, note="", now=None):
    """Maintenance is done or a change has taken effect (by hand, or at the window's end).

    Side effects: status completed, a `completed` event, no more reminders, audit."""
    return _move(notice, by, name="complete", verb="complete",
                 event_kind=NoticeEvent.Kind.COMPLETED, note=note, now=now)


def notice_cancel(*, notice, by, note="", now=None):
    """Cancel a notice that is not yet published, or a planned maintenance or change.

    Side effects: status cancelled, a `cancelled` event if it had been sent, no more
    reminders, audit."""
    return _move(notice, by, name="cancel", verb="cancel",
                 event_kind=NoticeEvent.Kind.CANCELLED, note=note, now=now)

