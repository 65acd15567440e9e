"""Webhooks: sending a delivery (claimed, posted with no transaction open, result recorded),
retries with backoff, and a bank admin registering and switching off endpoints."""

import logging
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.errors import DomainError
from casework.services import audit_record

from .. import permissions as perms
from ..models import Delivery, WebhookAttempt, WebhookEndpoint
from ..transports import (
    AddressRefused,
    TransportError,
    Webhook,
    webhook_allow_loopback,
    webhook_resolve,
)
from .outbox import claim_timeout

logger = logging.getLogger(__name__)

WEBHOOK_RETRY_FOR = timedelta(hours=24)
WEBHOOK_FIRST_RETRY = timedelta(seconds=30)
WEBHOOK_MAX_BACKOFF = timedelta(hours=1)


def _backoff(attempts):
    delay = WEBHOOK_FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, WEBHOOK_MAX_BACKOFF)


def _claimable(now):
    return (Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - claim_timeout()))


def webhook_claim(*, delivery_id, now):
    """Claim a due webhook delivery and commit the claim; the claimed row, or None."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        won = (Delivery.objects.filter(_claimable(now), pk=delivery_id,
                                       channel=Delivery.Channel.WEBHOOK)
               .update(status=Delivery.Status.SENDING, claim_token=token, claimed_at=now,
                       attempts=F("attempts") + 1))
    if not won:
        return None
    return Delivery.objects.select_related("endpoint", "job").get(pk=delivery_id)


def webhook_send(*, delivery_id, now=None):
    """POST one webhook delivery if it is queued and due. Returns True if it was accepted
    (2xx), False if the attempt failed, None if there was nothing to do.

    Claimed first (committed), posted with no transaction open, then recorded under the claim
    token: two workers never post the same delivery at once, and a slow receiver holds no lock.
    Redirects are not followed and count as a failure. A failed attempt is retried with
    exponential backoff (30 s, 1 min, 2 min, ... at most 1 h apart) until 24 hours after the
    first attempt; then the delivery is failed. A 404 or 410 fails it at once.
    Side effects: a WebhookAttempt, the delivery's status and next attempt.
    """
    now = now or timezone.now()
    delivery = webhook_claim(delivery_id=delivery_id, now=now)
    if delivery is None:
        return None
    mine = Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token)
    first_attempt_at = delivery.first_attempt_at or now
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.is_active:
        mine.update(status=Delivery.Status.FAILED, last_error=_("Webhooken er slått av."),
                    next_attempt_at=None, claim_token="", claimed_at=None,
                    attempts=F("attempts") - 1)
        return False
    body = delivery.job.webhook_payload.encode()
    status_code, error, category, permanent = None, "", "", False
    try:
        # The transport resolves and checks the host again: it may point elsewhere since it
        # was registered.
        result = Webhook().notify(url=endpoint.url, secret=endpoint.secret,
                                  webhook_id=delivery.webhook_id, event=delivery.job.event,
                                  body=body)
        status_code, duration_ms = result.status_code, result.duration_ms
    except TransportError as exc:
        status_code, error, permanent = exc.status_code, exc.message, exc.permanent
        category = exc.category or WebhookAttempt.Category.CONNECT
        duration_ms = exc.duration_ms
        # The raw text is for the operators (and Lånekassen); the bank admin sees the category.
        logger.warning("Webhook %s (endpoint %s) failed: %s", delivery.webhook_id,
                       endpoint.pk, error)
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery=delivery, attempted_at=now,
                                      status_code=status_code, category=category,
                                      error=error[:500], duration_ms=duration_ms)
        fields = {"first_attempt_at": first_attempt_at, "last_status_code": status_code,
                  "last_error": error, "claim_token": "", "claimed_at": None}
        if not error:
            fields.update(status=Delivery.Status.SENT, sent_at=now, next_attempt_at=None)
        else:
            retry_at = now + _backoff(delivery.attempts)
            if permanent or retry_at > first_attempt_at + WEBHOOK_RETRY_FOR:
                fields.update(status=Delivery.Status.FAILED, next_attempt_at=None)
            else:
                fields.update(status=Delivery.Status.QUEUED, next_attempt_at=retry_at)
        mine.update(**fields)
    return not error


def webhook_sweep(*, now=None):
    """Send every queued webhook delivery that is due (retries, those whose task was lost, and
    claims of workers that died mid-post). Returns how many were accepted."""
    now = now or timezone.now()
    ids = list(Delivery.objects.filter(_claimable(now), channel=Delivery.Channel.WEBHOOK)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:200])
    return sum(1 for pk in ids if webhook_send(delivery_id=pk, now=now))


def webhook_url_problem(url):
    """Why a webhook URL cannot be used, or None.

    https only, to a host whose every address is public (resolved now; the transport resolves
    and checks again at every send, and connects only to an address it checked). With
    NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK (tests, the embedded default; production refuses to
    start with it) this machine may be used too, also over http. A name that does not resolve
    (yet) is accepted: it cannot reach anything, and every send checks it.
    """
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return _("Ugyldig URL.")
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("http", "https"):
        return _("Oppgi en fullstendig URL som begynner med https://.")
    if parts.username or parts.password:
        return _("URL-en kan ikke inneholde brukernavn eller passord.")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return _("Ugyldig URL.")
    allow_loopback = webhook_allow_loopback()
    try:
        addresses = webhook_resolve(host,
                                    port or (443 if parts.scheme == "https" else 80),
                                    allow_loopback=allow_loopback)
    except AddressRefused:
        if parts.scheme == "http":
            return _("Webhooken må bruke https.")
        return _("Webhooken må ligge på en offentlig adresse.")
    except OSError:
        addresses = None
    if parts.scheme == "http" and not (allow_loopback and addresses
                                       and all(a.is_loopback for a in addresses)):
        return _("Webhooken må bruke https.")
    return None


def webhook_register(*, by, url, description=""):
    """A bank admin registers a webhook. Returns (endpoint, secret): the secret is shown once.

    Side effects: a WebhookEndpoint, an audit event on the organisation (never the secret).
    """
    if not perms.can_manage_webhooks(by):
        raise DomainError(_("Bare bankens administratorer kan registrere webhooks."))
    problem = webhook_url_problem(url)
    if problem:
        raise DomainError(problem, field="url")
    organisation = by.membership.organisation
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(organisation=organisation, url=url.strip(),
                                                  description=(description or "").strip(),
                                                  created_by=by)
        audit_record(obj=organisation, actor=by, verb="webhook_registered",
                     data={"endpoint": endpoint.pk, "url": endpoint.url})
    return endpoint, endpoint.secret


def webhook_deactivate(*, endpoint, by):
    """Stop sending to a webhook. Its queued deliveries fail when they come up.

    Side effects: is_active off, audit."""
    if not (perms.can_manage_webhooks(by)
            and by.membership.organisation_id == endpoint.organisation_id):
        raise DomainError(_("Du kan ikke endre denne webhooken."))
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if endpoint.is_active:
            endpoint.is_active = False
            endpoint.deactivated_at = timezone.now()
            endpoint.save(update_fields=["is_active", "deactivated_at"])
            audit_record(obj=endpoint.organisation, actor=by, verb="webhook_deactivated",
                         data={"endpoint": endpoint.pk})
    return endpoint
