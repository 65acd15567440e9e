"""Writes for notices (B.1). Each transition: lock, check permission, transition, save, audit,
and the event with its fan-out job — in one transaction. The sending happens in the worker."""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from accounts.models import Organisation
from casework.errors import DomainError
from casework.services import audit_record, reference_next
from casework.sla import calendar_get
from notifications.services import email_enqueue, notification_add

from . import permissions as perms
from .markdown import render_markdown
from .models import (
    EDITABLE_STATUSES,
    LIVE_STATUSES,
    FanoutJob,
    FeedToken,
    Kind,
    Notice,
    NoticeDelivery,
    NoticeEvent,
    NoticeLink,
    NoticeRecipient,
    Status,
    WebhookAttempt,
    WebhookEndpoint,
)
from .selectors import notice_contacts_for, notice_recipient_organisations, webhooks_for

log = logging.getLogger(__name__)

WEBHOOK_RETRY_FOR = timedelta(hours=24)
WEBHOOK_FIRST_RETRY = timedelta(seconds=30)
WEBHOOK_MAX_BACKOFF = timedelta(hours=1)
SIGNATURE_HEADER = "X-Saldo-Signature"
TIMESTAMP_HEADER = "X-Saldo-Timestamp"


def _setting(name, default):
    return getattr(settings, name, default)


# --- validation -----------------------------------------------------------------------------

def notice_problems(*, kind, environments, components, window_start=None, window_end=None,
                    effective_test=None, effective_production=None, publish_at=None,
                    now=None, publishing=False):
    """What is wrong with a notice, as (field, message) pairs; empty when it may be saved.

    `publishing` adds the rules that only matter once it goes out (a window already over).
    """
    now = now or timezone.now()
    problems = []
    environments = list(environments or [])
    if not environments:
        problems.append(("environments", _("Velg minst ett miljø.")))
    if not components:
        problems.append(("components", _("Velg minst én berørt komponent.")))
    if kind == Kind.MAINTENANCE:
        if not window_start:
            problems.append(("window_start", _("Oppgi når vedlikeholdet starter.")))
        if not window_end:
            problems.append(("window_end", _("Oppgi når vedlikeholdet slutter.")))
        if window_start and window_end and window_end <= window_start:
            problems.append(("window_end", _("Vedlikeholdet må slutte etter at det starter.")))
        elif publishing and window_end and window_end <= now:
            problems.append(("window_end", _("Vedlikeholdsvinduet er allerede over.")))
    if kind == Kind.CHANGE:
        if "test" in environments and not effective_test:
            problems.append(("effective_test", _("Oppgi datoen endringen gjelder fra i test.")))
        if "production" in environments and not effective_production:
            problems.append(("effective_production",
                             _("Oppgi datoen endringen gjelder fra i produksjon.")))
        if (effective_test and effective_production
                and effective_production < effective_test):
            problems.append(("effective_production",
                             _("Endringen kan ikke gjelde i produksjon før den gjelder i test.")))
    if publish_at is not None and publish_at <= now:
        problems.append(("publish_at", _("Tidspunktet for publisering har allerede vært.")))
    return problems


def _raise_first(problems):
    if problems:
        raise DomainError(problems[0][1])


def _notice_fields_problems(notice, *, publishing=False, publish_at=None, now=None):
    return notice_problems(
        kind=notice.kind, environments=notice.environments,
        components=list(notice.components.all()), window_start=notice.window_start,
        window_end=notice.window_end, effective_test=notice.effective_test,
        effective_production=notice.effective_production, publish_at=publish_at, now=now,
        publishing=publishing)


# --- helpers --------------------------------------------------------------------------------

def _locked(notice):
    return Notice.objects.select_for_update(of=("self",)).get(pk=notice.pk)


def _run(notice, by, name, *args):
    """Apply transition `name` to a locked, fresh notice, or say why not. `by=None` is the
    system (the beat schedule)."""
    method = getattr(notice, name)
    if not can_proceed(method):
        raise DomainError(_("Driftsmeldingen har endret status i mellomtiden (nå: %(status)s). "
                            "Last siden på nytt.") % {"status": notice.get_status_display()})
    if by is not None and not has_transition_perm(method, by):
        raise DomainError(_("Du har ikke lov til å gjøre dette med driftsmeldingen."))
    before = notice.status
    method(*args)
    return before


def _require_author(by):
    if not perms.can_author(by):
        raise DomainError(_("Bare Lånekassen kan skrive driftsmeldinger."))


def _apply_fields(notice, *, kind, severity, environments, title, body, window_start=None,
                  window_end=None, effective_test=None, effective_production=None):
    notice.kind = kind
    notice.severity = severity
    notice.affects_test = "test" in environments
    notice.affects_production = "production" in environments
    notice.title = (title or "").strip()
    notice.body = (body or "").strip()
    is_maintenance = kind == Kind.MAINTENANCE
    notice.window_start = window_start if is_maintenance else None
    notice.window_end = window_end if is_maintenance else None
    notice.effective_test = effective_test if kind == Kind.CHANGE else None
    notice.effective_production = effective_production if kind == Kind.CHANGE else None
    if not notice.title:
        raise DomainError(_("Skriv en tittel."))
    if not notice.body:
        raise DomainError(_("Skriv en tekst."))


def _event(notice, kind, by, body="", organisation_ids=None):
    """Write an event and the job that sends it; the worker starts on it after commit."""
    event = NoticeEvent.objects.create(notice=notice, kind=kind, body=(body or "").strip(),
                                       created_by=by)
    job = FanoutJob.objects.create(event=event, organisation_ids=organisation_ids)
    transaction.on_commit(lambda: _queue_fanout(job.pk))
    return event


def _queue_fanout(job_id):
    from .tasks import fanout_run

    try:
        fanout_run.apply_async((job_id,), retry=False)
    except Exception:
        # Broker down: the job row stays unfinished and the sweep starts it later.
        log.warning("Could not queue fan-out job %s; the sweep will start it", job_id,
                    exc_info=True)


# --- writing and publishing -----------------------------------------------------------------

def notice_create(*, by, kind, severity, environments, components, title, body,
                  window_start=None, window_end=None, effective_test=None,
                  effective_production=None):
    """Lånekassen writes a notice; it is saved as a draft.

    Side effects: a Notice (draft) with a new reference, an audit event.
    """
    _require_author(by)
    if kind not in Kind.values:
        raise DomainError(_("Ukjent type driftsmelding."))
    _raise_first(notice_problems(kind=kind, environments=environments, components=components,
                                 window_start=window_start, window_end=window_end,
                                 effective_test=effective_test,
                                 effective_production=effective_production))
    with transaction.atomic():
        notice = Notice(created_by=by, reference=reference_next(
            prefix="DM", year=timezone.localtime().year))
        _apply_fields(notice, kind=kind, severity=severity, environments=environments,
                      title=title, body=body, window_start=window_start,
                      window_end=window_end, effective_test=effective_test,
                      effective_production=effective_production)
        notice.save()
        notice.components.set(components)
        audit_record(obj=notice, actor=by, verb="created", to_state=notice.status,
                     data={"kind": kind, "severity": severity})
    return notice


def notice_edit(*, notice, by, kind, severity, environments, components, title, body,
                window_start=None, window_end=None, effective_test=None,
                effective_production=None):
    """Change a draft or a notice waiting to be published. Side effects: the notice, audit."""
    _require_author(by)
    _raise_first(notice_problems(kind=kind, environments=environments, components=components,
                                 window_start=window_start, window_end=window_end,
                                 effective_test=effective_test,
                                 effective_production=effective_production))
    with transaction.atomic():
        notice = _locked(notice)
        if notice.status not in EDITABLE_STATUSES:
            raise DomainError(_("En publisert driftsmelding endres ikke; legg til en "
                                "oppdatering i stedet."))
        _apply_fields(notice, kind=kind, severity=severity, environments=environments,
                      title=title, body=body, window_start=window_start,
                      window_end=window_end, effective_test=effective_test,
                      effective_production=effective_production)
        notice.save()
        notice.components.set(components)
        audit_record(obj=notice, actor=by, verb="edited")
    return notice


def notice_schedule(*, notice, by, publish_at):
    """Publish later, at `publish_at` (the beat schedule publishes it).

    Side effects: status scheduled, audit.
    """
    now = timezone.now()
    with transaction.atomic():
        notice = _locked(notice)
        _raise_first(_notice_fields_problems(notice, publish_at=publish_at, now=now))
        if notice.kind == Kind.MAINTENANCE and notice.window_end <= publish_at:
            raise DomainError(_("Vedlikeholdet er over før driftsmeldingen blir publisert."))
        before = _run(notice, by, "schedule", publish_at)
        notice.save()
        audit_record(obj=notice, actor=by, verb="scheduled", from_state=before,
                     to_state=notice.status, data={"publish_at": publish_at.isoformat()})
    return notice


def notice_unschedule(*, notice, by):
    """Take a scheduled notice back to draft. Side effects: status draft, audit."""
    with transaction.atomic():
        notice = _locked(notice)
        before = _run(notice, by, "unschedule")
        notice.save()
        audit_record(obj=notice, actor=by, verb="unscheduled", from_state=before,
                     to_state=notice.status)
    return notice


def notice_publish(*, notice, by, now=None):
    """Publish now. The recipients are fixed here: Bits and every bank with access to an
    affected environment. `by=None` is the beat schedule publishing a scheduled notice.

    Side effects: status published (maintenance: upcoming, or in progress if its window has
    begun), a NoticeRecipient per organisation, a `published` event and its fan-out job, audit;
    after commit the worker sends e-mail, in-portal notifications and webhooks.
    """
    now = now or timezone.now()
    with transaction.atomic():
        notice = _locked(notice)
        _raise_first(_notice_fields_problems(notice, publishing=True, now=now))
        before = _run(notice, by, "publish", by, now)
        notice.save()
        organisations = list(notice_recipient_organisations(notice=notice)
                             .values_list("pk", flat=True))
        NoticeRecipient.objects.bulk_create(
            [NoticeRecipient(notice=notice, organisation_id=pk) for pk in organisations],
            ignore_conflicts=True)
        NoticeRecipient.objects.filter(notice=notice, organisation_id__in=organisations).update(
            reason=NoticeRecipient.Reason.PUBLISHED)
        event = _event(notice, NoticeEvent.Kind.PUBLISHED, by)
        audit_record(obj=notice, actor=by, verb="published", from_state=before,
                     to_state=notice.status,
                     data={"recipients": len(organisations), "event": event.pk})
    return notice


def notice_update_add(*, notice, by, body):
    """Add an update to a published notice; it is sent like the notice itself.

    Side effects: an `update` event with its fan-out job, audit.
    """
    _require_author(by)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Skriv oppdateringen."))
    with transaction.atomic():
        notice = _locked(notice)
        if notice.status not in LIVE_STATUSES:
            raise DomainError(_("Bare en publisert driftsmelding som ikke er avsluttet kan "
                                "oppdateres."))
        notice.save(update_fields=["updated_at"])
        event = _event(notice, NoticeEvent.Kind.UPDATE, by, body)
        audit_record(obj=notice, actor=by, verb="update_added", data={"event": event.pk})
    return event


def _transition_and_send(notice, by, name, event_kind, note, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        notice = _locked(notice)
        was_published = notice.published_at is not None
        args = (now,) if name != "start" else ()
        before = _run(notice, by, name, *args)
        notice.save()
        data = {}
        if was_published:
            # A notice cancelled before it went out was never sent: nobody to tell.
            data["event"] = _event(notice, event_kind, by, note).pk
        audit_record(obj=notice, actor=by, verb=name if name != "start" else "started",
                     from_state=before, to_state=notice.status, data=data)
    return notice


def notice_start(*, notice, by, note="", now=None):
    """Maintenance begins (by hand, or at the window's start by the beat schedule).

    Side effects: status in progress, a `started` event with its fan-out job, audit.
    """
    return _transition_and_send(notice, by, "start", NoticeEvent.Kind.STARTED, note, now)


def notice_resolve(*, notice, by, note="", now=None):
    """A fault is over. Side effects: status resolved, a `resolved` event, audit."""
    return _transition_and_send(notice, by, "resolve", NoticeEvent.Kind.RESOLVED, note, now)


def notice_complete(*, notice, by, note="", now=None):
    """Maintenance is done or a change has taken effect (by hand, or at the window's end).

    Side effects: status completed, a `completed` event, audit."""
    return _transition_and_send(notice, by, "complete", NoticeEvent.Kind.COMPLETED, note, now)


def notice_cancel(*, notice, by, note="", now=None):
    """Cancel a notice that is not yet published, or a planned maintenance or change.

    Side effects: status cancelled, a `cancelled` event if it had been sent, audit."""
    return _transition_and_send(notice, by, "cancel", NoticeEvent.Kind.CANCELLED, note, now)


def notice_acknowledge(*, notice, by):
    """A bank user confirms that the bank has read a notice that asks for it. The first one
    counts; later clicks change nothing. Side effects: acknowledged_at/by, audit."""
    if not perms.can_acknowledge(by):
        raise DomainError(_("Bare bankene bekrefter driftsmeldinger."))
    with transaction.atomic():
        recipient = (NoticeRecipient.objects.select_for_update()
                     .filter(notice=notice, organisation_id=by.membership.organisation_id,
                             reason=NoticeRecipient.Reason.PUBLISHED).first())
        if recipient is None or not notice.requires_ack:
            raise DomainError(_("Denne driftsmeldingen trenger ingen bekreftelse fra dere."))
        if recipient.acknowledged_at is not None:
            return recipient
        recipient.acknowledged_at = timezone.now()
        recipient.acknowledged_by = by
        recipient.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(obj=notice, actor=by, verb="acknowledged",
                     data={"organisation": recipient.organisation_id})
    return recipient


# --- the beat schedule ------------------------------------------------------------------------

def notices_publish_due(*, now=None):
    """Publish every scheduled notice whose time has come. Returns how many were published.

    A notice that can no longer be published (its maintenance window is over) goes back to
    draft, with an audit event saying why."""
    now = now or timezone.now()
    published = 0
    for notice in Notice.objects.filter(status=Status.SCHEDULED, publish_at__lte=now):
        try:
            notice_publish(notice=notice, by=None, now=now)
            published += 1
        except DomainError as exc:
            with transaction.atomic():
                locked = _locked(notice)
                if locked.status == Status.SCHEDULED:
                    locked.unschedule()
                    locked.save()
                    audit_record(obj=locked, actor=None, verb="schedule_failed",
                                 from_state=Status.SCHEDULED, to_state=locked.status,
                                 data={"reason": str(exc)})
    return published


def maintenance_advance(*, now=None):
    """Start maintenance whose window has begun and complete maintenance whose window has
    ended. Returns (started, completed)."""
    now = now or timezone.now()
    started = completed = 0
    for notice in Notice.objects.filter(kind=Kind.MAINTENANCE, status=Status.UPCOMING,
                                        window_start__lte=now):
        try:
            notice_start(notice=notice, by=None, now=now)
            started += 1
        except DomainError:
            pass  # changed by someone in the meantime
    for notice in Notice.objects.filter(kind=Kind.MAINTENANCE, status=Status.IN_PROGRESS,
                                        window_end__lte=now):
        try:
            notice_complete(notice=notice, by=None, now=now)
            completed += 1
        except DomainError:
            pass
    return started, completed


def ack_reminders_due(*, now=None):
    """Remind the banks that have not acknowledged a live notice after N working hours (and
    again every N working hours, at most NOTICES_ACK_MAX_REMINDERS times).

    Side effects per notice with banks due: a `reminder` event to those banks only, their
    reminder counters, audit. Returns how many banks were reminded."""
    now = now or timezone.now()
    hours = timedelta(hours=_setting("NOTICES_ACK_REMINDER_WORKING_HOURS", 4))
    max_reminders = _setting("NOTICES_ACK_MAX_REMINDERS", 3)
    calendar = calendar_get()
    candidates = (NoticeRecipient.objects.filter(
        notice__requires_ack=True, notice__status__in=LIVE_STATUSES,
        reason=NoticeRecipient.Reason.PUBLISHED, organisation__kind=Organisation.Kind.BANK,
        acknowledged_at__isnull=True, reminders_sent__lt=max_reminders)
        .select_related("notice"))
    due = {}
    for recipient in candidates:
        since = recipient.last_reminded_at or recipient.notice.published_at
        if calendar.add(since, hours) <= now:
            due.setdefault(recipient.notice_id, []).append(recipient.pk)
    reminded = 0
    for notice_id, recipient_ids in due.items():
        with transaction.atomic():
            notice = _locked(Notice(pk=notice_id))
            rows = list(NoticeRecipient.objects.select_for_update()
                        .filter(pk__in=recipient_ids, acknowledged_at__isnull=True))
            if not rows or notice.status not in LIVE_STATUSES:
                continue
            for row in rows:
                row.reminders_sent += 1
                row.last_reminded_at = now
            NoticeRecipient.objects.bulk_update(rows, ["reminders_sent", "last_reminded_at"])
            org_ids = [r.organisation_id for r in rows]
            event = _event(notice, NoticeEvent.Kind.REMINDER, None, organisation_ids=org_ids)
            audit_record(obj=notice, actor=None, verb="reminded",
                         data={"organisations": org_ids, "event": event.pk})
            reminded += len(rows)
    return reminded


# --- fan-out ----------------------------------------------------------------------------------

def _portal_title(notice, event):
    labels = {
        NoticeEvent.Kind.PUBLISHED: notice.get_kind_display(),
        NoticeEvent.Kind.UPDATE: _("Oppdatering"),
        NoticeEvent.Kind.STARTED: _("Vedlikeholdet har startet"),
        NoticeEvent.Kind.RESOLVED: _("Løst"),
        NoticeEvent.Kind.COMPLETED: _("Fullført"),
        NoticeEvent.Kind.CANCELLED: _("Avlyst"),
        NoticeEvent.Kind.REMINDER: _("Påminnelse: bekreft at dere har lest"),
    }
    return f"{notice.reference} {labels[event.kind]}: {notice.title}"


def _email_key(event, address, resend=0):
    digest = hashlib.sha256(address.encode()).hexdigest()[:24]
    suffix = f":resend{resend}" if resend else ""
    return f"notice:{event.pk}:email:{digest}{suffix}"


def _email_enqueue(notice, event, address, organisation, key, components=None):
    if components is None:
        components = list(notice.components.all())
    return email_enqueue(
        to=address, subject=f"[{_('Driftsmelding')}] {_portal_title(notice, event)}",
        template="notices/email/notice_event.txt", key=key,
        context={"notice": notice, "event": event, "organisation": organisation,
                 "url": notice.get_absolute_url(), "components": components,
                 "is_reminder": event.kind == NoticeEvent.Kind.REMINDER})


def webhook_payload(notice, event):
    """The JSON a bank's webhook receives for one event (the same for every bank)."""
    def iso(value):
        return value.isoformat() if value else None

    payload = {
        "event": event.webhook_event,
        "event_id": event.pk,
        "created_at": iso(event.created_at),
        "notice": {
            "reference": notice.reference,
            "url": settings.SITE_URL + notice.get_absolute_url(),
            "kind": notice.kind,
            "severity": notice.severity,
            "status": notice.status,
            "environments": notice.environments,
            "components": [c.name for c in notice.components.all()],
            "title": notice.title,
            "body_markdown": notice.body,
            "body_html": str(render_markdown(notice.body)),
            "window_start": iso(notice.window_start),
            "window_end": iso(notice.window_end),
            "effective_test": iso(notice.effective_test),
            "effective_production": iso(notice.effective_production),
            "requires_acknowledgement": notice.requires_ack,
            "published_at": iso(notice.published_at),
            "closed_at": iso(notice.closed_at),
        },
    }
    if event.body:
        payload["message"] = {"body_markdown": event.body,
                              "body_html": str(render_markdown(event.body))}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def fanout_step(*, job_id, batch_size=None):
    """Send one event to the next batch of recipients. Returns the number of organisations
    handled, 0 when the job is finished, None when it is finished already or another worker
    holds it.

    One transaction: the deliveries of the batch (e-mail into the outbox, in-portal
    notifications, webhook deliveries) and the moved cursor commit together, so a crash
    repeats the batch or nothing. A delivery that already exists (unique per event, channel
    and target) is never written again. After commit: the next batch is queued first, then
    the sending tasks.
    """
    batch_size = batch_size or _setting("NOTICES_FANOUT_BATCH_SIZE", 50)
    now = timezone.now()
    with transaction.atomic():
        job = (FanoutJob.objects.select_for_update(skip_locked=True, of=("self",))
               .select_related("event__notice")
               .filter(pk=job_id, finished_at__isnull=True).first())
        if job is None:
            return None
        event, notice = job.event, job.event.notice
        recipients = notice.recipients.filter(reason=NoticeRecipient.Reason.PUBLISHED,
                                              pk__gt=job.cursor)
        if job.organisation_ids is not None:
            recipients = recipients.filter(organisation_id__in=job.organisation_ids)
        batch = list(recipients.select_related("organisation").order_by("pk")[:batch_size])
        job.heartbeat_at = now
        if not batch:
            job.finished_at = now
            job.save(update_fields=["heartbeat_at", "finished_at"])
            return 0
        # Queued before the sends, so the bookkeeping of the whole event finishes early.
        transaction.on_commit(lambda: _queue_fanout(job.pk))
        contacts = notice_contacts_for([r.organisation for r in batch])
        # A reminder asks people to click in the portal; a bank's monitoring has no use for it.
        hooks = ({} if event.kind == NoticeEvent.Kind.REMINDER
                 else webhooks_for([r.organisation_id for r in batch]))
        existing = set(NoticeDelivery.objects.filter(event=event, recipient__in=batch)
                       .values_list("channel", "target"))
        title = _portal_title(notice, event)
        url = notice.get_absolute_url()
        components = list(notice.components.all())
        payload = None
        new, webhook_rows = [], []
        C = NoticeDelivery.Channel
        for recipient in batch:
            org = recipient.organisation
            entry = contacts[org.pk]
            for address, contact_point in entry.emails:
                target = f"email:{address}"[:300]
                if (C.EMAIL, target) in existing:
                    continue
                outbox = _email_enqueue(notice, event, address, org,
                                        _email_key(event, address), components)
                new.append(NoticeDelivery(event=event, recipient=recipient, channel=C.EMAIL,
                                          target=target, address=address, outbox=outbox,
                                          contact_point=contact_point))
            for user in entry.users:
                target = f"user:{user.pk}"
                if (C.PORTAL, target) in existing:
                    continue
                notification = notification_add(user=user, title=title, url=url)
                new.append(NoticeDelivery(event=event, recipient=recipient, channel=C.PORTAL,
                                          target=target, address=user.email, user=user,
                                          notification=notification,
                                          status=NoticeDelivery.Status.SENT, sent_at=now))
            for endpoint in hooks.get(org.pk, []):
                target = f"webhook:{endpoint.pk}"
                if (C.WEBHOOK, target) in existing:
                    continue
                payload = payload or webhook_payload(notice, event)
                row = NoticeDelivery(event=event, recipient=recipient, channel=C.WEBHOOK,
                                     target=target, address=endpoint.url, endpoint=endpoint,
                                     payload=payload, next_attempt_at=now)
                new.append(row)
                webhook_rows.append(row)
        NoticeDelivery.objects.bulk_create(new)
        job.cursor = batch[-1].pk
        job.batches += 1
        job.save(update_fields=["cursor", "batches", "heartbeat_at"])
        webhook_ids = [row.pk for row in webhook_rows]
        if webhook_ids:
            transaction.on_commit(lambda: _queue_webhooks(webhook_ids))
    return len(batch)


def fanout_sweep(*, now=None):
    """Restart every unfinished fan-out job nobody has worked on for a while (its task was lost
    with a worker or Redis). Returns the ids queued."""
    now = now or timezone.now()
    stale = timedelta(seconds=_setting("NOTICES_FANOUT_STALE_SECONDS", 120))
    jobs = list(FanoutJob.objects.filter(finished_at__isnull=True, created_at__lte=now - stale)
                .exclude(heartbeat_at__gt=now - stale).values_list("pk", flat=True)[:200])
    for job_id in jobs:
        _queue_fanout(job_id)
    return jobs


# --- webhooks -------------------------------------------------------------------------------

def webhook_signature(secret, timestamp, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp + "." + body`, hex, as sent in X-Saldo-Signature."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _queue_webhooks(delivery_ids):
    from .tasks import webhook_deliver

    for delivery_id in delivery_ids:
        try:
            webhook_deliver.apply_async((delivery_id,), retry=False)
        except Exception:
            log.warning("Could not queue webhook deliveries %s; the sweep will send them",
                        delivery_ids, exc_info=True)
            return


def _backoff(attempts):
    delay = WEBHOOK_FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, WEBHOOK_MAX_BACKOFF)


def webhook_send(*, delivery_id, now=None):
    """POST one webhook delivery if it is queued and due. Returns True if it was accepted
    (2xx), False if the attempt failed, None if there was nothing to do.

    Redirects are not followed and count as a failure. A failed attempt is retried with
    exponential backoff (30 s, 1 min, 2 min, ... at most 1 h apart) until 24 hours after the
    first attempt; then the delivery is failed. The row is locked for the attempt, so two
    workers never post the same delivery at once.
    Side effects: a WebhookAttempt, the delivery's status and next attempt.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (NoticeDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("endpoint", "event")
                    .filter(pk=delivery_id, channel=NoticeDelivery.Channel.WEBHOOK,
                            status=NoticeDelivery.Status.QUEUED).first())
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return None
        endpoint = delivery.endpoint
        if endpoint is None or not endpoint.is_active:
            delivery.status = NoticeDelivery.Status.FAILED
            delivery.last_error = _("Webhooken er slått av.")
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            return False
        body = delivery.payload.encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Saldo-forvaltning-webhook/1",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: webhook_signature(endpoint.secret, timestamp, body),
            "X-Saldo-Event": f"notice.{delivery.event.kind}",
            "X-Saldo-Delivery": str(delivery.pk),
        }
        timeout = _setting("NOTICES_WEBHOOK_TIMEOUT_SECONDS", 5)
        started = time.monotonic()
        status_code, error = None, ""
        try:
            response = httpx.post(endpoint.url, content=body, headers=headers,
                                  timeout=httpx.Timeout(timeout, connect=min(timeout, 3)),
                                  follow_redirects=False)
            status_code = response.status_code
            if response.is_redirect:
                error = _("Videresending (HTTP %(code)s) følges ikke.") % {"code": status_code}
            elif not response.is_success:
                error = f"HTTP {status_code}"
        except httpx.TimeoutException:
            error = _("Tidsavbrudd etter %(s)s sekunder.") % {"s": timeout}
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:480]
        duration_ms = int((time.monotonic() - started) * 1000)
        WebhookAttempt.objects.create(delivery=delivery, attempted_at=now,
                                      status_code=status_code, error=error[:500],
                                      duration_ms=duration_ms)
        delivery.attempts += 1
        delivery.first_attempt_at = delivery.first_attempt_at or now
        delivery.last_status_code = status_code
        delivery.last_error = error
        ok = not error
        if ok:
            delivery.status = NoticeDelivery.Status.SENT
            delivery.sent_at = now
            delivery.next_attempt_at = None
        else:
            retry_at = now + _backoff(delivery.attempts)
            if retry_at > delivery.first_attempt_at + WEBHOOK_RETRY_FOR:
                delivery.status = NoticeDelivery.Status.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = retry_at
        delivery.save(update_fields=["attempts", "first_attempt_at", "last_status_code",
                                     "last_error", "status", "sent_at", "next_attempt_at"])
    return ok


def webhook_sweep(*, now=None):
    """Send every queued webhook delivery that is due (retries, and those whose task was lost).
    Returns how many were accepted."""
    now = now or timezone.now()
    ids = list(NoticeDelivery.objects.filter(
        channel=NoticeDelivery.Channel.WEBHOOK, status=NoticeDelivery.Status.QUEUED,
        next_attempt_at__lte=now).order_by("next_attempt_at").values_list("pk", flat=True)[:200])
    return sum(1 for pk in ids if webhook_send(delivery_id=pk, now=now))


def webhook_url_problem(url):
    """Why a webhook URL cannot be used, or None. https only, unless
    NOTICES_WEBHOOK_ALLOW_HTTP_LOOPBACK (tests, the embedded default) allows http to this
    machine. Never this machine or a private network in production."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return _("Ugyldig URL.")
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("http", "https"):
        return _("Oppgi en fullstendig URL som begynner med https://.")
    if parts.username or parts.password:
        return _("URL-en kan ikke inneholde brukernavn eller passord.")
    loopback = host in ("localhost", "127.0.0.1", "::1")
    if _setting("NOTICES_WEBHOOK_ALLOW_HTTP_LOOPBACK", False):
        if parts.scheme == "http" and not loopback:
            return _("Webhooken må bruke https.")
        return None
    if parts.scheme != "https":
        return _("Webhooken må bruke https.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if loopback or (address is not None and (address.is_private or address.is_loopback
                                             or address.is_link_local
                                             or address.is_reserved)):
        return _("Webhooken må ligge på en offentlig adresse.")
    return None


def webhook_register(*, by, url, description=""):
    """A bank admin registers a webhook. Returns (endpoint, secret): the secret is shown once.

    Side effects: a WebhookEndpoint, an audit event on the organisation (never the secret).
    """
    if not perms.can_manage_webhooks(by):
        raise DomainError(_("Bare bankens administratorer kan registrere webhooks."))
    problem = webhook_url_problem(url)
    if problem:
        raise DomainError(problem)
    organisation = by.membership.organisation
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(organisation=organisation, url=url.strip(),
                                                  description=(description or "").strip(),
                                                  created_by=by)
        audit_record(obj=organisation, actor=by, verb="notice_webhook_registered",
                     data={"endpoint": endpoint.pk, "url": endpoint.url})
    return endpoint, endpoint.secret


def webhook_deactivate(*, endpoint, by):
    """Stop sending to a webhook. Its queued deliveries fail when they come up.

    Side effects: is_active off, audit."""
    if not (perms.can_manage_webhooks(by)
            and by.membership.organisation_id == endpoint.organisation_id):
        raise DomainError(_("Du kan ikke endre denne webhooken."))
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if endpoint.is_active:
            endpoint.is_active = False
            endpoint.deactivated_at = timezone.now()
            endpoint.save(update_fields=["is_active", "deactivated_at"])
            audit_record(obj=endpoint.organisation, actor=by,
                         verb="notice_webhook_deactivated", data={"endpoint": endpoint.pk})
    return endpoint


# --- delivery report ------------------------------------------------------------------------

def deliveries_resend_failed(*, notice, by):
    """Lånekassen sends the failed deliveries of a notice again: a fresh outbox row per failed
    e-mail, a new 24-hour retry window per failed webhook. Returns how many were re-queued.

    Side effects: outbox rows, the deliveries' state, audit.
    """
    from .selectors import failed_deliveries

    if not perms.can_resend(by):
        raise DomainError(_("Bare Lånekassen kan sende på nytt."))
    now = timezone.now()
    with transaction.atomic():
        notice = _locked(notice)
        rows = list(failed_deliveries(notice=notice).select_for_update(of=("self",)))
        webhook_ids = []
        for delivery in rows:
            delivery.resends += 1
            if delivery.channel == NoticeDelivery.Channel.EMAIL:
                delivery.outbox = _email_enqueue(
                    notice, delivery.event, delivery.address, delivery.recipient.organisation,
                    _email_key(delivery.event, delivery.address, delivery.resends))
                delivery.status = NoticeDelivery.Status.QUEUED
            else:
                delivery.status = NoticeDelivery.Status.QUEUED
                delivery.first_attempt_at = None
                delivery.next_attempt_at = now
                webhook_ids.append(delivery.pk)
            delivery.save(update_fields=["resends", "outbox", "status", "first_attempt_at",
                                         "next_attempt_at"])
        audit_record(obj=notice, actor=by, verb="resent", data={"deliveries": len(rows)})
        if webhook_ids:
            transaction.on_commit(lambda: _queue_webhooks(webhook_ids))
    return len(rows)


# --- feeds ----------------------------------------------------------------------------------

def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token_regenerate(*, user):
    """A new secret for the user's Atom and iCalendar URLs; the old URLs stop working.
    Returns the token (only its hash is kept). Side effects: the FeedToken row, audit."""
    if not perms.can_read_notices(user):
        raise DomainError(_("Du har ikke tilgang til driftsmeldinger."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        FeedToken.objects.update_or_create(user=user, defaults={
            "token_hash": _token_hash(token), "created_at": timezone.now(),
            "last_used_at": None})
        audit_record(obj=user, actor=user, verb="notice_feed_token_regenerated")
    return token


def feed_token_resolve(*, token):
    """The active user a feed token belongs to, or None. Records when it was last used."""
    if not token or len(token) > 100:
        return None
    row = (FeedToken.objects.select_related("user__membership__organisation")
           .filter(token_hash=_token_hash(token)).first())
    if row is None or not row.user.is_active or not perms.can_read_notices(row.user):
        return None
    FeedToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


# --- links from other processes -------------------------------------------------------------

def notice_link_add(*, notice, obj, by, organisation=None):
    """Link a notice to a case of another process (an error report, a change request).

    The case's bank (`organisation`, or `obj.organisation`) may then open the notice even if it
    was not among its recipients. Side effects: a NoticeLink, maybe a NoticeRecipient (linked),
    audit on the notice.
    """
    if not perms.can_link(by):
        raise DomainError(_("Bare Bits og Lånekassen kan lenke til driftsmeldinger."))
    if notice.published_at is None:
        raise DomainError(_("Bare publiserte driftsmeldinger kan lenkes til en sak."))
    organisation = organisation or getattr(obj, "organisation", None)
    with transaction.atomic():
        link, created = NoticeLink.objects.get_or_create(
            notice=notice, content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk, defaults={"linked_by": by})
        if organisation is not None:
            NoticeRecipient.objects.get_or_create(
                notice=notice, organisation=organisation,
                defaults={"reason": NoticeRecipient.Reason.LINKED})
        if created:
            audit_record(obj=notice, actor=by, verb="linked",
                         data={"model": link.content_type.model, "object_id": obj.pk})
    return link


def notice_link_remove(*, notice, obj, by):
    """Remove a link. The bank keeps seeing a notice that was sent to it. Side effects: audit.
    """
    if not perms.can_link(by):
        raise DomainError(_("Bare Bits og Lånekassen kan fjerne lenker."))
    with transaction.atomic():
        deleted, _rows = NoticeLink.objects.filter(
            notice=notice, content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk).delete()
        if deleted:
            audit_record(obj=notice, actor=by, verb="unlinked",
                         data={"object_id": obj.pk})
    return bool(deleted)

