"""The channels every process uses to tell people and organisations something.

- `Notification`: one line in a person's in-portal list.
- `OutboxMessage`: one e-mail, written in the transaction of the change it tells about and sent
  by the worker after commit (claimed, sent outside any transaction, its result recorded).
- `FanoutJob` and `Delivery`: one announcement (an event about a "subject": a notice, a
  security breach, a change request) sent to many organisations by e-mail to their contact
  points, in the portal to their users and to their webhooks, in batches by the worker.
- `WebhookEndpoint` and `WebhookAttempt`: where an organisation receives announcements as
  signed JSON (Standard Webhooks), and each POST made.
- `Acknowledgement`: an organisation asked to confirm that it has read a subject, and the
  reminders it was sent.
"""

import base64
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-portal notification: shown in the header count and the notification list."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("mottaker"))
    title = models.CharField(_("tittel"), max_length=300)
    url = models.CharField(max_length=500, blank=True, verbose_name=_("lenke"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("opprettet"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lest"))

    class Meta:
        verbose_name = _("varsel i portalen")
        verbose_name_plural = _("varsler i portalen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class OutboxMessage(models.Model):
    """A message to send, written in the same transaction as the change it tells about.

    Celery sends it after commit; the periodic sweep sends what was never picked up. A sender
    first claims the row (pending → sending, with a claim token, committed), then sends with no
    transaction open and no row locked, then records the result under its token. A claim older
    than OUTBOX_CLAIM_TIMEOUT_SECONDS belongs to a worker that died mid-send: the sweep claims
    it again.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-post")

    class Status(models.TextChoices):
        PENDING = "pending", _("I kø")
        SENDING = "sending", _("Sendes")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Feilet")

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL,
                               verbose_name=_("kanal"))
    key = models.CharField(max_length=200, unique=True,
                           help_text=_("Hindrer at samme melding legges i kø to ganger."),
                           verbose_name=_("idempotensnøkkel"))
    to = models.CharField(_("mottaker"), max_length=320)
    subject = models.CharField(_("emne"), max_length=300)
    body = models.TextField(_("tekst"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING,
                              db_index=True, verbose_name=_("status"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("forsøk"))
    last_error = models.TextField(blank=True, verbose_name=_("siste feil"))
    claim_token = models.CharField(max_length=32, blank=True, verbose_name=_("reservasjonsnøkkel"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reservert"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("opprettet"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sendt"))

    class Meta:
        verbose_name = _("utgående melding")
        verbose_name_plural = _("utgående meldinger")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.to}: {self.subject}"


class FanoutJob(models.Model):
    """One announcement to many organisations, sent by the worker in batches.

    Written in the same transaction as the event it announces, with everything the worker
    needs already rendered (titles, the e-mail text, the webhook payload), so the worker never
    has to know the subject's app; what the subject keeps per organisation is written batch by
    batch by the hooks it names (`batch_hooks`), so the event's request writes this one row.
    Each batch takes the next organisations after `cursor`, writes their deliveries and moves
    the cursor in one transaction, so a worker or Redis restart repeats at most an uncommitted
    batch; the deliveries' unique keys make a repeated batch write nothing twice.
    The sweep restarts jobs whose worker went quiet.
    """

    key = models.CharField(max_length=200, unique=True,
                           help_text=_("Hindrer at samme kunngjøring sendes to ganger."),
                           verbose_name=_("idempotensnøkkel"))
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("gjelder (type)"))
    subject_id = models.PositiveBigIntegerField(verbose_name=_("gjelder (ID)"))
    subject = GenericForeignKey("subject_type", "subject_id")
    event = models.CharField(_("hendelse"), max_length=64)
    organisation_ids = models.JSONField(default=list, verbose_name=_("organisasjoner (ID-er)"))
    title = models.CharField(_("tittel"), max_length=300)
    # The in-portal title in each of the portal's languages ({"nb": ..., "en": ...}): each
    # user reads it in the language of their profile; `title` is the fallback.
    titles = models.JSONField(default=dict, blank=True, verbose_name=_("titler per språk"))
    url = models.CharField(max_length=500, blank=True, verbose_name=_("lenke"))
    email_subject = models.CharField(max_length=300, verbose_name=_("e-postemne"))
    email_body = models.TextField(verbose_name=_("e-posttekst"))
    # Empty: not sent to webhooks (a reminder asks people to click in the portal).
    webhook_payload = models.TextField(blank=True, verbose_name=_("innhold til webhooks"))
    # Names of hooks (`registry.batch_hook_register`) each batch runs first, in its transaction:
    # what the subject's app keeps per organisation (a notice's recipients).
    batch_hooks = models.JSONField(default=list, blank=True,
                                   verbose_name=_("registreres per pulje"))
    cursor = models.PositiveBigIntegerField(default=0, verbose_name=_("posisjon"))
    batches = models.PositiveIntegerField(default=0, verbose_name=_("puljer"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))
    heartbeat_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sist i live"))
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                       verbose_name=_("ferdig"))

    class Meta:
        verbose_name = _("utsendelsesjobb")
        verbose_name_plural = _("utsendelsesjobber")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.title} ({'ferdig' if self.finished_at else f'ved {self.cursor}'})"


def webhook_secret_new():
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL where an organisation receives every announcement as signed JSON.

    Signed by the Standard Webhooks specification (HMAC-SHA256 with the key in the secret). The
    secret is shown to the bank admin once and kept in clear because signing needs it.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="webhooks", verbose_name=_("organisasjon"))
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("beskrivelse"), max_length=200, blank=True)
    secret = models.CharField(max_length=100, default=webhook_secret_new, editable=False,
                              verbose_name=_("hemmelighet"))
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+", verbose_name=_("opprettet av"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))
    deactivated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("slått av"))

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organisation}: {self.url}"


class Delivery(models.Model):
    """One announcement to one organisation through one channel: queued, sent or failed.

    (job, channel, target) is unique: writing the same delivery twice is impossible, which is
    what makes a repeated fan-out batch harmless. E-mail goes through the outbox (its status is
    the outbox row's); in-portal is a Notification written with this row; webhooks are sent
    and retried from this row (claimed like an outbox row while one is being posted).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-post")
        PORTAL = "portal", _("I portalen")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        SENDING = "sending", _("Sendes")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Feilet")

    job = models.ForeignKey(FanoutJob, on_delete=models.CASCADE, related_name="deliveries",
                            verbose_name=_("utsendelsesjobb"))
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisasjon"))
    channel = models.CharField(_("kanal"), max_length=20, choices=Channel.choices)
    target = models.CharField(max_length=300, verbose_name=_("adresse"))
    address = models.CharField(_("adresse"), max_length=500)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("bruker"))
    contact_point = models.ForeignKey("accounts.ContactPoint", on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="+",
                                      verbose_name=_("kontaktpunkt"))
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="deliveries", verbose_name=_("webhook"))
    outbox = models.ForeignKey(OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("utgående melding"))
    notification = models.ForeignKey(Notification, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+", verbose_name=_("varsel"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("forsøk"))
    resends = models.PositiveIntegerField(default=0, verbose_name=_("sendt på nytt"))
    first_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("første forsøk"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                           verbose_name=_("neste forsøk"))
    claim_token = models.CharField(max_length=32, blank=True, verbose_name=_("reservasjonsnøkkel"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reservert"))
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True,
                                                        verbose_name=_("siste statuskode"))
    last_error = models.TextField(blank=True, verbose_name=_("siste feil"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sendt"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("levering")
        verbose_name_plural = _("leveringer")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["job", "channel", "target"],
                                               name="unique_fanout_delivery")]

    def __str__(self):
        return f"{self.job_id} → {self.address} ({self.channel})"

    @property
    def webhook_id(self):
        """The Standard Webhooks message id: one per delivery, the same on every retry."""
        return f"msg_{self.pk}"


class WebhookAttempt(models.Model):
    """One POST of a webhook delivery. The bank admin sees its `category`, never `error`: the
    raw text ("Connection refused", a TLS message) would tell what listens where (Lånekassen
    and the Django admin see it)."""

    class Category(models.TextChoices):
        CONNECT = "connect", _("Kunne ikke koble til")
        TLS = "tls", _("TLS-feil")
        TIMEOUT = "timeout", _("Tidsavbrudd")
        REDIRECT = "redirect", _("Videresending (følges ikke)")
        HTTP_4XX = "http_4xx", _("HTTP 4xx")
        HTTP_5XX = "http_5xx", _("HTTP 5xx")
        ADDRESS = "address", _("Adressen er ikke tillatt")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE,
                                 related_name="webhook_attempts", verbose_name=_("levering"))
    attempted_at = models.DateTimeField(db_index=True, verbose_name=_("tidspunkt"))
    status_code = models.PositiveSmallIntegerField(null=True, blank=True,
                                                   verbose_name=_("statuskode"))
    # Empty when the POST was accepted (2xx).
    category = models.CharField(_("feiltype"), max_length=20, choices=Category.choices,
                                blank=True)
    error = models.CharField(max_length=500, blank=True, verbose_name=_("feil"))
    duration_ms = models.PositiveIntegerField(default=0, verbose_name=_("varighet (ms)"))

    class Meta:
        verbose_name = _("webhook-forsøk")
        verbose_name_plural = _("webhook-forsøk")
        ordering = ["-attempted_at", "-pk"]

    def __str__(self):
        return f"{self.delivery_id} {self.status_code or self.error}"

    @property
    def ok(self):
        return self.status_code is not None and 200 <= self.status_code < 300


class Acknowledgement(models.Model):
    """An organisation asked to confirm that it has read a subject (a critical notice, a breach
    at Lånekassen), whether it has, and the reminders it was sent. Closed (`closed_at`) when
    the subject no longer needs it: no more reminders then."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("gjelder (type)"))
    subject_id = models.PositiveBigIntegerField(verbose_name=_("gjelder (ID)"))
    subject = GenericForeignKey("subject_type", "subject_id")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="acknowledgements",
                                     verbose_name=_("organisasjon"))
    requested_at = models.DateTimeField(_("bedt om"))
    acknowledged_at = models.DateTimeField(_("bekreftet"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                        null=True, blank=True, related_name="+",
                                        verbose_name=_("bekreftet av"))
    reminders_sent = models.PositiveSmallIntegerField(default=0,
                                                      verbose_name=_("påminnelser sendt"))
    last_reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sist påminnet"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lukket"))

    class Meta:
        verbose_name = _("bekreftelse")
        verbose_name_plural = _("bekreftelser")
        constraints = [models.UniqueConstraint(
            fields=["subject_type", "subject_id", "organisation"],
            name="unique_acknowledgement")]
        indexes = [models.Index(fields=["organisation", "acknowledged_at"]),
                   models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.subject_type_id}:{self.subject_id} → {self.organisation_id}"
