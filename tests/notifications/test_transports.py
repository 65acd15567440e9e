"""The channel transports: a webhook's answer says whether trying again can help; signatures
are Standard Webhooks' (checked with the `standardwebhooks` package); no redirect is followed;
the time a receiver gets is bounded."""

import json
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook as StandardWebhook

from notifications.models import webhook_secret_new
from notifications.transports import TransportError, Webhook, webhook_signature
from tests.support.servers import WebhookReceiver

BODY = json.dumps({"event": "test.ping"}).encode()


@pytest.fixture(autouse=True)
def _receiver_on_loopback(settings):
    # The receiver listens on 127.0.0.1, which only tests and the embedded default may use.
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True


@pytest.fixture
def receiver():
    server = WebhookReceiver()
    server.start()
    yield server
    server.stop()


def post(receiver, path, timeout=5):
    return Webhook(timeout=timeout).notify(url=receiver.url + path, secret=webhook_secret_new(),
                                           webhook_id="msg_1", event="test.ping", body=BODY)


def test_signature_is_the_one_the_standardwebhooks_package_computes():
    secret = webhook_secret_new()
    timestamp = int(time.time())
    ours = webhook_signature(secret, "msg_42", timestamp, BODY)
    theirs = StandardWebhook(secret).sign("msg_42", datetime.fromtimestamp(timestamp, UTC),
                                          BODY.decode())
    assert ours == theirs and ours.startswith("v1,")


def test_a_2xx_is_delivered(receiver):
    result = post(receiver, "/ok")
    assert result.status_code == 200
    [request] = receiver.received("/ok")
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= set(headers)
    assert headers["webhook-id"] == "msg_1"


@pytest.mark.parametrize("answer, permanent", [(404, True), (410, True), (500, False),
                                                (503, False), (400, False)])
def test_only_404_and_410_are_permanent(receiver, answer, permanent):
    receiver.responses["/x"] = answer
    with pytest.raises(TransportError) as exc:
        post(receiver, "/x")
    assert exc.value.permanent is permanent
    assert exc.value.status_code == answer


def test_a_redirect_is_not_followed_and_may_be_retried(receiver):
    receiver.responses["/moved"] = ("redirect", receiver.url + "/elsewhere")
    with pytest.raises(TransportError) as exc:
        post(receiver, "/moved")
    assert exc.value.status_code == 302 and not exc.value.permanent
    assert "følges ikke" in exc.value.message
    assert receiver.received("/elsewhere") == []


def test_a_slow_receiver_times_out_and_may_be_retried(receiver):
    receiver.responses["/slow"] = ("sleep", 2)
    started = time.monotonic()
    with pytest.raises(TransportError) as exc:
        post(receiver, "/slow", timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert not exc.value.permanent and "Tidsavbrudd" in exc.value.message


def test_nobody_listening_may_be_retried():
    from tests.support.servers import free_port

    with pytest.raises(TransportError) as exc:
        Webhook(timeout=1).notify(url=f"http://127.0.0.1:{free_port()}/", body=BODY,
                                  secret=webhook_secret_new(), webhook_id="msg_1", event="x")
    assert not exc.value.permanent and exc.value.status_code is None
