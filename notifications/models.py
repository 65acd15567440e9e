from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-portal notification: shown in the header count and the notification list."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    title = models.CharField(_("tittel"), max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("varsel i portalen")
        verbose_name_plural = _("varsler i portalen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class OutboxMessage(models.Model):
    """A message to send, written in the same transaction as the change it tells about.

    Celery sends it after commit; the periodic sweep sends what was never picked up. A row is
    claimed under a row lock and marked sent in the same transaction, so it is sent once.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-post")

    class Status(models.TextChoices):
        PENDING = "pending", _("I kø")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Feilet")

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    key = models.CharField(max_length=200, unique=True,
                           help_text=_("Hindrer at samme melding legges i kø to ganger."))
    to = models.CharField(_("mottaker"), max_length=320)
    subject = models.CharField(_("emne"), max_length=300)
    body = models.TextField(_("tekst"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("utgående melding")
        verbose_name_plural = _("utgående meldinger")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.to}: {self.subject}"
