"""Many mails over one connection: a batch of outbox rows is claimed (committed), sent one after
the other over one SMTP connection, and each result is recorded as soon as the server answered
for that mail — so a worker that dies half-way leaves only the mail in flight to be sent again.
A fan-out batch queues one sending task for its mails, not one per mail."""

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ContactPoint
from notifications import services
from notifications.models import OutboxMessage
from notifications.services import sending
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


def rows(count):
    return [services.outbox_add(to=f"kontakt{i}@bank.example.com", subject="Driftsmelding",
                                body="Saldo-API-et svarer 500.", key=f"batch:{i}")[0]
            for i in range(count)]


def statuses():
    return dict(OutboxMessage.objects.values_list("to", "status"))


@pytest.fixture
def opened(monkeypatch):
    """How many mail connections were opened."""
    count = []
    real_open = EmailBackend.open

    def open_(self):
        count.append(1)
        return real_open(self)

    monkeypatch.setattr(EmailBackend, "open", open_)
    return count


@pytest.fixture
def smtp(monkeypatch):
    """The mail server's answers by recipient (an exception is raised); records, for each mail,
    the other rows' statuses in the database at the moment it was sent."""
    real_send = EmailMessage.send
    answers, seen = {}, []

    def send(self, fail_silently=False):
        seen.append((self.to[0], statuses(), connection.in_atomic_block))
        answer = answers.pop(self.to[0], None)
        if isinstance(answer, Exception):
            raise answer
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send)
    return answers, seen


@pytest.mark.django_db(transaction=True)
def test_a_batch_goes_over_one_connection_and_each_mail_is_recorded_as_soon_as_it_is_sent(
        opened, smtp):
    _answers, seen = smtp
    batch = rows(5)

    assert services.outbox_send_batch(message_ids=[row.pk for row in batch]) == 5

    assert len(opened) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(row.to for row in batch)
    assert set(statuses().values()) == {OutboxMessage.Status.SENT}
    # When the third mail went, the first two were recorded sent and the rest still claimed:
    # a worker killed there would leave only the third to be sent again.
    to, at_the_time, in_transaction = seen[2]
    assert to == batch[2].to and not in_transaction
    assert [at_the_time[row.to] for row in batch] == ["sent", "sent", "sending", "sending",
                                                      "sending"]
    assert services.outbox_send_batch(message_ids=[row.pk for row in batch]) == 0


def test_a_refused_mail_in_a_batch_is_tried_again_later_and_the_others_are_sent(opened, smtp):
    answers, _seen = smtp
    batch = rows(3)
    answers[batch[1].to] = smtplib.SMTPRecipientsRefused({batch[1].to: (450, b"mailbox busy")})

    assert services.outbox_send_batch(message_ids=[row.pk for row in batch]) == 2

    refused = OutboxMessage.objects.get(pk=batch[1].pk)
    assert refused.status == OutboxMessage.Status.PENDING and refused.attempts == 1
    assert "mailbox busy" in refused.last_error and refused.claim_token == ""
    assert len(opened) == 2  # the session after a refusal is not trusted: a new one
    assert services.outbox_sweep_pending(older_than_seconds=0) == 1
    assert statuses()[batch[1].to] == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 3


def test_a_mail_server_that_cannot_be_reached_is_tried_once_per_batch_not_once_per_mail(
        monkeypatch):
    tried = []

    def refuse(self):
        tried.append(1)
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(EmailBackend, "open", refuse)
    batch = rows(4)

    assert services.outbox_send_batch(message_ids=[row.pk for row in batch]) == 0

    assert tried == [1]
    for row in OutboxMessage.objects.all():
        assert row.status == OutboxMessage.Status.PENDING and row.attempts == 1
        assert "connection refused" in row.last_error and row.claim_token == ""
    assert mail.outbox == []


def test_rows_another_sender_holds_are_left_to_it(smtp):
    batch = rows(3)
    theirs = services.outbox_claim(message_id=batch[1].pk)  # a live sender, mid-send

    assert services.outbox_send_batch(message_ids=[row.pk for row in batch]) == 2

    assert OutboxMessage.objects.get(pk=batch[1].pk).claim_token == theirs.claim_token
    assert sorted(m.to[0] for m in mail.outbox) == [batch[0].to, batch[2].to]


def test_a_long_batch_keeps_its_claim_and_skips_a_row_the_sweep_took_over(
        smtp, monkeypatch, settings):
    """A slow server: the heartbeat renews the claim on the rows still to be sent; a row the
    sweep took meanwhile (its claim had timed out) is the sweep's to send."""
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 3
    _answers, seen = smtp
    clock = [1000.0]
    monkeypatch.setattr(sending.time, "monotonic", lambda: clock[0])
    batch = rows(3)
    real_send = EmailMessage.send

    def slow_first(self, fail_silently=False):
        result = real_send(self, fail_silently)
        if self.to[0] == batch[0].to:
            clock[0] += 2  # longer than the heartbeat (1 s)
            OutboxMessage.objects.filter(pk=batch[1].pk).update(claim_token="sweep")
        return result

    monkeypatch.setattr(EmailMessage, "send", slow_first)
    claimed_at = timezone.now()

    assert services.outbox_send_batch(message_ids=[row.pk for row in batch], now=claimed_at) == 2

    assert sorted(m.to[0] for m in mail.outbox) == [batch[0].to, batch[2].to]
    assert OutboxMessage.objects.get(pk=batch[1].pk).status == OutboxMessage.Status.SENDING
    assert OutboxMessage.objects.get(pk=batch[2].pk).sent_at > claimed_at


@pytest.fixture
def banks(db):
    made = []

    def make(count, contact_points=3):
        banks = [OrganisationFactory(name=f"Bank {i}", orgnr=f"{970000000 + i}")
                 for i in range(len(made), len(made) + count)]
        made.extend(banks)
        ContactPoint.objects.bulk_create(
            [ContactPoint(organisation=org, kind=ContactPoint.Kind.TECHNICAL, name=f"K{k}",
                          email=f"k{k}@{org.orgnr}.example.com")
             for org in banks for k in range(contact_points)])
        for org in banks:
            member_of(org, email=f"drift@{org.orgnr}.example.com")
        return banks

    return make


def announce(banks, key):
    subject = OrganisationFactory(name="Lånekassen", orgnr=f"96{key:07d}", kind="lanekassen")
    return services.fanout_start(
        subject=subject, event="notice.published", key=f"test:{key}",
        organisation_ids=[b.pk for b in banks], title="DM-2026-0001: Feil",
        url="/driftsmeldinger/DM-2026-0001/", email_subject="Driftsmelding",
        email_body="Saldo-API-et svarer 500.")


def test_a_fanout_batch_queues_its_mails_in_a_few_sending_tasks_not_one_per_mail(
        banks, settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_BATCH_SIZE = 4
    job = announce(banks(3), key=1)  # 9 mails

    with (mock.patch("notifications.tasks.outbox_deliver.apply_async") as deliver,
          mock.patch("notifications.tasks.fanout_run.apply_async"),
          django_capture_on_commit_callbacks(execute=True)):
        assert services.fanout_step(job_id=job.pk, batch_size=10) == 3

    batches = [call.args[0][0] for call in deliver.call_args_list]
    assert [len(ids) for ids in batches] == [4, 4, 1]
    assert sorted(sum(batches, [])) == sorted(
        OutboxMessage.objects.values_list("pk", flat=True))


def test_a_fanout_batch_costs_the_same_queries_for_few_and_many_organisations(banks):
    # (Ten, not more: SQLite splits a bulk insert of more than 999 values in two.)
    few, many = announce(banks(2), key=2), announce(banks(10), key=3)
    counts = []
    for job in (few, many):
        with (mock.patch("notifications.tasks.outbox_deliver.apply_async"),
              mock.patch("notifications.tasks.fanout_run.apply_async"),
              CaptureQueriesContext(connection) as queries):
            assert services.fanout_step(job_id=job.pk, batch_size=50) > 0
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert OutboxMessage.objects.count() == 12 * 3
