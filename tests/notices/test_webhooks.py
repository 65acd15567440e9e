"""Signed webhooks to a real HTTP receiver on 127.0.0.1: signature, retries with backoff for 24
hours, redirects and timeouts, and what the bank admin sees."""

import hashlib
import hmac
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from notices import services
from notices.models import NoticeDelivery, WebhookAttempt

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def hooks(bank_admin, webhook_receiver, receiving_banks):
    """Testbank A's admin registers two webhooks on the receiver: /ok and /other."""
    def register(path):
        endpoint, secret = services.webhook_register(by=bank_admin,
                                                     url=webhook_receiver.url + path)
        return endpoint

    return {"ok": register("/ok"), "other": register("/other")}


def deliveries(endpoint):
    return NoticeDelivery.objects.filter(endpoint=endpoint).order_by("pk")


def send_all(now=None):
    return [services.webhook_send(delivery_id=d.pk, now=now)
            for d in NoticeDelivery.objects.filter(channel="webhook", status="queued")]


def test_each_event_is_posted_signed_with_a_timestamp(published, hooks, webhook_receiver,
                                                      lk_user,
                                                      django_capture_on_commit_callbacks):
    notice = published()  # eager: the webhook tasks run after the fan-out commits
    [request] = webhook_receiver.received("/ok")
    headers = {k.lower(): v for k, v in request["headers"].items()}
    timestamp = headers["x-saldo-timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    expected = hmac.new(hooks["ok"].secret.encode(), timestamp.encode() + b"." + request["body"],
                        hashlib.sha256).hexdigest()
    assert headers["x-saldo-signature"] == f"sha256={expected}"
    assert headers["content-type"] == "application/json"
    payload = json.loads(request["body"])
    assert payload["event"] == "notice.published"
    assert payload["notice"]["reference"] == notice.reference
    assert payload["notice"]["severity"] == "critical"
    assert payload["notice"]["requires_acknowledgement"] is True
    assert "<strong>produksjon</strong>" in payload["notice"]["body_html"]
    assert deliveries(hooks["ok"]).get().status == "sent"

    with django_capture_on_commit_callbacks(execute=True):
        services.notice_update_add(notice=notice, by=lk_user, body="Nå virker det igjen.")
    events = [json.loads(r["body"])["event"] for r in webhook_receiver.received("/ok")]
    assert events == ["notice.published", "notice.update"]
    assert json.loads(webhook_receiver.received("/ok")[-1]["body"])["message"][
        "body_markdown"] == "Nå virker det igjen."


def test_readme_example_receiver_verifies_the_signature(published, hooks, webhook_receiver):
    published()
    [request] = webhook_receiver.received("/ok")
    section = README.read_text().split("## Webhooks for notices", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(compile(code, "README example", "exec"), namespace)
    headers = {k.lower(): v for k, v in request["headers"].items()}
    verify = namespace["verify"]
    assert verify(hooks["ok"].secret, headers["x-saldo-timestamp"],
                  headers["x-saldo-signature"], request["body"])
    assert not verify(hooks["ok"].secret, headers["x-saldo-timestamp"],
                      headers["x-saldo-signature"], request["body"] + b" ")
    assert not verify("whsec_feil", headers["x-saldo-timestamp"],
                      headers["x-saldo-signature"], request["body"])
    old = str(int(headers["x-saldo-timestamp"]) - 3600)
    assert not verify(hooks["ok"].secret, old,
                      services.webhook_signature(hooks["ok"].secret, old, request["body"]),
                      request["body"])


def test_a_500_is_retried_with_exponential_backoff_and_fails_after_24_hours(
        published, hooks, webhook_receiver, django_capture_on_commit_callbacks):
    webhook_receiver.responses["/other"] = 500
    published()
    delivery = deliveries(hooks["other"]).get()
    assert delivery.status == "queued" and delivery.attempts == 1
    assert delivery.last_status_code == 500
    first = delivery.first_attempt_at
    assert delivery.next_attempt_at == first + timedelta(seconds=30)
    assert deliveries(hooks["ok"]).get().status == "sent"  # the other webhook is not held up

    # Not due yet: nothing is posted.
    assert services.webhook_send(delivery_id=delivery.pk, now=first + timedelta(seconds=10)) \
        is None
    gaps = []
    now = first
    while True:
        delivery.refresh_from_db()
        if delivery.status != "queued":
            break
        gaps.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at
        assert services.webhook_sweep(now=now) == 0
    assert gaps[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(gaps) == timedelta(hours=1)
    assert delivery.status == "failed"
    assert now - first <= timedelta(hours=24)
    assert delivery.attempts == len(gaps) + 1 == WebhookAttempt.objects.filter(
        delivery=delivery).count()
    assert len(webhook_receiver.received("/other")) == delivery.attempts


def test_a_redirect_is_not_followed_and_counts_as_a_failure(published, hooks,
                                                           webhook_receiver):
    webhook_receiver.responses["/other"] = ("redirect", webhook_receiver.url + "/elsewhere")
    published()
    delivery = deliveries(hooks["other"]).get()
    assert delivery.last_status_code == 302
    assert "følges ikke" in delivery.last_error
    assert webhook_receiver.received("/elsewhere") == []


def test_a_webhook_that_times_out_is_given_up_quickly_and_retried(
        published, hooks, webhook_receiver, settings):
    settings.NOTICES_WEBHOOK_TIMEOUT_SECONDS = 0.5
    webhook_receiver.responses["/other"] = ("sleep", 3)
    published()
    attempt = WebhookAttempt.objects.get(delivery__endpoint=hooks["other"])
    assert attempt.status_code is None
    assert "Tidsavbrudd" in attempt.error
    assert attempt.duration_ms < 2500
    assert deliveries(hooks["other"]).get().status == "queued"
    assert deliveries(hooks["ok"]).get().status == "sent"


def test_bank_admin_sees_each_attempt_with_its_status_code(published, hooks, webhook_receiver,
                                                           client_for, bank_admin):
    webhook_receiver.responses["/other"] = 503
    notice = published()
    html = client_for(bank_admin).get(
        reverse("notices:webhook_detail", args=[hooks["other"].pk])).content.decode()
    assert notice.reference in html
    assert "<td>503</td>" in html
    assert "notice.published" in html


def test_deactivated_webhook_gets_nothing_more(published, hooks, webhook_receiver, bank_admin,
                                              lk_user, django_capture_on_commit_callbacks):
    notice = published()
    services.webhook_deactivate(endpoint=hooks["other"], by=bank_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_update_add(notice=notice, by=lk_user, body="Oppdatering")
    assert len(webhook_receiver.received("/other")) == 1
    assert len(webhook_receiver.received("/ok")) == 2


def test_failed_webhook_is_sent_again_on_resend(published, hooks, webhook_receiver, lk_user,
                                                django_capture_on_commit_callbacks):
    webhook_receiver.responses["/other"] = 500
    notice = published()
    NoticeDelivery.objects.filter(endpoint=hooks["other"]).update(status="failed",
                                                                  next_attempt_at=None)
    webhook_receiver.responses["/other"] = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_resend_failed(notice=notice, by=lk_user) == 1
    delivery = deliveries(hooks["other"]).get()
    assert delivery.status == "sent" and delivery.resends == 1
