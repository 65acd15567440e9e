"""What the Saldo API checks: which banks may call which environment, their API keys, and the
log of every call."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

SALDO_SCOPE = "lanekassen:lan/v1/saldoopplysninger"


class Environment(models.TextChoices):
    TEST = "test", _("Test")
    PRODUCTION = "production", _("Produksjon")


class ApiAccess(models.Model):
    """A bank's access to one environment of the Saldo API (granted in onboarding A.3/A.4).

    Records the Maskinporten scope granted for the bank's orgnr. Suspension (e.g. after a
    security breach) and offboarding make every call from the bank fail at once.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="api_access")
    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices)
    scope = models.CharField(_("Maskinporten-scope"), max_length=100, default=SALDO_SCOPE)
    granted_at = models.DateTimeField(_("gitt"), default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    suspended_at = models.DateTimeField(_("suspendert"), null=True, blank=True)
    suspended_reason = models.TextField(_("begrunnelse for suspensjon"), blank=True)
    offboarded_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-tilgang")
        verbose_name_plural = _("API-tilganger")
        constraints = [models.UniqueConstraint(fields=["organisation", "environment"],
                                               name="unique_api_access")]

    def __str__(self):
        return f"{self.organisation} – {self.get_environment_display()}"

    @property
    def is_active(self):
        return self.suspended_at is None and self.offboarded_at is None


class ApiKey(models.Model):
    """An API key for one bank and environment. Only a hash is stored; the key is shown once.

    `prefix` (the first characters) identifies the key in lists and logs without revealing it.
    A rotated key keeps working until `expires_at` (the grace period the bank chose).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="api_keys")
    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices)
    prefix = models.CharField(_("nøkkel-id"), max_length=24, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField(_("utløper"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)
    replaced_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.organisation}, {self.get_environment_display()})"

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
