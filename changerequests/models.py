"""E. Change requests (endringsønsker): a bank proposes a change to the service (E.1) or
Lånekassen announces one of its own and asks the banks for their impact (E.2); Bits checks it
and opens it to all banks, who support and discuss it; the industry's forums and Lånekassen
decide on it, and Lånekassen delivers it (E.3).

Fagutvalget (Fagutvalg finansforetak som datakonsumenter) is the banks' professional forum: it
recommends. Referansegruppe Bank decides whether a request goes to Lånekassen. Lånekassen owns
the service and decides: accepted (with a planned release), rejected, or deferred.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from casework.models import CaseBase
from casework.runner import system_only

from . import permissions as perms


class Status(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Til kontroll hos Bits")
    RETURNED = "returned", _("Returnert til banken")
    OPEN = "open", _("Åpen for innspill")
    RECOMMENDED = "recommended", _("Behandlet i Fagutvalget")
    WITH_LANEKASSEN = "with_lanekassen", _("Til beslutning hos Lånekassen")
    ACCEPTED = "accepted", _("Planlagt")
    DEFERRED = "deferred", _("Utsatt")
    IN_DEVELOPMENT = "in_development", _("Under utvikling")
    IN_TEST = "in_test", _("Levert i test")
    IN_PRODUCTION = "in_production", _("Levert i produksjon")
    NOT_FORWARDED = "not_forwarded", _("Ikke sendt videre")
    REJECTED = "rejected", _("Avvist")
    MERGED = "merged", _("Slått sammen")


# Seen only by the proposing bank, Bits and Lånekassen (until Bits opens it to all banks).
PRIVATE_STATUSES = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED]
# Still to be decided: banks may support it, and it is ranked for the forums.
UNDECIDED_STATUSES = [Status.OPEN, Status.RECOMMENDED, Status.WITH_LANEKASSEN, Status.DEFERRED]
# On the roadmap.
ROADMAP_STATUSES = [Status.ACCEPTED, Status.IN_DEVELOPMENT, Status.IN_TEST, Status.IN_PRODUCTION]
CLOSED_STATUSES = [Status.IN_PRODUCTION, Status.NOT_FORWARDED, Status.REJECTED, Status.MERGED]


class Urgency(models.TextChoices):
    LOW = "low", _("Lav")
    MEDIUM = "medium", _("Middels")
    HIGH = "high", _("Høy")


class Part(models.TextChoices):
    """The part of the service a request concerns."""

    API = "api", _("API-felter og koder")
    CONSENT = "consent", _("Samtykke")
    ONBOARDING = "onboarding", _("Onboarding")
    ROUTINES = "routines", _("Forvaltningsrutiner")
    PORTAL = "portal", _("Portalen")
    OTHER = "other", _("Annet")


class Origin(models.TextChoices):
    BANK = "bank", _("Bank (E.1)")
    LANEKASSEN = "lanekassen", _("Lånekassen (E.2)")


def _lanekassen_may_decide(request):
    """Lånekassen decides what Referansegruppe Bank sent it (or what it deferred); its own
    changes it decides without the forums."""
    return (request.status in (Status.WITH_LANEKASSEN, Status.DEFERRED)
            or request.origin == Origin.LANEKASSEN)


class ChangeRequest(CaseBase):
    """One change request. `organisation` is the proposing bank (none for Lånekassen's own).
    Transitions change fields only; services do the rest."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("bank"))
    origin = models.CharField(_("foreslått av"), max_length=20, choices=Origin.choices,
                              default=Origin.BANK)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("foreslått av"))
    title = models.CharField(_("tittel"), max_length=200)
    problem = models.TextField(_("problem"))
    proposal = models.TextField(_("foreslått endring"))
    benefit = models.TextField(_("nytte"))
    urgency = models.CharField(_("hastegrad"), max_length=10, choices=Urgency.choices,
                               default=Urgency.MEDIUM)
    part = models.CharField(_("del av tjenesten"), max_length=20, choices=Part.choices)
    status = FSMField(_("status"), max_length=32, default=Status.DRAFT, choices=Status.choices,
                      protected=True, db_index=True)
    opened_at = models.DateTimeField(_("åpnet for alle banker"), null=True, blank=True,
                                     db_index=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="duplicates", verbose_name=_("slått sammen med"))
    impact_requested = models.BooleanField(_("bankene er bedt om konsekvensvurdering"),
                                           default=False)
    # Assessment (Bits and Lånekassen), for the prioritisation: 1 (little) to 5 (much).
    value = models.PositiveSmallIntegerField(_("verdi"), null=True, blank=True)
    effort = models.PositiveSmallIntegerField(_("innsats"), null=True, blank=True)
    forum_meeting_on = models.DateField(_("Fagutvalgets møte"), null=True, blank=True,
                                        db_index=True)
    planned_release = models.CharField(_("planlagt release"), max_length=40, blank=True,
                                       db_index=True)
    deferred_until = models.DateField(_("utsatt til"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("endringsønske")
        verbose_name_plural = _("endringsønsker")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("changerequests:detail", args=[self.reference])

    def headline(self):
        return self.title

    @property
    def is_open(self):
        return self.status not in CLOSED_STATUSES

    @property
    def is_public(self):
        """Open to every bank: Bits opened it (or Lånekassen proposed it)."""
        return self.opened_at is not None

    @property
    def is_undecided(self):
        return self.status in UNDECIDED_STATUSES

    # --- transitions: fields only -------------------------------------------------------

    @transition(field=status, source=[Status.DRAFT, Status.RETURNED], target=Status.SUBMITTED,
                permission=perms.is_proposing_bank)
    def submit(self):
        pass

    @transition(field=status, source=[Status.SUBMITTED], target=Status.RETURNED,
                permission=perms.can_triage)
    def return_to_bank(self):
        pass

    @transition(field=status, source=[Status.SUBMITTED], target=Status.OPEN,
                permission=perms.can_triage)
    def open(self, at):
        self.opened_at = self.opened_at or at

    @transition(field=status, source=[Status.SUBMITTED], target=Status.REJECTED,
                permission=perms.can_triage)
    def reject_out_of_scope(self):
        pass

    @transition(field=status, source=[Status.SUBMITTED, Status.OPEN], target=Status.MERGED,
                permission=perms.can_triage)
    def merge(self, original):
        self.merged_into = original

    @transition(field=status, source=[Status.OPEN], target=Status.RECOMMENDED,
                permission=perms.can_record_forums)
    def forum_recommend(self):
        pass

    @transition(field=status, source=[Status.RECOMMENDED], target=Status.WITH_LANEKASSEN,
                permission=perms.can_record_forums)
    def forward(self):
        pass

    @transition(field=status, source=[Status.RECOMMENDED], target=Status.NOT_FORWARDED,
                permission=perms.can_record_forums)
    def not_forward(self):
        pass

    @transition(field=status, source=UNDECIDED_STATUSES, target=Status.ACCEPTED,
                conditions=[_lanekassen_may_decide],
                permission=perms.can_decide)
    def accept(self, release):
        self.planned_release = release
        self.deferred_until = None

    @transition(field=status, source=UNDECIDED_STATUSES, target=Status.REJECTED,
                conditions=[_lanekassen_may_decide],
                permission=perms.can_decide)
    def reject(self):
        self.deferred_until = None

    @transition(field=status, source=UNDECIDED_STATUSES, target=Status.DEFERRED,
                conditions=[_lanekassen_may_decide],
                permission=perms.can_decide)
    def defer(self, until):
        self.deferred_until = until

    @transition(field=status, source=[Status.DEFERRED], target=Status.WITH_LANEKASSEN,
                permission=system_only)
    def resume(self):
        self.deferred_until = None

    @transition(field=status, source=[Status.ACCEPTED], target=Status.IN_DEVELOPMENT,
                permission=perms.can_decide)
    def start_development(self):
        pass

    @transition(field=status, source=[Status.IN_DEVELOPMENT], target=Status.IN_TEST,
                permission=perms.can_decide)
    def deliver_test(self):
        pass

    @transition(field=status, source=[Status.IN_TEST], target=Status.IN_PRODUCTION,
                permission=perms.can_decide)
    def deliver_production(self):
        pass


class Vote(models.Model):
    """A bank's support for a request: one per organisation, whoever in the bank cast it."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="votes",
                                verbose_name=_("endringsønske"))
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("bank"))
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                related_name="+", verbose_name=_("gitt av"))
    created_at = models.DateTimeField(_("gitt"), auto_now_add=True)

    class Meta:
        verbose_name = _("støtte")
        verbose_name_plural = _("støtte")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "organisation"],
                                               name="unique_change_request_vote")]

    def __str__(self):
        return f"{self.organisation} → {self.request.reference}"


class Follower(models.Model):
    """A person who is told when the request changes status or gets a comment."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE,
                                related_name="followers", verbose_name=_("endringsønske"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("bruker"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("følger")
        verbose_name_plural = _("følgere")
        constraints = [models.UniqueConstraint(fields=["request", "user"],
                                               name="unique_change_request_follower")]

    def __str__(self):
        return f"{self.user} → {self.request.reference}"


class ImpactLevel(models.TextChoices):
    NONE = "none", _("Ingen")
    SOME = "some", _("Noe")
    MAJOR = "major", _("Stor")


class ImpactAnswer(models.Model):
    """A bank's answer to Lånekassen's question: what would this change mean for you? (E.2)"""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE,
                                related_name="impact_answers", verbose_name=_("endringsønske"))
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("bank"))
    level = models.CharField(_("konsekvens"), max_length=10, choices=ImpactLevel.choices)
    comment = models.TextField(_("kommentar"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+", verbose_name=_("svart av"))
    answered_at = models.DateTimeField(_("svart"), auto_now=True)

    class Meta:
        verbose_name = _("konsekvensvurdering")
        verbose_name_plural = _("konsekvensvurderinger")
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["request", "organisation"],
                                               name="unique_change_request_impact_answer")]

    def __str__(self):
        return f"{self.organisation}: {self.get_level_display()}"


class GovernanceDecision(models.Model):
    """One step of E.3 on the record, visible to every bank that may see the request."""

    class Step(models.TextChoices):
        FORUM = "forum", _("Fagutvalget")
        REFERENCE_GROUP = "reference_group", _("Referansegruppe Bank")
        LANEKASSEN = "lanekassen", _("Lånekassen")
        DEVELOPMENT = "development", _("Utvikling")
        TEST = "test", _("Levert i test")
        PRODUCTION = "production", _("Levert i produksjon")

    class Outcome(models.TextChoices):
        RECOMMENDED = "recommended", _("Anbefalt")
        NOT_RECOMMENDED = "not_recommended", _("Ikke anbefalt")
        FORWARDED = "forwarded", _("Sendt til Lånekassen")
        NOT_FORWARDED = "not_forwarded", _("Ikke sendt videre")
        ACCEPTED = "accepted", _("Akseptert")
        REJECTED = "rejected", _("Avvist")
        DEFERRED = "deferred", _("Utsatt")
        STARTED = "started", _("Utvikling startet")
        DELIVERED = "delivered", _("Levert")

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE,
                                related_name="decisions", verbose_name=_("endringsønske"))
    step = models.CharField(_("steg"), max_length=20, choices=Step.choices)
    outcome = models.CharField(_("utfall"), max_length=20, choices=Outcome.choices)
    decided_on = models.DateField(_("dato"))
    rationale = models.TextField(_("begrunnelse"), blank=True)
    planned_release = models.CharField(_("planlagt release"), max_length=40, blank=True)
    deferred_until = models.DateField(_("utsatt til"), null=True, blank=True)
    # Lånekassen's assessment when it decides: impact on the banks and effort, 1–5.
    impact = models.PositiveSmallIntegerField(_("konsekvens for bankene"), null=True, blank=True)
    effort = models.PositiveSmallIntegerField(_("innsats"), null=True, blank=True)
    # The change notice (B.1) prepared for a delivery: notices owns it, we keep its id.
    notice_id = models.PositiveBigIntegerField(null=True, blank=True,
                                               verbose_name=_("driftsmelding (ID)"))
    notice_reference = models.CharField(_("endringsvarsel"), max_length=20, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+", verbose_name=_("registrert av"))
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("behandling")
        verbose_name_plural = _("behandlinger")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.request.reference}: {self.get_step_display()} – {self.get_outcome_display()}"


class PriorityWeights(models.Model):
    """The weights of the prioritisation score; one row, edited by Bits on the page."""

    support = models.PositiveSmallIntegerField(_("vekt for støtte"), default=40)
    urgency = models.PositiveSmallIntegerField(_("vekt for hastegrad"), default=20)
    value = models.PositiveSmallIntegerField(_("vekt for verdi"), default=25)
    effort = models.PositiveSmallIntegerField(_("vekt for (lav) innsats"), default=15)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("endret av"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("endret"))

    class Meta:
        verbose_name = _("prioriteringsvekter")
        verbose_name_plural = _("prioriteringsvekter")

    def __str__(self):
        return (f"{self.support}/{self.urgency}/{self.value}/{self.effort}")

    @property
    def total(self):
        return self.support + self.urgency + self.value + self.effort
