"""Webhooks for notices to a real HTTP receiver on 127.0.0.1: signed by the Standard Webhooks
specification (checked with the `standardwebhooks` package a bank would use), retries with
backoff for 24 hours under the same webhook-id, a 404 or 410 that stops them, redirects and
timeouts, and what the bank admin sees."""

import base64
import hashlib
import hmac
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from notices import services
from notifications import services as channels
from notifications.models import Delivery, WebhookAttempt
from notifications.transports import webhook_signature

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def hooks(bank_admin, webhook_receiver, receiving_banks):
    """Testbank A's admin registers two webhooks on the receiver: /ok and /other."""
    def register(path):
        endpoint, secret = channels.webhook_register(by=bank_admin,
                                                     url=webhook_receiver.url + path)
        return endpoint

    return {"ok": register("/ok"), "other": register("/other")}


def deliveries(endpoint):
    return Delivery.objects.filter(endpoint=endpoint).order_by("pk")


def headers_of(request):
    return {k.lower(): v for k, v in request["headers"].items()}


def test_each_event_is_posted_signed_by_standard_webhooks(published, hooks, webhook_receiver,
                                                          lk_user,
                                                          django_capture_on_commit_callbacks):
    notice = published()  # eager: the webhook tasks run after the fan-out commits
    [request] = webhook_receiver.received("/ok")
    headers = headers_of(request)
    timestamp = headers["webhook-timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    # v1, base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key in the whsec_ secret.
    secret = hooks["ok"].secret
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{timestamp}.".encode() + request["body"]
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert headers["webhook-id"] == deliveries(hooks["ok"]).get().webhook_id
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


def test_a_delivery_received_over_http_verifies_with_the_standardwebhooks_package(
        published, hooks, webhook_receiver):
    notice = published()
    [request] = webhook_receiver.received("/ok")
    headers = headers_of(request)

    payload = Webhook(hooks["ok"].secret).verify(request["body"], headers)

    assert payload["event"] == "notice.published"
    assert payload["notice"]["reference"] == notice.reference
    with pytest.raises(WebhookVerificationError):
        Webhook(hooks["other"].secret).verify(request["body"], headers)  # another secret
    with pytest.raises(WebhookVerificationError):
        Webhook(hooks["ok"].secret).verify(request["body"] + b" ", headers)


def test_readme_example_receiver_verifies_the_signature(published, hooks, webhook_receiver):
    published()
    [request] = webhook_receiver.received("/ok")
    section = README.read_text().split("## Webhooks for notices", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(compile(code, "README example", "exec"), namespace)
    headers = headers_of(request)
    verify = namespace["verify"]
    secret = hooks["ok"].secret
    assert verify(secret, headers, request["body"])["event"] == "notice.published"
    assert verify(secret, headers, request["body"] + b" ") is None
    assert verify(hooks["other"].secret, headers, request["body"]) is None
    old = str(int(headers["webhook-timestamp"]) - 3600)  # a replay an hour later
    replayed = {**headers, "webhook-timestamp": old, "webhook-signature": webhook_signature(
        secret, headers["webhook-id"], old, request["body"])}
    assert verify(secret, replayed, request["body"]) is None


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
    assert channels.webhook_send(delivery_id=delivery.pk, now=first + timedelta(seconds=10)) \
        is None
    gaps = []
    now = first
    while True:
        delivery.refresh_from_db()
        if delivery.status != "queued":
            break
        gaps.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at
        assert channels.webhook_sweep(now=now) == 0
    assert gaps[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(gaps) == timedelta(hours=1)
    assert delivery.status == "failed"
    assert now - first <= timedelta(hours=24)
    assert delivery.attempts == len(gaps) + 1 == WebhookAttempt.objects.filter(
        delivery=delivery).count()
    assert len(webhook_receiver.received("/other")) == delivery.attempts
    # Every retry is the same message: one webhook-id, so the receiver can drop duplicates.
    assert {headers_of(r)["webhook-id"] for r in webhook_receiver.received("/other")} == {
        delivery.webhook_id}


@pytest.mark.parametrize("code", [404, 410])
def test_a_webhook_that_is_gone_fails_at_once_without_retries(published, hooks,
                                                              webhook_receiver, code):
    webhook_receiver.responses["/other"] = code
    published()
    delivery = deliveries(hooks["other"]).get()
    assert delivery.status == "failed"
    assert delivery.attempts == 1 and delivery.next_attempt_at is None
    assert delivery.last_status_code == code
    later = timezone.now() + timedelta(hours=2)
    assert channels.webhook_sweep(now=later) == 0
    assert len(webhook_receiver.received("/other")) == 1
    assert deliveries(hooks["ok"]).get().status == "sent"


def test_a_claimed_webhook_is_not_posted_twice_and_a_dead_claim_is_taken_over(
        published, hooks, webhook_receiver, settings):
    webhook_receiver.responses["/other"] = 500
    published()
    delivery = deliveries(hooks["other"]).get()
    due = delivery.next_attempt_at
    claimed = channels.webhook_claim(delivery_id=delivery.pk, now=due)  # a worker, mid-post
    assert claimed.status == "sending"

    assert channels.webhook_send(delivery_id=delivery.pk, now=due) is None
    assert len(webhook_receiver.received("/other")) == 1

    # That worker died: once its claim is older than the timeout, the sweep posts it.
    webhook_receiver.responses["/other"] = 200
    later = due + timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS + 1)
    assert channels.webhook_sweep(now=later) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.claim_token == ""
    assert len(webhook_receiver.received("/other")) == 2


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
    settings.NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS = 0.5
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
        reverse("notifications:webhook_detail", args=[hooks["other"].pk])).content.decode()
    assert notice.reference in html
    assert "<td>503</td>" in html
    assert "notice.published" in html


def test_deactivated_webhook_gets_nothing_more(published, hooks, webhook_receiver, bank_admin,
                                              lk_user, django_capture_on_commit_callbacks):
    notice = published()
    channels.webhook_deactivate(endpoint=hooks["other"], by=bank_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_update_add(notice=notice, by=lk_user, body="Oppdatering")
    assert len(webhook_receiver.received("/other")) == 1
    assert len(webhook_receiver.received("/ok")) == 2


def test_failed_webhook_is_sent_again_on_resend(published, hooks, webhook_receiver, lk_user,
                                                django_capture_on_commit_callbacks):
    webhook_receiver.responses["/other"] = 500
    notice = published()
    Delivery.objects.filter(endpoint=hooks["other"]).update(status="failed",
                                                            next_attempt_at=None)
    webhook_receiver.responses["/other"] = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_resend_failed(notice=notice, by=lk_user) == 1
    delivery = deliveries(hooks["other"]).get()
    assert delivery.status == "sent" and delivery.resends == 1
    assert {headers_of(r)["webhook-id"] for r in webhook_receiver.received("/other")} == {
        delivery.webhook_id}
