"""What the Saldo API checks: which banks may call which environment, their API keys, and the
log of every call."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from casework.models import Environment  # noqa: F401  (one enum for every process)

SALDO_SCOPE = "lanekassen:lan/v1/saldoopplysninger"


class ApiAccess(models.Model):
    """A bank's access to one environment of the Saldo API (granted in onboarding A.3/A.4).

    Records the Maskinporten scope granted for the bank's orgnr. Suspension (e.g. after a
    security breach) and offboarding make every call from the bank fail at once.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="api_access", verbose_name=_("organisasjon"))
    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices)
    scope = models.CharField(_("Maskinporten-scope"), max_length=100, default=SALDO_SCOPE)
    granted_at = models.DateTimeField(_("gitt"), default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("gitt av"))
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
                                     related_name="api_keys", verbose_name=_("organisasjon"))
    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices)
    prefix = models.CharField(_("nøkkel-id"), max_length=24, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("nøkkelhash"))
    created_at = models.DateTimeField(_("opprettet"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("opprettet av"))
    expires_at = models.DateTimeField(_("utløper"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)
    replaced_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("erstattet av"))

    class Meta:
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.organisation}, {self.get_environment_display()})"

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


# --- The ledger the API reads (Lånekassen's side) -------------------------------------------------


class Borrower(models.Model):
    """A person with a student loan (låntaker), in one environment of the API.

    The test environment holds the published synthetic test customers only; the fødselsnummer is
    the borrower's key in Lånekassen's own ledger and is never written to the lookup log.
    """

    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices)
    fnr = models.CharField(_("fødselsnummer"), max_length=11)
    name = models.CharField(_("navn"), max_length=200)
    test_case = models.CharField(_("testtilfelle"), max_length=10, blank=True)
    description = models.CharField(_("beskrivelse"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("låntaker")
        verbose_name_plural = _("låntakere")
        ordering = ["environment", "fnr"]
        constraints = [models.UniqueConstraint(fields=["environment", "fnr"],
                                               name="unique_borrower_per_environment")]

    def __str__(self):
        return f"{self.name} ({self.get_environment_display()})"


class LedgerEvent(models.Model):
    """One fact in a borrower's ledger; ``balances.ledger`` gives each kind its meaning."""

    class Kind(models.TextChoices):
        DISBURSEMENT = "disbursement", _("Utbetaling av lån")
        REPAYMENT = "repayment", _("Innbetaling")
        FEE = "fee", _("Gebyr")
        COST = "cost", _("Omkostninger")
        CONVERSION = "conversion", _("Omgjøring av lån til stipend")
        INTEREST_START = "interest_start", _("Rentestart (støtten er slutt)")
        FIXED_RATE = "fixed_rate", _("Fastrenteavtale")

    borrower = models.ForeignKey(Borrower, on_delete=models.CASCADE, related_name="events",
                                 verbose_name=_("låntaker"))
    date = models.DateField(_("dato"))
    # order of events on the same day
    sequence = models.PositiveIntegerField(default=0, verbose_name=_("løpenummer"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("beløp"), max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    years = models.PositiveSmallIntegerField(_("år (fastrente)"), null=True, blank=True)

    class Meta:
        verbose_name = _("hendelse i reskontro")
        verbose_name_plural = _("hendelser i reskontro")
        ordering = ["borrower", "date", "sequence"]
        indexes = [models.Index(fields=["borrower", "date", "sequence"])]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.amount or ''}"


class InterestRate(models.Model):
    """An interest rate with its validity period (floating, or fixed 3/5/10 years)."""

    class Kind(models.TextChoices):
        FLOATING = "floating", _("Flytende")
        FIXED3 = "fixed3", _("Fast 3 år")
        FIXED5 = "fixed5", _("Fast 5 år")
        FIXED10 = "fixed10", _("Fast 10 år")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    valid_from = models.DateField(_("gjelder fra"))
    valid_to = models.DateField(_("gjelder til"), null=True, blank=True)
    rate = models.DecimalField(_("rente (% p.a.)"), max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = _("rentesats")
        verbose_name_plural = _("rentesatser")
        ordering = ["kind", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "valid_from"],
                                               name="unique_rate_start")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.rate} % fra {self.valid_from}"


# --- What the API remembers about its calls -------------------------------------------------------


class LookupLog(models.Model):
    """One call to the Saldo API, good or bad. Never the fødselsnummer in clear: ``fnr_hash`` is
    HMAC-SHA256 under ``SALDO_FNR_HASH_KEY`` of whatever PSU_ID the bank sent."""

    created_at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+", verbose_name=_("organisasjon"))
    api_key_prefix = models.CharField(_("nøkkel-id"), max_length=24, blank=True)
    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices)
    request_id = models.CharField(_("X-Request-Id"), max_length=100, db_index=True)
    consent_id = models.CharField(_("samtykke-id"), max_length=100, blank=True)
    consent_source = models.CharField(_("samtykke fra"), max_length=20, blank=True)
    fnr_hash = models.CharField(max_length=64, blank=True, db_index=True,
                                verbose_name=_("fødselsnummer (nøkkelhash)"))
    status = models.PositiveSmallIntegerField(_("status"))
    error = models.CharField(_("feil"), max_length=200, blank=True)
    latency_ms = models.FloatField(_("svartid (ms)"))

    class Meta:
        verbose_name = _("API-kall")
        verbose_name_plural = _("API-kall")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"]),
                   models.Index(fields=["organisation", "environment", "status", "fnr_hash"])]

    def __str__(self):
        return f"{self.request_id} {self.status}"


class ConsentCache(models.Model):
    """A consent seen in a call that got 200, kept for that bank and person until it expires,
    so that later calls may leave out Consent-ID (as the published service does)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    environment = models.CharField(max_length=20, choices=Environment.choices)
    fnr_hash = models.CharField(max_length=64)
    consent_id = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=20)
    valid_to = models.DateTimeField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "environment", "fnr_hash"],
                                               name="unique_consent_per_bank_and_person")]

    def __str__(self):
        return f"{self.organisation_id}/{self.environment} til {self.valid_to:%Y-%m-%d}"


class TestIssuerKey(models.Model):
    """A signing key of the local test issuer (Maskinporten and Altinn look-alike).

    Trusted only in the test environment and only when ``SALDO_TEST_ISSUER_ENABLED``. Kept in
    the database so that every web process signs and verifies with the same keys.
    """

    __test__ = False  # not a pytest class, despite the name

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.kid


# --- The lookup log's daily roll-up (balances.rollup fills it; reports read it) ----------------

# Upper bounds (ms) of the latency histogram kept per roll-up row; the last bucket is open.
# Fixed buckets so that percentiles over any range come from the roll-up, never the raw log.
LATENCY_BUCKETS_MS = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)


class LookupDaily(models.Model):
    """The calls of one day (Norwegian date), bank, environment and status code: how many, and
    their latencies as a histogram over ``LATENCY_BUCKETS_MS`` (one count more than bounds)."""

    day = models.DateField(_("dag"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="+")
    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices)
    status = models.PositiveSmallIntegerField(_("status"))
    calls = models.PositiveIntegerField(_("kall"), default=0)
    latency_buckets = models.JSONField(default=list)

    class Meta:
        verbose_name = _("API-kall per dag")
        verbose_name_plural = _("API-kall per dag")
        indexes = [models.Index(fields=["day", "organisation"]),
                   models.Index(fields=["organisation", "day"])]

    def __str__(self):
        return f"{self.day} {self.organisation_id}/{self.environment} {self.status}: {self.calls}"


class LookupDailyKey(models.Model):
    """Which API keys a bank used on a day in an environment (distinct keys in use over any range
    are the distinct prefixes of these rows)."""

    day = models.DateField(_("dag"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="+")
    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices)
    api_key_prefix = models.CharField(_("nøkkel-id"), max_length=24)
    calls = models.PositiveIntegerField(_("kall"), default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "organisation"])]

    def __str__(self):
        return f"{self.day} {self.api_key_prefix}: {self.calls}"


class LookupRollupState(models.Model):
    """The one row that says how far the roll-up has read the log: every log row with a pk up to
    ``last_log_id`` is counted in it, every later one is not (readers add those themselves).
    ``rebuilt_through`` is the last day recounted in full from the log."""

    last_log_id = models.PositiveBigIntegerField(default=0)
    rebuilt_through = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"≤ {self.last_log_id}"
