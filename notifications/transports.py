"""One class per channel kind, each with one `notify()` that sends one message or raises a
`TransportError` saying whether trying again can help.

The callers (the outbox and the webhook sender) claim their row first and call these with no
transaction open, so a slow mail server or webhook never holds a row lock.
"""

import base64
import hashlib
import hmac
import ipaddress
import socket
import ssl
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

    def __init__(self, message, *, permanent=False, status_code=None, duration_ms=0,
                 category=""):
        super().__init__(message)
        self.message = str(message)
        self.permanent = permanent
        self.status_code = status_code
        self.duration_ms = duration_ms
        # What kind of failure, for people who must not see the raw text (webhooks only).
        self.category = category


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


class AddressRefused(Exception):
    """A webhook's host is, or resolves to, an address the portal may not connect to."""


# Addresses a webhook may never reach, besides what `ipaddress` calls private, reserved and so
# on: the carrier-grade NAT range (RFC 6598) and "this network" (0.0.0.0/8).
_REFUSED_NETWORKS = (ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("0.0.0.0/8"))
# IPv6 addresses that carry an IPv4 address a router or translator connects to: NAT64.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def webhook_address_allowed(address, *, allow_loopback=False) -> bool:
    """Whether the portal may connect to `address` (an ipaddress object) for a webhook: only a
    public address, never this machine, a private or link-local network (the cloud's metadata
    service), a reserved, multicast or unspecified address, or an IPv6 address that wraps one of
    those. `allow_loopback` (tests and the embedded default) lets 127.0.0.0/8 and ::1 through."""
    if address.version == 6:
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return webhook_address_allowed(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return allow_loopback
    return not (address.is_private or address.is_link_local or address.is_reserved
                or address.is_multicast or address.is_unspecified or not address.is_global
                or any(address in network for network in _REFUSED_NETWORKS))


def webhook_resolve(host, port, *, allow_loopback=False):
    """Every address `host` resolves to. Raises AddressRefused if one of them may not be
    reached (all must pass: the connection may go to any of them), and socket.gaierror if the
    name does not resolve."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        # An IPv6 answer may carry a zone ("fe80::1%eth0"): the address is what comes before.
        addresses = list(dict.fromkeys(
            ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
    else:
        addresses = [literal]
    if not addresses or not all(webhook_address_allowed(a, allow_loopback=allow_loopback)
                                for a in addresses):
        raise AddressRefused(host)
    return addresses


def webhook_allow_loopback():
    """Tests and the embedded default post to a receiver on 127.0.0.1; production never
    (config/settings.py refuses to start with this on and DEBUG off)."""
    return bool(getattr(settings, "NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK", False))


@dataclass
class WebhookResult:
    status_code: int
    duration_ms: int


def _is_tls_error(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, ssl.SSLError):  # certificate errors are SSLErrors too
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


class Webhook:
    """A signed POST to an organisation's endpoint (Standard Webhooks).

    Before every POST the host is resolved and each address checked
    (`webhook_address_allowed`); the connection then goes to the first checked address, never
    to a second lookup (a name may answer a public address to the check and a private one to
    the connection: DNS rebinding). The request keeps the name in its Host header, TLS SNI and
    the certificate check. No proxy from the environment is used, and redirects are never
    followed: a receiver that moved must be registered again.

    The timeout is bounded (NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS). `notify()` returns the
    result for a 2xx; otherwise it raises a TransportError with a `category`
    (WebhookAttempt.Category, what the bank admin is shown) and the raw text in `message` (for
    Lånekassen and the logs):
    a 404 or 410 and a refused address are permanent, anything else may be retried.
    `verify` is an ssl.SSLContext to trust instead of the system's CAs (tests).
    """

    user_agent = "Saldo-forvaltning-webhook/2"

    def __init__(self, timeout=None, verify=True):
        self.timeout = timeout if timeout is not None else getattr(
            settings, "NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS", 5)
        self.verify = verify

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
        from .models import WebhookAttempt

        category = WebhookAttempt.Category
        headers = self.headers(secret=secret, webhook_id=webhook_id, event=event, body=body)
        started = time.monotonic()

        def elapsed():
            return int((time.monotonic() - started) * 1000)

        def fail(kind, message, **kwargs):
            return TransportError(message, category=kind, duration_ms=elapsed(), **kwargs)

        try:
            target = httpx.URL(url)
            host = target.raw_host.decode("ascii")  # IDNA, as DNS and SNI want it
        except (httpx.InvalidURL, UnicodeError) as exc:
            raise fail(category.ADDRESS, f"{type(exc).__name__}: {exc}"[:480],
                       permanent=True) from exc
        try:
            port = target.port or (443 if target.scheme == "https" else 80)
            address = webhook_resolve(host, port, allow_loopback=webhook_allow_loopback())[0]
        except AddressRefused as exc:
            raise fail(category.ADDRESS, _("Adressen %(host)s er ikke offentlig.")
                       % {"host": host}, permanent=True) from exc
        except (OSError, UnicodeError) as exc:
            raise fail(category.CONNECT, f"{type(exc).__name__}: {exc}"[:480]) from exc
        extensions = {"sni_hostname": host} if target.scheme == "https" else {}
        headers["Host"] = target.netloc.decode("ascii")
        try:
            with httpx.Client(verify=self.verify, trust_env=False, follow_redirects=False,
                              timeout=httpx.Timeout(self.timeout,
                                                    connect=min(self.timeout, 3))) as client:
                response = client.post(target.copy_with(host=str(address)), content=body,
                                       headers=headers, extensions=extensions)
        except httpx.TimeoutException as exc:
            raise fail(category.TIMEOUT, _("Tidsavbrudd etter %(s)s sekunder.")
                       % {"s": self.timeout}) from exc
        except httpx.HTTPError as exc:
            kind = category.TLS if _is_tls_error(exc) else category.CONNECT
            raise fail(kind, f"{type(exc).__name__}: {exc}"[:480]) from exc
        code = response.status_code
        if response.is_success:
            return WebhookResult(status_code=code, duration_ms=elapsed())
        if response.is_redirect or 300 <= code < 400:
            kind = category.REDIRECT
            message = _("Videresending (HTTP %(code)s) følges ikke.") % {"code": code}
        else:
            kind = category.HTTP_5XX if code >= 500 else category.HTTP_4XX
            message = f"HTTP {code}"
        raise fail(kind, message, permanent=code in PERMANENT_STATUS_CODES, status_code=code)
