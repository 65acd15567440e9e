"""Security breaches (C.2 at a bank, C.3 at Lånekassen), their phase reports and who opened
them. Imported by `incidents.models` so that Django finds them."""

from datetime import UTC

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from casework.models import CaseBase, Environment

from . import permissions as perms

PREFIX = "SB"


class Status(models.TextChoices):
    REPORTED = "reported", _("Meldt – venter på mottaksbekreftelse")
    RECEIVED = "received", _("Under behandling")
    FINAL = "final", _("Sluttrapport levert")
    CLOSED = "closed", _("Lukket")


OPEN_STATUSES = [Status.REPORTED, Status.RECEIVED, Status.FINAL]


class Source(models.TextChoices):
    BANK = "bank", _("Brudd hos banken (C.2)")
    LANEKASSEN = "lanekassen", _("Brudd hos Lånekassen (C.3)")


class MainCause(models.TextChoices):
    API_KEY = "api_key", _("Lekket API-nøkkel")
    MASKINPORTEN = "maskinporten", _("Lekket Maskinporten-nøkkel eller -sertifikat")
    NO_CONSENT = "no_consent", _("Oppslag uten gyldig samtykke")
    RETENTION = "retention", _("Data lagret lenger enn bruksvilkårene tillater")
    OTHER = "other", _("Annet")


class Nature(models.TextChoices):
    CONFIDENTIALITY = "confidentiality", _("Konfidensialitet")
    INTEGRITY = "integrity", _("Integritet")
    AVAILABILITY = "availability", _("Tilgjengelighet")


class SubjectsInformed(models.TextChoices):
    TOLD = "told", _("Ja, de er informert")
    WILL_TELL = "will_tell", _("De vil bli informert")
    NOT_TOLD = "not_told", _("Nei (begrunn)")


class Phase(models.TextChoices):
    INITIAL = "initial", _("Innledende rapport")
    INTERMEDIATE = "intermediate", _("Mellomrapport")
    FINAL = "final", _("Sluttrapport")


class AffectedScope(models.TextChoices):
    ENVIRONMENT = "environment", _("Alle banker med tilgang til et miljø")
    CHOSEN = "chosen", _("Valgte banker")


# The facts of a breach, as reported and updated in each phase: each phase report keeps a
# copy of these (its snapshot), so the versions can be read side by side.
FACT_FIELDS = (
    "aware_at", "occurred_from", "occurred_to", "occurred_unknown", "description",
    "main_cause", "cause_other", "nature", "data_categories", "persons_approx",
    "records_approx", "consequences", "measures_taken", "measures_planned",
    "subjects_informed", "subjects_informed_details", "contact_name", "contact_email",
    "contact_phone",
)


class Breach(CaseBase):
    """One security breach. Transitions change fields only; services do the rest."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="breaches", verbose_name=_("organisasjon"))
    status = FSMField(_("status"), max_length=32, default=Status.REPORTED,
                      choices=Status.choices, protected=True, db_index=True)
    source = models.CharField(_("hvor"), max_length=20, choices=Source.choices,
                              default=Source.BANK)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("meldt av"))
    # The facts (FACT_FIELDS).
    aware_at = models.DateTimeField(_("kjent for virksomheten"))
    occurred_from = models.DateTimeField(_("skjedde fra"), null=True, blank=True)
    occurred_to = models.DateTimeField(_("skjedde til"), null=True, blank=True)
    occurred_unknown = models.BooleanField(_("tidspunkt ukjent"), default=False)
    description = models.TextField(_("hva skjedde og hvordan"))
    main_cause = models.CharField(_("hovedårsak"), max_length=20, choices=MainCause.choices)
    cause_other = models.CharField(_("annen årsak"), max_length=200, blank=True)
    nature = models.JSONField(_("type brudd"), default=list)
    data_categories = models.TextField(_("kategorier personopplysninger"))
    persons_approx = models.PositiveIntegerField(_("omtrent antall personer"), null=True,
                                                 blank=True)
    records_approx = models.PositiveIntegerField(_("omtrent antall registreringer"),
                                                 null=True, blank=True)
    consequences = models.TextField(_("sannsynlige konsekvenser"), blank=True)
    measures_taken = models.TextField(_("tiltak som er satt i verk"), blank=True)
    measures_planned = models.TextField(_("tiltak som er planlagt"), blank=True)
    subjects_informed = models.CharField(_("informert de registrerte (art. 34)"),
                                         max_length=20, choices=SubjectsInformed.choices)
    subjects_informed_details = models.TextField(_("om informasjonen til de registrerte"),
                                                 blank=True)
    contact_name = models.CharField(_("kontaktperson"), max_length=200)
    contact_email = models.EmailField(_("kontaktpersonens e-post"))
    contact_phone = models.CharField(_("kontaktpersonens telefon"), max_length=30, blank=True)
    # C.3: the banks a breach at Lånekassen affects.
    affected_scope = models.CharField(_("berørte banker"), max_length=20, blank=True,
                                      choices=AffectedScope.choices)
    affected_environment = models.CharField(_("miljø"), max_length=20, blank=True,
                                            choices=Environment.choices)
    affected_organisations = models.ManyToManyField("accounts.Organisation", blank=True,
                                                    related_name="+",
                                                    verbose_name=_("berørte banker"))
    # Receipt by Lånekassen; reminders every BREACH_RECEIPT_REMINDER_MINUTES until then.
    received_at = models.DateTimeField(_("mottak bekreftet"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("mottatt av"))
    receipt_reminders_sent = models.PositiveIntegerField(default=0,
                                                         verbose_name=_("påminnelser om mottak"))
    # GDPR art. 33: the controller's notice to Datatilsynet, or the decision not to notify.
    authority_notified_at = models.DateTimeField(_("meldt til Datatilsynet"), null=True,
                                                 blank=True)
    authority_reference = models.CharField(_("Datatilsynets referanse"), max_length=100,
                                           blank=True)
    authority_not_notified_reason = models.TextField(_("begrunnelse for ikke å melde"),
                                                     blank=True)
    authority_decided_at = models.DateTimeField(_("beslutning registrert"), null=True,
                                                blank=True)
    authority_delay_reason = models.TextField(_("begrunnelse for forsinkelse"), blank=True)
    # DORA: the bank classified the breach as a major ICT-related incident.
    dora_major = models.BooleanField(_("alvorlig IKT-hendelse (DORA)"), default=False)
    dora_classified_at = models.DateTimeField(_("klassifisert"), null=True, blank=True)
    # C.2: the persons whose data the bank looked up in the period, from the API log.
    persons_looked_up = models.PositiveIntegerField(_("personer banken slo opp i perioden"),
                                                    null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lukket"))

    lock_related = ("organisation", "reported_by")

    class Meta:
        verbose_name = _("sikkerhetsbrudd")
        verbose_name_plural = _("sikkerhetsbrudd")
        ordering = ["-created_at"]

    @property
    def nature_display(self):
        """The nature (confidentiality, integrity, availability) as labels."""
        labels = dict(Nature.choices)
        return ", ".join(str(labels.get(n, n)) for n in self.nature)

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("incidents:breach_detail", args=[self.reference])

    def headline(self):
        return self.get_main_cause_display()

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def authority_recorded(self):
        return self.authority_notified_at is not None or self.authority_decided_at is not None

    def facts(self):
        """The facts as JSON (a phase report's snapshot)."""
        data = {}
        for name in FACT_FIELDS:
            value = getattr(self, name)
            # In UTC: the same instant reads the same in every version, however it was typed.
            data[name] = (value.astimezone(UTC).isoformat() if hasattr(value, "astimezone")
                          else value)
        return data

    # Transitions: fields only.

    @transition(field="status", source=[Status.REPORTED], target=Status.RECEIVED,
                permission=perms.can_confirm_receipt)
    def confirm_receipt(self, by, at):
        self.received_at = at
        self.received_by = by

    @transition(field="status", source=[Status.REPORTED, Status.RECEIVED],
                target=Status.FINAL, permission=perms.is_reporting_side)
    def submit_final(self):
        pass

    @transition(field="status", source=[Status.FINAL], target=Status.CLOSED,
                permission=perms.can_close, conditions=[lambda b: b.authority_recorded])
    def close(self, at):
        self.closed_at = at


class BreachReport(models.Model):
    """One phase report (initial, intermediate, final): a dated copy of the facts as they
    stood when it was given."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="reports",
                               verbose_name=_("sikkerhetsbrudd"))
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices)
    submitted_at = models.DateTimeField(_("levert"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+", verbose_name=_("sendt av"))
    facts = models.JSONField(default=dict, verbose_name=_("opplysninger"))

    class Meta:
        verbose_name = _("rapport om sikkerhetsbrudd")
        verbose_name_plural = _("rapporter om sikkerhetsbrudd")
        ordering = ["submitted_at", "pk"]

    def __str__(self):
        return f"{self.breach_id} {self.phase} {self.submitted_at:%Y-%m-%d %H:%M}"


class BreachView(models.Model):
    """Someone opened a breach's page: who and when (shown to Lånekassen on the case)."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="views",
                               verbose_name=_("sikkerhetsbrudd"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+", verbose_name=_("bruker"))
    viewed_at = models.DateTimeField(_("åpnet"), db_index=True)

    class Meta:
        verbose_name = _("visning av sikkerhetsbrudd")
        verbose_name_plural = _("visninger av sikkerhetsbrudd")
        ordering = ["-viewed_at", "-pk"]

    def __str__(self):
        return f"{self.breach_id} {self.user_id} {self.viewed_at:%Y-%m-%d %H:%M}"
