"""Sending outbox rows: many mails over one SMTP connection, each counted exactly once.

A batch is sent in three steps, so that no row lock or transaction is held while the mail
server is talked to:
1. claim: the rows still pending (or whose claim is older than OUTBOX_CLAIM_TIMEOUT_SECONDS: a
   worker that died mid-send) are locked in primary-key order, skipping rows another sender is
   claiming right now, and moved to sending under one fresh claim token; commit. Two senders
   never both win a row;
2. send them one after the other over one connection, with no transaction open;
3. record each result under the token as soon as the server has answered for that mail: sent;
   or back to pending with the attempt and its error (the sweep tries again); or failed after
   OUTBOX_MAX_ATTEMPTS.
A worker killed between an accepted mail and its record leaves a claim that times out and is
sent again: the one window in which a mail can go twice, as small as one database write, the
same as with one mail per connection. The rows further down the batch are kept claimed by a
heartbeat (a third of the claim timeout), so a slow server never lets the sweep take a row this
sender is still going to send; a row the sweep took all the same is skipped.
"""

import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import OutboxMessage
from ..transports import TransportError

log = logging.getLogger(__name__)

# A sweep claims at most this many rows; the rest wait for the next sweep.
SWEEP_LIMIT = 500


def _setting(name, default):
    return getattr(settings, name, default)


def claim_timeout():
    return timedelta(seconds=_setting("OUTBOX_CLAIM_TIMEOUT_SECONDS", 300))


def _claimable(now):
    return (Q(status=OutboxMessage.Status.PENDING)
            | Q(status=OutboxMessage.Status.SENDING, claimed_at__lt=now - claim_timeout()))


class MailSession:
    """One SMTP connection (Django's configured backend) for many mails.

    `send()` sends one mail or raises TransportError; after a failure the connection is
    closed and the next mail opens a new one, since a refused or broken SMTP session cannot be
    trusted with the next mail. A failure to connect at all is `connect_failed`: the caller
    gives the rest of its batch back instead of waiting for the server once per mail.
    """

    def __init__(self):
        self.connection = None
        self.connect_failed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._close()

    def _close(self):
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - a broken session is closed on a best-effort basis
                log.debug("Closing the mail connection failed", exc_info=True)
            self.connection = None

    def send(self, *, to, subject, body):
        if self.connection is None:
            try:
                connection = get_connection()
                connection.open()
            except Exception as exc:
                self.connect_failed = True
                raise TransportError(f"{type(exc).__name__}: {exc}"[:2000]) from exc
            self.connection = connection
        try:
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                         to=[to], connection=self.connection).send()
        except Exception as exc:
            # SMTP refusals, timeouts and a server that went away all deserve another try:
            # the outbox gives up after OUTBOX_MAX_ATTEMPTS.
            self._close()
            raise TransportError(f"{type(exc).__name__}: {exc}"[:2000]) from exc


def outbox_claim_batch(*, message_ids=None, due=None, now=None, limit=None):
    """Claim rows for sending and commit the claim: those of `message_ids` (or matching `due`,
    a Q) that are pending or whose claim has timed out, at most `limit`. Returns (claim token,
    the claimed rows in primary-key order); no rows if another sender holds them all.

    Side effects: the rows' status (sending), claim token and time, attempts.
    """
    now = now or timezone.now()
    token = uuid.uuid4().hex
    rows = OutboxMessage.objects.filter(_claimable(now))
    if message_ids is not None:
        rows = rows.filter(pk__in=list(message_ids))
    if due is not None:
        rows = rows.filter(due)
    with transaction.atomic():
        # Locking in one order, and skipping rows another sender is claiming this instant, keeps
        # two overlapping claims (a batch and the sweep) from deadlocking or waiting on each
        # other. The UPDATE repeats the condition, so a row that stopped being claimable in
        # the meantime is not taken.
        locked = rows.select_for_update(skip_locked=True).order_by("pk").values_list(
            "pk", flat=True)
        ids = list(locked[:limit] if limit else locked)
        if not ids:
            return token, []
        OutboxMessage.objects.filter(_claimable(now), pk__in=ids).update(
            status=OutboxMessage.Status.SENDING, claim_token=token, claimed_at=now,
            attempts=F("attempts") + 1)
    return token, list(OutboxMessage.objects.filter(claim_token=token).order_by("pk"))


def outbox_claim(*, message_id, now=None):
    """Claim one row for sending and commit the claim. Returns the claimed row (its
    `claim_token` set), or None if it is sent, failed, or claimed by a live sender."""
    _token, rows = outbox_claim_batch(message_ids=[message_id], now=now)
    return rows[0] if rows else None


class SentRecorder:
    """Records one mail sent, under the claim token, in one prepared UPDATE: this write sits
    between every two mails of a batch (the window in which a dying worker would leave a mail
    to be sent twice), so it is kept to one short statement and no ORM work per mail."""

    def __init__(self, token):
        meta = OutboxMessage._meta

        def column(name):
            return connection.ops.quote_name(meta.get_field(name).column)

        self.token = token
        self.sql = (f"UPDATE {connection.ops.quote_name(meta.db_table)} SET "
                    f"{column('status')} = %s, {column('sent_at')} = %s, "
                    f"{column('last_error')} = '', {column('claim_token')} = '', "
                    f"{column('claimed_at')} = NULL "
                    f"WHERE {column('id')} = %s AND {column('claim_token')} = %s")
        self.cursor = None

    def __enter__(self):
        self.cursor = connection.cursor()
        return self

    def __exit__(self, *exc_info):
        self.cursor.close()

    def sent(self, row):
        self.cursor.execute(self.sql, [OutboxMessage.Status.SENT, timezone.now(), row.pk,
                                       self.token])
        if self.cursor.rowcount != 1:
            log.warning("Outbox message %s was sent after its claim had timed out", row.pk)


def _record_failure(row, token, error):
    failed = row.attempts >= _setting("OUTBOX_MAX_ATTEMPTS", 10)
    OutboxMessage.objects.filter(pk=row.pk, claim_token=token).update(
        status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.PENDING,
        last_error=error, claim_token="", claimed_at=None)
    log.warning("Sending outbox message %s failed (attempt %s): %s", row.pk, row.attempts,
                error)


def _keep_claimed(token):
    """Renew the claim on the rows still this sender's; returns their ids."""
    mine = OutboxMessage.objects.filter(claim_token=token, status=OutboxMessage.Status.SENDING)
    mine.update(claimed_at=timezone.now())
    return set(mine.values_list("pk", flat=True))


def _send_claimed(rows, token):
    heartbeat = claim_timeout().total_seconds() / 3
    renewed_at, mine = time.monotonic(), {row.pk for row in rows}
    sent, error = 0, ""
    with MailSession() as session, SentRecorder(token) as recorder:
        for row in rows:
            if time.monotonic() - renewed_at > heartbeat:
                mine, renewed_at = _keep_claimed(token), time.monotonic()
            if row.pk not in mine:
                continue  # the sweep took it over: it sends it
            if session.connect_failed:
                _record_failure(row, token, error)
                continue
            try:
                session.send(to=row.to, subject=row.subject, body=row.body)
            except TransportError as exc:
                error = exc.message
                _record_failure(row, token, error)
                continue
            recorder.sent(row)
            sent += 1
    return sent


def outbox_send_batch(*, message_ids, now=None):
    """Send the rows of `message_ids` that are pending (or whose claim has timed out) over one
    mail connection. Returns how many this call sent.

    Side effects: the rows' status, attempts, error and sent time; one e-mail each.
    """
    token, rows = outbox_claim_batch(message_ids=message_ids, now=now)
    return _send_claimed(rows, token) if rows else 0


def outbox_send(*, message_id, now=None):
    """Send one outbox row if it is pending (or its claim has timed out). Returns True if this
    call sent it.

    Side effects: the row's status, attempts, error and sent time; one e-mail.
    """
    return outbox_send_batch(message_ids=[message_id], now=now) == 1


def outbox_sweep_pending(*, older_than_seconds=None, now=None):
    """Send every pending row older than the sweep delay, and every row whose claim timed out
    (at most SWEEP_LIMIT, oldest first), over one mail connection. Returns how many were sent.
    """
    if older_than_seconds is None:
        older_than_seconds = settings.OUTBOX_SWEEP_AFTER_SECONDS
    now = now or timezone.now()
    due = (Q(status=OutboxMessage.Status.PENDING,
             created_at__lte=now - timedelta(seconds=older_than_seconds))
           | Q(status=OutboxMessage.Status.SENDING))
    token, rows = outbox_claim_batch(due=due, now=now, limit=SWEEP_LIMIT)
    return _send_claimed(rows, token) if rows else 0
