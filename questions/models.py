"""D.1 Questions and professional guidance (spørsmål og faglig veiledning), and the FAQ.

A bank asks Bits; Bits answers, asks the bank for more, or forwards the question to Lånekassen
for professional guidance (faglig veiledning) and relays that guidance to the bank in its own
words. The bank accepts the answer or follows up; an answered question closes by itself after a
quiet period. Bits publishes anonymised questions and answers to the FAQ, which a bank searches
while it types a new question.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from casework.models import Environment, SlaCase
from casework.permissions import is_case_bank
from casework.runner import system_only

from . import permissions as perms


class Category(models.TextChoices):
    """What a question is about; the SLA targets are set per category."""

    TECHNICAL = "technical", _("Teknisk / integrasjon")
    PROFESSIONAL = "professional", _("Faglig / regelverk")
    ONBOARDING = "onboarding", _("Onboarding")
    AGREEMENT = "agreement", _("Avtale og vilkår")
    OTHER = "other", _("Annet")


class Status(models.TextChoices):
    NEW = "new", _("Ny")
    IN_PROGRESS = "in_progress", _("Under behandling hos Bits")
    AWAITING_BANK = "awaiting_bank", _("Venter på banken")
    FORWARDED = "forwarded", _("Hos Lånekassen")
    GUIDANCE_GIVEN = "guidance_given", _("Veiledning mottatt fra Lånekassen")
    ANSWERED = "answered", _("Besvart")
    CLOSED = "closed", _("Lukket")


CLOSED_STATUSES = [Status.ANSWERED, Status.CLOSED]
OPEN_STATUSES = [s for s in Status if s not in CLOSED_STATUSES]
# Bits' turn: the queue counts these as waiting for Bits.
BITS_STATUSES = [Status.NEW, Status.IN_PROGRESS, Status.GUIDANCE_GIVEN]
QUESTION_MAX_CHARS = 10_000


class Question(SlaCase):
    """One question from a bank (reference SP-YYYY-NNNN). Its SLA targets are set per
    category. Transitions change fields only; the services in `services.py` run them through
    the kernel's runner."""

    status = FSMField(_("status"), max_length=32, default=Status.NEW, choices=Status.choices,
                      protected=True, db_index=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("spurt av"))
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices,
                                   blank=True)
    title = models.CharField(_("tittel"), max_length=200)
    text = models.TextField(_("spørsmål"))
    forwarded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sendt videre"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("besvart"))

    sla_process = "question"
    sla_key_field = "category"
    opened_by_field = "asked_by"
    resolved_at_field = "answered_at"
    open_statuses = OPEN_STATUSES
    closed_statuses = CLOSED_STATUSES
    resolved_status = Status.ANSWERED
    lock_related = ("organisation", "asked_by", "assignee")

    class Meta:
        verbose_name = _("spørsmål")
        verbose_name_plural = pgettext_lazy("flertall", "spørsmål")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("questions:detail", args=[self.reference])

    def headline(self):
        return self.title

    # Transitions: fields only.

    @transition(field="status", source=[Status.NEW], target=Status.IN_PROGRESS,
                permission=perms.can_handle)
    def take(self, by, at):
        self.assignee = by
        self.first_response_mark(at)

    @transition(field="status", source=[Status.NEW, Status.IN_PROGRESS, Status.GUIDANCE_GIVEN],
                target=Status.AWAITING_BANK, permission=perms.can_handle)
    def request_info(self, by, at):
        self.assignee = self.assignee or by
        self.clock_pause(at)
        self.first_response_mark(at)

    @transition(field="status", source=[Status.AWAITING_BANK], target=Status.IN_PROGRESS,
                permission=is_case_bank)
    def bank_reply(self, paused_seconds):
        self.clock_resume(paused_seconds)

    @transition(field="status", source=[Status.NEW, Status.IN_PROGRESS, Status.GUIDANCE_GIVEN],
                target=Status.FORWARDED, permission=perms.can_handle)
    def forward(self, by, at):
        self.assignee = self.assignee or by
        self.forwarded_at = self.forwarded_at or at
        self.first_response_mark(at)

    @transition(field="status", source=[Status.FORWARDED], target=Status.GUIDANCE_GIVEN,
                permission=perms.can_guide)
    def give_guidance(self):
        pass

    @transition(field="status", source=[Status.NEW, Status.IN_PROGRESS], target=Status.ANSWERED,
                permission=perms.can_handle)
    def answer(self, by, at):
        self.assignee = self.assignee or by
        self.answered_at = at
        self.first_response_mark(at)

    @transition(field="status", source=[Status.GUIDANCE_GIVEN], target=Status.ANSWERED,
                permission=perms.can_handle)
    def relay(self, by, at):
        self.assignee = self.assignee or by
        self.answered_at = at

    @transition(field="status", source=[Status.ANSWERED], target=Status.CLOSED,
                permission=is_case_bank)
    def accept(self, at):
        self.closed_at = at

    @transition(field="status", source=[Status.ANSWERED], target=Status.IN_PROGRESS,
                permission=is_case_bank)
    def follow_up(self):
        self.answered_at = None

    @transition(field="status", source=[Status.ANSWERED], target=Status.CLOSED,
                permission=system_only)
    def auto_close(self, at):
        self.closed_at = at


class FaqStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    PUBLISHED = "published", _("Publisert")
    ARCHIVED = "archived", _("Arkivert")


class FaqEntry(FSMModelMixin, models.Model):
    """A question and answer in the FAQ, written by Bits for every bank to read.

    `source_question` links back to the question it was made from; only Bits and Lånekassen see
    it, and deleting or archiving the entry never touches the question (nor the other way
    round: a deleted question leaves the entry with no link).
    """

    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    title = models.CharField(_("spørsmål"), max_length=200)
    question = models.TextField(_("utdypning av spørsmålet"), blank=True)
    answer = models.TextField(_("svar"))
    status = FSMField(_("status"), max_length=20, default=FaqStatus.DRAFT,
                      choices=FaqStatus.choices, protected=True, db_index=True)
    source_question = models.ForeignKey(Question, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="faq_entries",
                                        verbose_name=_("laget fra spørsmål"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("opprettet av"))
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("endret"))
    status_changed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("status endret"))
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("sist gjennomgått"), null=True, blank=True)
    views = models.PositiveIntegerField(_("visninger"), default=0)

    class Meta:
        verbose_name = _("FAQ-svar")
        verbose_name_plural = _("FAQ-svar")
        ordering = ["category", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("questions:faq_detail", args=[self.pk])

    # Transitions: fields only.

    @transition(field=status, source=[FaqStatus.DRAFT, FaqStatus.ARCHIVED],
                target=FaqStatus.PUBLISHED, permission=perms.faq_can_manage)
    def publish(self, at):
        self.published_at = self.published_at or at
        self.last_reviewed_on = at.date()

    @transition(field=status, source=[FaqStatus.DRAFT, FaqStatus.PUBLISHED],
                target=FaqStatus.ARCHIVED, permission=perms.faq_can_manage)
    def archive(self):
        pass


class FaqVote(models.Model):
    """A reader's "did this help?": one per person and entry, changeable."""

    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="votes",
                              verbose_name=_("FAQ-svar"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("bruker"))
    helpful = models.BooleanField(_("til hjelp"))
    at = models.DateTimeField(auto_now=True, verbose_name=_("tidspunkt"))

    class Meta:
        verbose_name = _("vurdering av FAQ-svar")
        verbose_name_plural = _("vurderinger av FAQ-svar")
        constraints = [models.UniqueConstraint(fields=["entry", "user"],
                                               name="unique_faq_vote_per_user")]

    def __str__(self):
        return f"{self.entry_id}: {self.helpful}"


class Deflection(models.Model):
    """A question that was never asked: the bank found its answer in the FAQ while typing.

    Counted for Bits (how much the FAQ saves)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("bank"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+", verbose_name=_("bruker"))
    faq_entry = models.ForeignKey(FaqEntry, on_delete=models.SET_NULL, null=True,
                                  related_name="deflections", verbose_name=_("FAQ-svar"))
    query = models.TextField(_("det banken skrev"), blank=True)
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("spørsmål besvart av FAQ")
        verbose_name_plural = _("spørsmål besvart av FAQ")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.organisation_id} → {self.faq_entry_id}"
