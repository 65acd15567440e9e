"""A – Onboarding of a data consumer: one case per bank, from registration (A.1) through the
terms of use (bruksvilkår, A.2) and the test environment (A.3) to production (A.4)."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import Organisation
from casework.models import CaseBase

from . import permissions as perms


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Registrert – til kontroll hos Bits")
    RETURNED = "returned", _("Returnert til banken for endringer")
    REJECTED = "rejected", _("Avvist")
    AWAITING_SIGNATURE = "awaiting_signature", _("Venter på signering av bruksvilkår")
    AWAITING_TEST_ORDER = "awaiting_test_order", _("Venter på at Bits bestiller testtilgang")
    TEST_ORDERED = "test_ordered", _("Testtilgang bestilt – hos Lånekassen")
    TESTING = "testing", _("Integrasjonstest pågår")
    TEST_REVIEW = "test_review", _("Integrasjonstest til godkjenning hos Bits")
    AWAITING_READINESS = "awaiting_readiness", _("Venter på klarmelding for produksjon")
    PRODUCTION_REQUESTED = "production_requested", _("Produksjonstilgang hos Lånekassen")
    AWAITING_ROUTINES = "awaiting_routines", _("Venter på bekreftelse av forvaltningsrutiner")
    COMPLETED = "completed", _("I produksjon")
    OFFBOARDED = "offboarded", _("Avsluttet")


class Actor(models.TextChoices):
    BANK = "bank", _("Banken")
    BITS = "bits", _("Bits")
    LANEKASSEN = "lanekassen", _("Lånekassen")


# The four steps of process A, the statuses that belong to each, and whose lane each status is
# in (the actor who must act next). The case page and the pipeline are drawn from these.
STEPS = [
    ("A.1", _("Registrering"), [Status.SUBMITTED, Status.RETURNED, Status.REJECTED]),
    ("A.2", _("Signering av bruksvilkår"), [Status.AWAITING_SIGNATURE]),
    ("A.3", _("Tilkobling til testmiljøet"), [Status.AWAITING_TEST_ORDER, Status.TEST_ORDERED,
                                             Status.TESTING, Status.TEST_REVIEW]),
    ("A.4", _("Tilkobling til produksjon"), [Status.AWAITING_READINESS,
                                             Status.PRODUCTION_REQUESTED,
                                             Status.AWAITING_ROUTINES]),
]
TURN = {
    Status.SUBMITTED: Actor.BITS,
    Status.RETURNED: Actor.BANK,
    Status.AWAITING_SIGNATURE: Actor.BANK,
    Status.AWAITING_TEST_ORDER: Actor.BITS,
    Status.TEST_ORDERED: Actor.LANEKASSEN,
    Status.TESTING: Actor.BANK,
    Status.TEST_REVIEW: Actor.BITS,
    Status.AWAITING_READINESS: Actor.BANK,
    Status.PRODUCTION_REQUESTED: Actor.LANEKASSEN,
    Status.AWAITING_ROUTINES: Actor.BANK,
}
# Once test access is granted the bank has API access that can be suspended.
ACCESS_STATUSES = [Status.TESTING, Status.TEST_REVIEW, Status.AWAITING_READINESS,
                   Status.PRODUCTION_REQUESTED, Status.AWAITING_ROUTINES, Status.COMPLETED]
CLOSED_STATUSES = [Status.REJECTED, Status.OFFBOARDED]
OPEN_STATUSES = [s for s in Status if s not in CLOSED_STATUSES and s != Status.COMPLETED]


class OnboardingCase(CaseBase):
    """One bank's way into the service. Transitions change fields only; services do the rest.

    Whether the bank's API access is suspended is not kept here: `balances` owns it (the
    access rows the API checks), and the case page reads it from `balances.selectors`.
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT,
                                        related_name="onboarding_case", verbose_name=_("bank"))
    status = FSMField(_("status"), max_length=32, default=Status.SUBMITTED,
                      choices=Status.choices, protected=True, db_index=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                      null=True, related_name="+",
                                      verbose_name=_("registrert av"))
    registrant_verified_at = models.DateTimeField(_("e-post bekreftet"), null=True, blank=True)
    supplier_orgnr = models.CharField(_("leverandørens organisasjonsnummer"), max_length=9,
                                      blank=True)
    supplier_name = models.CharField(_("leverandørens navn"), max_length=200, blank=True)
    test_endpoints = models.JSONField(_("testdomener og IP-områder"), default=list)
    production_endpoints = models.JSONField(_("produksjonsdomener og IP-områder"), default=list)
    # Step boundaries, for the working days each step took.
    verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("verifisert"))
    signed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("signert"))
    test_granted_at = models.DateTimeField(null=True, blank=True,
                                           verbose_name=_("testtilgang gitt"))
    test_approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("test godkjent"))
    production_granted_at = models.DateTimeField(null=True, blank=True,
                                                 verbose_name=_("produksjonstilgang gitt"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("fullført"))
    rejected_at = models.DateTimeField(null=True, blank=True, verbose_name=_("avvist"))
    offboarded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("avsluttet"))

    # The registrant is a nullable join: taken with the lock, never locked (`of=self`).
    lock_related = ("organisation", "registered_by")

    class Meta:
        verbose_name = _("onboardingsak")
        verbose_name_plural = _("onboardingsaker")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.reference} {self.organisation.name}"

    def headline(self):
        return self.organisation.name

    def get_absolute_url(self):
        return reverse("onboarding:detail", args=[self.reference])

    @property
    def turn(self):
        """Whose move it is: an Actor, or None when nobody needs to act."""
        if self.status == Status.SUBMITTED and self.registrant_verified_at is None:
            return Actor.BANK  # the registrant has not confirmed the e-mail address yet
        return TURN.get(self.status)

    @property
    def turn_label(self):
        turn = self.turn
        return Actor(turn).label if turn else ""

    @property
    def step(self):
        for code, _label, statuses in STEPS:
            if self.status in statuses:
                return code
        return None

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_in_production(self):
        return self.status == Status.COMPLETED

    @property
    def has_api_access(self):
        """Lånekassen has granted access (test, then production) that can be suspended."""
        return self.status in ACCESS_STATUSES

    # --- transitions: fields only -------------------------------------------------------

    @transition(field="status", source=[Status.SUBMITTED], target=Status.AWAITING_SIGNATURE,
                permission=perms.is_bits_handler)
    def verify(self, at):
        self.verified_at = at

    @transition(field="status", source=[Status.SUBMITTED], target=Status.RETURNED,
                permission=perms.is_bits_handler)
    def return_for_changes(self):
        pass

    @transition(field="status", source=[Status.RETURNED], target=Status.SUBMITTED,
                permission=perms.is_case_bank_admin)
    def resubmit(self):
        pass

    @transition(field="status", source=[Status.SUBMITTED, Status.RETURNED],
                target=Status.REJECTED, permission=perms.is_bits_handler)
    def reject(self, at):
        self.rejected_at = at

    @transition(field="status", source=[Status.REJECTED], target=Status.RETURNED,
                permission=perms.is_bits_handler)
    def reopen_registration(self):
        self.rejected_at = None

    @transition(field="status", source=[Status.AWAITING_SIGNATURE],
                target=Status.AWAITING_TEST_ORDER, permission=perms.can_sign_terms)
    def sign(self, at):
        self.signed_at = at

    @transition(field="status", source=[Status.AWAITING_TEST_ORDER],
                target=Status.TEST_ORDERED, permission=perms.is_bits_handler)
    def order_test(self):
        pass

    @transition(field="status", source=[Status.TEST_ORDERED], target=Status.TESTING,
                permission=perms.is_lanekassen_handler)
    def grant_test(self, at):
        self.test_granted_at = at

    @transition(field="status", source=[Status.TESTING], target=Status.TEST_REVIEW,
                permission=perms.is_case_bank_admin)
    def report_test_done(self):
        pass

    @transition(field="status", source=[Status.TEST_REVIEW], target=Status.AWAITING_READINESS,
                permission=perms.is_bits_handler)
    def approve_test(self, at):
        self.test_approved_at = at

    @transition(field="status", source=[Status.TEST_REVIEW], target=Status.TESTING,
                permission=perms.is_bits_handler)
    def return_test(self):
        pass

    @transition(field="status", source=[Status.AWAITING_READINESS],
                target=Status.PRODUCTION_REQUESTED, permission=perms.is_case_bank_admin)
    def confirm_readiness(self, endpoints):
        self.production_endpoints = list(endpoints)

    @transition(field="status", source=[Status.PRODUCTION_REQUESTED],
                target=Status.AWAITING_ROUTINES, permission=perms.is_lanekassen_handler)
    def grant_production(self, at):
        self.production_granted_at = at

    @transition(field="status", source=[Status.AWAITING_ROUTINES], target=Status.COMPLETED,
                permission=perms.is_case_bank_admin)
    def confirm_routines(self, at):
        self.completed_at = at

    @transition(field="status", source=[s for s in Status if s not in CLOSED_STATUSES],
                target=Status.OFFBOARDED, permission=perms.is_lanekassen_handler)
    def offboard(self, at):
        self.offboarded_at = at


def _terms_pdf_path(instance, filename):
    # A random name on disk; the PDF is served only through a view that checks the login.
    return f"terms/{uuid.uuid4().hex}.pdf"


class TermsVersion(models.Model):
    """A published version of the service description with its terms of use (bruksvilkår).

    The newest published version is the current one. `sha256` is the hash of `text` at
    publication; a signature records it, so what was signed can be proved later.
    """

    version = models.CharField(_("versjon"), max_length=20, unique=True)
    effective_date = models.DateField(_("gjelder fra"))
    sign_by = models.DateField(_("frist for ny signering"), null=True, blank=True)
    text = models.TextField(_("tekst"))
    sha256 = models.CharField(_("SHA-256 av teksten"), max_length=64)
    pdf = models.FileField(_("PDF"), upload_to=_terms_pdf_path, blank=True, max_length=300)
    published_at = models.DateTimeField(_("publisert"), default=timezone.now, db_index=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+", verbose_name=_("publisert av"))

    class Meta:
        verbose_name = _("versjon av bruksvilkår")
        verbose_name_plural = _("versjoner av bruksvilkår")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return f"{self.version} ({self.effective_date:%d.%m.%Y})"


class TermsSignature(models.Model):
    """A bank's signature of one terms version: who, when, which version, and the text's hash.

    The signer's name and e-mail are copied so the record survives the user's removal.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="terms_signatures",
                                     verbose_name=_("organisasjon"))
    terms = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="signatures",
                              verbose_name=_("bruksvilkår"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+", verbose_name=_("signert av"))
    signer_name = models.CharField(max_length=200, verbose_name=_("navn på den som signerte"))
    signer_email = models.EmailField(verbose_name=_("e-post til den som signerte"))
    signed_at = models.DateTimeField(default=timezone.now, verbose_name=_("signert"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    maskinporten_terms_accepted = models.BooleanField(
        _("Maskinportens bruksvilkår akseptert"), default=False)

    class Meta:
        verbose_name = _("signatur")
        verbose_name_plural = _("signaturer")
        ordering = ["-signed_at"]
        constraints = [models.UniqueConstraint(fields=["organisation", "terms"],
                                               name="unique_terms_signature")]

    def __str__(self):
        return f"{self.organisation} – {self.terms.version}"
