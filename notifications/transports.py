"""One class per channel kind, each with one `notify()` that sends one message or raises a
`TransportError` saying whether trying again can help.

The callers (the outbox and the webhook sender) claim their row first and call these with no
transaction open, so a slow mail server or webhook never holds a row lock.
"""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

# A webhook that answers one of these does not exist (any more): retrying will not help.
PERMANENT_STATUS_CODES = frozenset({404, 410})


class TransportError(Exception):
    """A send failed. `permanent`: retrying cannot help (stop now); otherwise it may."""

    def __init__(self, message, *, permanent=False, status_code=None, duration_ms=0):
        super().__init__(message)
        self.message = str(message)
        self.permanent = permanent
        self.status_code = status_code
        self.duration_ms = duration_ms


class Email:
    """E-mail through Django's configured backend (SMTP in production)."""

    def notify(self, *, to, subject, body):
        try:
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                         to=[to]).send()
        except Exception as exc:
            # SMTP refusals, timeouts and a server that is down all deserve another try:
            # the outbox gives up after OUTBOX_MAX_ATTEMPTS.
            raise TransportError(f"{type(exc).__name__}: {exc}"[:2000]) from exc


class Portal:
    """In the portal: a line in the person's notification list. Written in the caller's
    transaction (it is a row, not a network call), so it never fails on its own."""

    def notify(self, *, user, title, url):
        from .models import Notification

        return Notification.objects.create(recipient=user, title=str(title)[:300], url=url)


def webhook_key(secret: str) -> bytes:
    """The signing key in a Standard Webhooks secret (`whsec_` + base64)."""
    return base64.b64decode(secret.removeprefix("whsec_"))


def webhook_signature(secret: str, webhook_id: str, timestamp, body: bytes) -> str:
    """`v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), as the Standard Webhooks
    specification has it."""
    message = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(webhook_key(secret), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@dataclass
class WebhookResult:
    status_code: int
    duration_ms: int


class Webhook:
    """A signed POST to an organisation's endpoint (Standard Webhooks).

    The timeout is bounded (NOTICES_WEBHOOK_TIMEOUT_SECONDS) and redirects are never followed:
    a receiver that moved must be registered again. `notify()` returns the result for a 2xx;
    a 404 or 410 raises a permanent TransportError, anything else a retryable one.
    """

    user_agent = "Saldo-forvaltning-webhook/2"

    def __init__(self, timeout=None):
        self.timeout = timeout if timeout is not None else getattr(
            settings, "NOTICES_WEBHOOK_TIMEOUT_SECONDS", 5)

    def headers(self, *, secret, webhook_id, event, body, timestamp=None):
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "Content-Type": "application/json",
            "User-Agent": self.user_agent,
            "webhook-id": webhook_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": webhook_signature(secret, webhook_id, timestamp, body),
            "X-Saldo-Event": event,
        }

    def notify(self, *, url, secret, webhook_id, event, body: bytes):
        headers = self.headers(secret=secret, webhook_id=webhook_id, event=event, body=body)
        started = time.monotonic()

        def elapsed():
            return int((time.monotonic() - started) * 1000)

        try:
            response = httpx.post(url, content=body, headers=headers,
                                  timeout=httpx.Timeout(self.timeout,
                                                        connect=min(self.timeout, 3)),
                                  follow_redirects=False)
        except httpx.TimeoutException as exc:
            raise TransportError(_("Tidsavbrudd etter %(s)s sekunder.") % {"s": self.timeout},
                                 duration_ms=elapsed()) from exc
        except httpx.HTTPError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}"[:480],
                                 duration_ms=elapsed()) from exc
        code = response.status_code
        if response.is_success:
            return WebhookResult(status_code=code, duration_ms=elapsed())
        if response.is_redirect:
            message = _("Videresending (HTTP %(code)s) følges ikke.") % {"code": code}
        else:
            message = f"HTTP {code}"
        raise TransportError(message, permanent=code in PERMANENT_STATUS_CODES,
                             status_code=code, duration_ms=elapsed())
