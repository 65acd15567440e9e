"""Telling people: in-portal notifications and e-mail through the outbox.

Sending an outbox row (`outbox_send`), in three steps so that no row lock or transaction is
held while the mail server is talked to:
1. claim: one conditional UPDATE moves the row from pending (or from a claim older than
   OUTBOX_CLAIM_TIMEOUT_SECONDS: a worker that died mid-send) to sending, with a fresh claim
   token, and commits. Two workers never both win the claim;
2. send, with no transaction open;
3. record the result under the claim token: sent; or back to pending with the attempt and
   its error (the sweep tries again); or failed after OUTBOX_MAX_ATTEMPTS.
A worker killed between an accepted send and step 3 leaves a claim that times out and is sent
again: the one window in which a mail can go twice, as small as a database write.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..models import Notification, OutboxMessage
from ..transports import Email, Portal, TransportError

log = logging.getLogger(__name__)


def _setting(name, default):
    return getattr(settings, name, default)


def claim_timeout():
    return timedelta(seconds=_setting("OUTBOX_CLAIM_TIMEOUT_SECONDS", 300))


def _dispatch_after_commit(message_ids):
    from ..tasks import outbox_deliver

    for message_id in message_ids:
        try:
            outbox_deliver.apply_async((message_id,), retry=False)
        except Exception:
            # Broker down: the rows stay pending and the sweep sends them later. Stop at the
            # first failure so that a request pays for one connection attempt, not one per row.
            log.warning("Could not queue outbox messages %s; the sweep will send them",
                        message_ids, exc_info=True)
            return


def outbox_dispatch_on_commit(message_ids):
    """Queue the sending of these rows once the current transaction commits (one dispatch for
    many rows, so a broker outage costs one connection attempt)."""
    message_ids = list(message_ids)
    if message_ids:
        transaction.on_commit(lambda: _dispatch_after_commit(message_ids))


def email_enqueue(*, to, subject, template, context, key):
    """Render an e-mail now and put it in the outbox; it is sent after commit.

    Side effects: one OutboxMessage row (none if `key` was already queued) and, after commit,
    a Celery task per row.
    """
    message, created = _outbox_add(to=to, subject=subject, template=template, context=context,
                                   key=key)
    if created:
        outbox_dispatch_on_commit([message.pk])
    return message


def outbox_add(*, to, subject, body, key):
    """Put an already written e-mail in the outbox (no dispatch: the caller queues it with
    `outbox_dispatch_on_commit`). Returns (row, created); an existing `key` is not added again.
    """
    return OutboxMessage.objects.get_or_create(
        key=key[:200], defaults={"to": to, "subject": str(subject)[:300], "body": body})


def _outbox_add(*, to, subject, template, context, key):
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    return outbox_add(to=to, subject=subject, body=body, key=key)


def notification_add(*, user, title, url):
    """An in-portal notification only (no e-mail). Side effects: one Notification row."""
    return Portal().notify(user=user, title=title, url=url)


def notify(*, users, title, url, key, template="notifications/email/case_event.txt",
           context=None, exclude=None):
    """Tell `users` (in the portal and by e-mail) that something happened at `url`.

    Side effects: a Notification and an OutboxMessage per recipient (not `exclude`, the person
    who did it), e-mail sent after commit.
    """
    recipients = {u.pk: u for u in users if u.is_active and (exclude is None or u.pk != exclude.pk)}
    queued = []
    for user in recipients.values():
        Portal().notify(user=user, title=title, url=url)
        message, created = _outbox_add(
            to=user.email, subject=title, template=template,
            context={**(context or {}), "title": title, "url": url, "recipient": user},
            key=f"{key}:{user.pk}",
        )
        if created:
            queued.append(message.pk)
    outbox_dispatch_on_commit(queued)
    return list(recipients.values())


def _claimable(now):
    return (Q(status=OutboxMessage.Status.PENDING)
            | Q(status=OutboxMessage.Status.SENDING, claimed_at__lt=now - claim_timeout()))


def outbox_claim(*, message_id, now=None):
    """Claim one row for sending and commit the claim. Returns the claimed row (its
    `claim_token` set), or None if it is sent, failed, or claimed by a live sender."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        # One UPDATE decides: under PostgreSQL's row lock the second of two concurrent claims
        # re-reads the row, no longer finds it claimable and updates nothing.
        won = (OutboxMessage.objects.filter(_claimable(now), pk=message_id)
               .update(status=OutboxMessage.Status.SENDING, claim_token=token, claimed_at=now,
                       attempts=F("attempts") + 1))
    if not won:
        return None
    return OutboxMessage.objects.get(pk=message_id)


def outbox_send(*, message_id, now=None):
    """Send one outbox row if it is pending (or its claim has timed out). Returns True if this
    call sent it.

    Side effects: the row's status, attempts, error and sent time; one e-mail.
    """
    message = outbox_claim(message_id=message_id, now=now)
    if message is None:
        return False
    mine = OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token)
    try:
        Email().notify(to=message.to, subject=message.subject, body=message.body)
    except TransportError as exc:
        failed = message.attempts >= _setting("OUTBOX_MAX_ATTEMPTS", 10)
        mine.update(status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.PENDING,
                    last_error=exc.message, claim_token="", claimed_at=None)
        log.warning("Sending outbox message %s failed (attempt %s): %s", message.pk,
                    message.attempts, exc.message)
        return False
    recorded = mine.update(status=OutboxMessage.Status.SENT, sent_at=timezone.now(),
                           last_error="", claim_token="", claimed_at=None)
    if not recorded:
        log.warning("Outbox message %s was sent after its claim had timed out", message.pk)
    return True


def outbox_sweep_pending(*, older_than_seconds=None, now=None):
    """Send every pending row older than the sweep delay, and every row whose claim timed out.
    Returns how many were sent."""
    if older_than_seconds is None:
        older_than_seconds = settings.OUTBOX_SWEEP_AFTER_SECONDS
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    ids = list(OutboxMessage.objects.filter(
        Q(status=OutboxMessage.Status.PENDING, created_at__lte=cutoff)
        | Q(status=OutboxMessage.Status.SENDING, claimed_at__lt=now - claim_timeout()))
        .order_by("created_at").values_list("pk", flat=True)[:500])
    return sum(1 for pk in ids if outbox_send(message_id=pk, now=now))


def notification_mark_read(*, user, notification_id=None):
    """Mark one (or all) of the user's notifications read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
