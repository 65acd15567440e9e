"""E-mail delivery end to end: a real Redis, a real Celery worker and a real SMTP server.

The worker is a separate process that reads the outbox rows from the test database, so the rows
must be committed: these tests use `transactional_db`. Every server listens on 127.0.0.1 only,
on a free port, and is stopped in teardown whatever happens (tests/support/servers.py; the
fixtures are in tests/support/fixtures.py).
"""

import time
from collections import Counter
from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from incidents import services as incidents
from notifications.models import OutboxMessage
from notifications.tasks import outbox_sweep
from tests.support.servers import wait_for

pytestmark = [pytest.mark.delivery, pytest.mark.django_db(transaction=True)]

DELIVERY_TIMEOUT = 30


@pytest.fixture
def bits_handlers(bits_org):
    from tests.factories import member_of

    return [member_of(bits_org, email="handler-1@bits.example.com"),
            member_of(bits_org, email="handler-2@bits.example.com")]


def _report(by):
    return incidents.incident_report(
        by=by, environment="production", severity="critical", occurred_at=timezone.now(),
        request_ids=["9f1c2d3e-0001"], summary="Alle kall gir 500",
        description="Fra kl. 09.12 svarer Saldo-API-et 500 på alle kall.",
    )


def _outbox_statuses(users):
    rows = OutboxMessage.objects.filter(to__in=[user.email for user in users])
    return sorted(rows.values_list("status", flat=True))


def _subjects(sink):
    return [message_from_bytes(content, policy=policy.default)["Subject"]
            for _, _, content in sink.envelopes()]


def test_error_report_mails_each_bits_handler_once_through_the_worker(
        broker, worker, smtp_sink, bank_member, bits_handlers):
    _, sink = smtp_sink
    expected = Counter({user.email: 1 for user in bits_handlers})

    report = _report(bank_member)

    arrived = wait_for(lambda: sink.mails_per_recipient() == expected, DELIVERY_TIMEOUT)
    assert arrived, f"mail did not arrive; worker log:\n{worker.log()[-4000:]}"
    assert wait_for(lambda: _outbox_statuses(bits_handlers) == ["sent", "sent"], 10)
    # Both mails went in one sending task, over one SMTP connection.
    assert wait_for(lambda: worker.task_results("notifications.tasks.outbox_deliver")
                     == ["2"], 10), worker.log()[-4000:]
    assert all(subject.startswith(f"{report.reference}: ") for subject in _subjects(sink))
    assert sink.mails_per_recipient() == expected  # nothing more came in the meantime


def test_report_filed_while_redis_is_down_is_delivered_once_by_the_sweep(
        broker, worker, smtp_sink, bank_member, bits_handlers):
    _, sink = smtp_sink
    expected = Counter({user.email: 1 for user in bits_handlers})

    broker.stop()
    started = time.monotonic()
    report = _report(bank_member)
    assert time.monotonic() - started < 10
    assert _outbox_statuses(bits_handlers) == ["pending", "pending"]

    broker.start()
    outbox_sweep.apply_async()  # through the broker: the worker sends, once it has reconnected

    arrived = wait_for(lambda: sink.mails_per_recipient() == expected, DELIVERY_TIMEOUT)
    assert arrived, f"mail did not arrive; worker log:\n{worker.log()[-4000:]}"
    assert wait_for(lambda: _outbox_statuses(bits_handlers) == ["sent", "sent"], 10)
    assert wait_for(lambda: worker.task_results("notifications.tasks.outbox_sweep") == ["2"],
                     10), worker.log()[-4000:]
    assert all(subject.startswith(f"{report.reference}: ") for subject in _subjects(sink))

    outbox_sweep.apply_async()
    assert wait_for(lambda: len(worker.task_results("notifications.tasks.outbox_sweep")) == 2,
                     DELIVERY_TIMEOUT), worker.log()[-4000:]
    assert worker.task_results("notifications.tasks.outbox_sweep") == ["2", "0"]
    assert sink.mails_per_recipient() == expected
    # Nothing was queued while Redis was down: the sweep alone delivered.
    assert worker.task_results("notifications.tasks.outbox_deliver") == []
