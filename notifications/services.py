"""Telling people: in-portal notifications and e-mail through the outbox."""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, OutboxMessage

log = logging.getLogger(__name__)


def _dispatch_after_commit(message_ids):
    from .tasks import outbox_deliver

    for message_id in message_ids:
        try:
            outbox_deliver.apply_async((message_id,), retry=False)
        except Exception:
            # Broker down: the rows stay pending and the sweep sends them later. Stop at the
            # first failure so that a request pays for one connection attempt, not one per row.
            log.warning("Could not queue outbox messages %s; the sweep will send them",
                        message_ids, exc_info=True)
            return


def email_enqueue(*, to, subject, template, context, key):
    """Render an e-mail now and put it in the outbox; it is sent after commit.

    Side effects: one OutboxMessage row (none if `key` was already queued) and, after commit,
    a Celery task per row.
    """
    message, created = _outbox_add(to=to, subject=subject, template=template, context=context,
                                   key=key)
    if created:
        transaction.on_commit(lambda: _dispatch_after_commit([message.pk]))
    return message


def _outbox_add(*, to, subject, template, context, key):
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    return OutboxMessage.objects.get_or_create(
        key=key[:200], defaults={"to": to, "subject": str(subject)[:300], "body": body}
    )


def notification_add(*, user, title, url):
    """An in-portal notification only (no e-mail). Side effects: one Notification row."""
    return Notification.objects.create(recipient=user, title=str(title)[:300], url=url)


def notify(*, users, title, url, key, template="notifications/email/case_event.txt",
           context=None, exclude=None):
    """Tell `users` (in the portal and by e-mail) that something happened at `url`.

    Side effects: a Notification and an OutboxMessage per recipient (not `exclude`, the person
    who did it), e-mail sent after commit.
    """
    recipients = {u.pk: u for u in users if u.is_active and (exclude is None or u.pk != exclude.pk)}
    queued = []
    for user in recipients.values():
        Notification.objects.create(recipient=user, title=str(title)[:300], url=url)
        message, created = _outbox_add(
            to=user.email, subject=title, template=template,
            context={**(context or {}), "title": title, "url": url, "recipient": user},
            key=f"{key}:{user.pk}",
        )
        if created:
            queued.append(message.pk)
    if queued:
        # One dispatch for all recipients, so a broker outage costs one connection attempt.
        transaction.on_commit(lambda: _dispatch_after_commit(queued))
    return list(recipients.values())


def outbox_send(*, message_id):
    """Send one outbox row if it is still pending. Returns True if this call sent it."""
    from django.core.mail import EmailMessage

    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(pk=message_id, status=OutboxMessage.Status.PENDING).first())
        if message is None:
            return False
        message.attempts += 1
        try:
            EmailMessage(subject=message.subject, body=message.body,
                         from_email=settings.DEFAULT_FROM_EMAIL, to=[message.to]).send()
        except Exception as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= 10:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
            log.warning("Sending outbox message %s failed: %s", message.pk, exc)
            return False
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return True


def outbox_sweep_pending(*, older_than_seconds=None):
    """Send every pending row older than the sweep delay. Returns how many were sent."""
    if older_than_seconds is None:
        older_than_seconds = settings.OUTBOX_SWEEP_AFTER_SECONDS
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING,
                                            created_at__lte=cutoff)
               .order_by("created_at").values_list("pk", flat=True)[:500])
    return sum(1 for pk in ids if outbox_send(message_id=pk))


def notification_mark_read(*, user, notification_id=None):
    """Mark one (or all) of the user's notifications read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
