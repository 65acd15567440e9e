"""Sending an outbox row: claimed and committed first, sent with no transaction open, the result
recorded after — a refusal is tried again later, a mail that keeps failing is given up, and a
claim whose sender died is taken over by the sweep."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from notifications import services
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(db):
    with transaction.atomic():
        row, _created = services.outbox_add(to="drift@bank.example.com", subject="Driftsmelding",
                                            body="Saldo-API-et svarer 500.", key="test:1")
    return row


@pytest.fixture
def smtp(monkeypatch):
    """The mail server's answers, in order: an exception is raised, anything else accepts.
    Past the end of the list it accepts. Records what the sender saw when it called."""
    real_send = EmailMessage.send
    answers, calls = [], []

    def send(self, fail_silently=False):
        calls.append({"to": self.to, "in_transaction": connection.in_atomic_block,
                      "status": OutboxMessage.objects.get(to=self.to[0]).status})
        answer = answers.pop(0) if answers else None
        if isinstance(answer, Exception):
            raise answer
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send)
    return answers, calls


def refused():
    return smtplib.SMTPRecipientsRefused({"drift@bank.example.com": (450, b"mailbox busy")})


def test_smtp_refusal_records_the_attempt_and_error_and_the_sweep_sends_it_later(message,
                                                                                  smtp):
    answers, _calls = smtp
    answers.append(refused())

    assert services.outbox_send(message_id=message.pk) is False

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert "SMTPRecipientsRefused" in message.last_error and "mailbox busy" in message.last_error
    assert (message.claim_token, message.claimed_at) == ("", None)
    assert mail.outbox == []

    assert services.outbox_sweep_pending(older_than_seconds=0) == 1

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.sent_at is not None
    assert message.attempts == 2 and message.last_error == ""
    assert [m.to for m in mail.outbox] == [["drift@bank.example.com"]]


def test_a_mail_that_keeps_failing_is_failed_after_the_limit_and_never_tried_again(
        message, smtp, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    answers, calls = smtp
    answers.extend([refused(), smtplib.SMTPServerDisconnected("gone"), refused(), None])

    results = [services.outbox_send(message_id=message.pk) for _ in range(3)]

    assert results == [False, False, False]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.attempts == 3 and "SMTPRecipientsRefused" in message.last_error
    assert services.outbox_send(message_id=message.pk) is False
    assert services.outbox_sweep_pending(older_than_seconds=0) == 0
    assert len(calls) == 3 and mail.outbox == []


def test_a_claimed_row_is_left_alone_until_its_claim_times_out_then_the_sweep_sends_it(
        message, smtp, settings):
    _answers, calls = smtp
    now = timezone.now()
    claimed = services.outbox_claim(message_id=message.pk, now=now)  # a worker, mid-send
    assert claimed.status == OutboxMessage.Status.SENDING and claimed.claim_token

    assert services.outbox_send(message_id=message.pk, now=now) is False
    assert services.outbox_sweep_pending(older_than_seconds=0, now=now) == 0
    assert calls == []

    # That worker died without recording anything: its claim times out.
    later = now + timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS + 1)
    assert services.outbox_sweep_pending(older_than_seconds=0, now=later) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 2  # the dead worker's attempt counts
    assert len(mail.outbox) == 1


def test_a_late_result_from_a_sender_whose_claim_was_taken_over_changes_nothing(message):
    first = services.outbox_claim(message_id=message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - timedelta(hours=1))
    second = services.outbox_claim(message_id=message.pk)
    assert second is not None and second.claim_token != first.claim_token

    # The first sender's result is recorded under its own token only.
    assert OutboxMessage.objects.filter(pk=message.pk, claim_token=first.claim_token).update(
        status=OutboxMessage.Status.FAILED) == 0


@pytest.mark.django_db(transaction=True)
def test_the_mail_server_is_called_with_the_claim_committed_and_no_transaction_open(smtp):
    _answers, calls = smtp
    with transaction.atomic():
        row, _created = services.outbox_add(to="drift@bank.example.com", subject="Emne",
                                            body="Tekst", key="test:commit")

    assert services.outbox_send(message_id=row.pk) is True

    assert calls == [{"to": ["drift@bank.example.com"], "in_transaction": False,
                      "status": OutboxMessage.Status.SENDING}]
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT


def test_email_enqueue_queues_once_per_key_and_dispatches_after_commit(
        db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(2):
            services.email_enqueue(to="a@bank.example.com", subject="Hei",
                                   template="notifications/email/case_event.txt",
                                   context={"title": "Hei", "url": "/"}, key="same:key")
    assert OutboxMessage.objects.count() == 1
    assert len(callbacks) == 1
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
