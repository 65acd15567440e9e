"""A notice's fan-out end to end: a real Redis, a real Celery worker, a real SMTP server and a
real HTTP receiver for webhooks, all on 127.0.0.1.

Three banks with two contact points each (and Bits) must get exactly one mail per address, one
in-portal notification per user and one webhook call per endpoint — also when the worker is
killed (SIGKILL) or Redis restarts half-way through. "Half-way" is made exact: the SMTP server
holds the third mail, so the worker is stuck inside a send while the fan-out job still has
organisations left, and the test kills it there. The killed worker's claim on that mail times
out (OUTBOX_CLAIM_TIMEOUT_SECONDS, 5 s here) and the sweep sends it.
"""

import time
from collections import Counter

import pytest
from django.urls import reverse

from notifications.models import Delivery, FanoutJob, Notification, OutboxMessage, WebhookEndpoint
from notifications.tasks import channels_sweep, outbox_sweep
from tests.support.servers import wait_for

pytestmark = [pytest.mark.delivery, pytest.mark.django_db(transaction=True)]

DELIVERY_TIMEOUT = 60


@pytest.fixture
def scenario(receiving_banks, bits_user, webhook_receiver, make_notice, components):
    """Three banks, each with a webhook at /<orgnr>; a critical fault in draft."""
    for org in receiving_banks:
        WebhookEndpoint.objects.create(organisation=org, url=f"{webhook_receiver.url}/{org.orgnr}")
    mails = Counter({cp.email: 1 for org in receiving_banks for cp in org.contact_points.all()})
    mails[bits_user.email] = 1  # Bits has no contact points: its users get the mail
    users = Counter({"member@bank-a.example.com": 1, "admin@bank-a.example.com": 1,
                     "drift@nordbank.example.com": 1, "admin@sorbank.example.com": 1,
                     bits_user.email: 1})
    webhooks = Counter({(f"/{org.orgnr}", "notice.published"): 1 for org in receiving_banks})
    return {"notice": make_notice(), "mails": mails, "users": users, "webhooks": webhooks}


def publish_through_the_portal(client_for, lk_user, notice):
    started = time.monotonic()
    response = client_for(lk_user).post(reverse("notices:action",
                                                args=[notice.reference, "publish"]))
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    return elapsed


def publish_and_hold_the_third_mail(sink, worker, client_for, lk_user, notice):
    """Publish; return once the worker is stuck sending the third mail (the SMTP server holds
    it until `sink.release()`)."""
    sink.hold_after = 2
    publish_through_the_portal(client_for, lk_user, notice)
    assert sink.holding.wait(DELIVERY_TIMEOUT), worker.log()[-4000:]


def everything_delivered(sink, receiver, scenario):
    return (sink.mails_per_recipient() == scenario["mails"]
            and receiver.events_per_path() == scenario["webhooks"]
            and FanoutJob.objects.filter(finished_at__isnull=True).count() == 0
            and not OutboxMessage.objects.exclude(status="sent").exists()
            and not Delivery.objects.filter(channel="webhook",
                                            status__in=["queued", "sending"]).exists())


def assert_exactly_once(sink, receiver, scenario, worker):
    assert sink.mails_per_recipient() == scenario["mails"]
    assert receiver.events_per_path() == scenario["webhooks"]
    portal = Counter(Notification.objects.values_list("recipient__email", flat=True))
    assert portal == scenario["users"]
    deliveries = Counter(Delivery.objects.values_list("channel", flat=True))
    assert deliveries == {"email": 7, "portal": 5, "webhook": 3}
    # Sweeps afterwards find nothing left to do and send nothing again.
    before = len(worker.task_results("notifications.tasks.outbox_sweep"))
    outbox_sweep.apply_async()
    channels_sweep.apply_async()
    assert wait_for(lambda: len(worker.task_results("notifications.tasks.outbox_sweep"))
                    > before and worker.task_results("notifications.tasks.channels_sweep"), 30)
    time.sleep(1)
    assert worker.task_results("notifications.tasks.outbox_sweep")[-1] == "0"
    assert sink.mails_per_recipient() == scenario["mails"]
    assert receiver.events_per_path() == scenario["webhooks"]


def sweep_until_delivered(sink, receiver, scenario, worker):
    """What the beat schedule does every 30-60 s, every 2 s here."""
    def done():
        if everything_delivered(sink, receiver, scenario):
            return True
        outbox_sweep.apply_async()
        channels_sweep.apply_async()
        return False

    assert wait_for(done, DELIVERY_TIMEOUT, interval=2), (
        f"mails {sink.mails_per_recipient()}, webhooks {receiver.events_per_path()}; "
        f"worker log:\n{worker.log()[-4000:]}")


def test_publishing_to_three_banks_sends_each_mail_notification_and_webhook_once(
        broker, worker, smtp_sink, webhook_receiver, scenario, client_for, lk_user):
    _, sink = smtp_sink

    elapsed = publish_through_the_portal(client_for, lk_user, scenario["notice"])

    assert elapsed < 2, "publishing must not wait for the fan-out"
    assert wait_for(lambda: everything_delivered(sink, webhook_receiver, scenario),
                    DELIVERY_TIMEOUT), (
        f"mails {sink.mails_per_recipient()}; worker log:\n{worker.log()[-4000:]}")
    assert_exactly_once(sink, webhook_receiver, scenario, worker)
    assert len(worker.task_results("notifications.tasks.fanout_run")) == 5  # 4 batches + "done"
    body = sink.envelopes()[0][2].decode()
    assert scenario["notice"].reference in body


def test_worker_killed_half_way_through_the_fanout_loses_nothing_and_sends_nothing_twice(
        broker, worker, smtp_sink, webhook_receiver, scenario, client_for, lk_user):
    _, sink = smtp_sink
    publish_and_hold_the_third_mail(sink, worker, client_for, lk_user, scenario["notice"])
    job = FanoutJob.objects.get()
    assert job.finished_at is None and job.batches >= 1  # half-way through the organisations

    worker.kill()
    sink.release(accept=False)  # the killed worker's mail was never accepted
    assert sink.count() == 2
    worker.start()

    sweep_until_delivered(sink, webhook_receiver, scenario, worker)
    assert_exactly_once(sink, webhook_receiver, scenario, worker)


def test_redis_restart_half_way_through_the_fanout_loses_nothing_and_sends_nothing_twice(
        broker, worker, smtp_sink, webhook_receiver, scenario, client_for, lk_user):
    _, sink = smtp_sink
    publish_and_hold_the_third_mail(sink, worker, client_for, lk_user, scenario["notice"])
    assert FanoutJob.objects.get().finished_at is None

    broker.stop()  # every queued task (the rest of the fan-out, the other sends) is gone
    broker.start()
    sink.release(accept=True)

    sweep_until_delivered(sink, webhook_receiver, scenario, worker)
    assert_exactly_once(sink, webhook_receiver, scenario, worker)
