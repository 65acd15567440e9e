"""C.1 Error reports (feilmelding): a bank reports an error in the Saldo API through Bits."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from casework.models import Environment, SlaCase
from casework.permissions import is_case_bank
from casework.runner import system_only

from . import permissions as perms


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Kritisk")
    HIGH = "high", _("Høy")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Lav")


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.NORMAL: 2, Severity.LOW: 3}


class Status(models.TextChoices):
    NEW = "new", _("Ny")
    IN_PROGRESS = "in_progress", _("Under behandling hos Bits")
    AWAITING_BANK = "awaiting_bank", _("Venter på banken")
    ESCALATED = "escalated", _("Hos Lånekassen")
    FIXED = "fixed", _("Rettet av Lånekassen")
    RESOLVED = "resolved", _("Løst")
    CLOSED = "closed", _("Lukket")


CLOSED_STATUSES = [Status.RESOLVED, Status.CLOSED]
OPEN_STATUSES = [s for s in Status if s not in CLOSED_STATUSES]


class ErrorReport(SlaCase):
    """One error report. Its SLA targets are set per severity. Transitions change fields only;
    services do the rest."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="error_reports", verbose_name=_("bank"))
    status = FSMField(_("status"), max_length=32, default=Status.NEW, choices=Status.choices,
                      protected=True, db_index=True)
    created_at = models.DateTimeField(_("meldt"), db_index=True, default=timezone.now)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("meldt av"))
    environment = models.CharField(_("miljø"), max_length=20, choices=Environment.choices)
    severity = models.CharField(_("alvorlighet"), max_length=20, choices=Severity.choices)
    occurred_at = models.DateTimeField(_("tidspunkt for feilen"))
    request_ids = models.JSONField(_("X-Request-Id"), default=list)
    summary = models.CharField(_("sammendrag"), max_length=200)
    description = models.TextField(_("beskrivelse"))
    escalated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("eskalert"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("løst"))

    sla_process = "incident"
    sla_key_field = "severity"
    opened_by_field = "reported_by"
    resolved_at_field = "resolved_at"
    open_statuses = OPEN_STATUSES
    closed_statuses = CLOSED_STATUSES
    resolved_status = Status.RESOLVED
    # Who is told comes from the assignee, the reporter and the bank: fetched with the lock.
    lock_related = ("organisation", "assignee", "reported_by")

    class Meta:
        verbose_name = _("feilmelding")
        verbose_name_plural = _("feilmeldinger")
        ordering = ["-created_at"]
        indexes = [
            # The queue (casework.slacase.SlaQueue) reads the few open reports whole and the
            # closed ones, which grow without end, in due-time order up to the page's end.
            models.Index(fields=["resolution_due"], name="incident_open",
                         condition=models.Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["resolution_due", "-created_at", "-id"],
                         name="incident_closed_by_due",
                         condition=models.Q(status__in=CLOSED_STATUSES)),
            # A bank's own list: its reports, newest first.
            models.Index(fields=["organisation", "-created_at"], name="incident_bank_newest"),
        ]

    def __str__(self):
        return f"{self.reference} {self.summary}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.reference])

    def headline(self):
        return self.summary

    # Transitions: fields only.

    @transition(field="status", source=[Status.NEW], target=Status.IN_PROGRESS,
                permission=perms.can_handle)
    def take(self, by, at):
        self.assignee = by
        self.first_response_mark(at)

    @transition(field="status", source=[Status.NEW, Status.IN_PROGRESS],
                target=Status.AWAITING_BANK, permission=perms.can_handle)
    def request_info(self, by, at):
        self.assignee = self.assignee or by
        self.clock_pause(at)
        self.first_response_mark(at)

    @transition(field="status", source=[Status.AWAITING_BANK], target=Status.IN_PROGRESS,
                permission=is_case_bank)
    def bank_reply(self, paused_seconds):
        self.clock_resume(paused_seconds)

    @transition(field="status", source=[Status.NEW, Status.IN_PROGRESS],
                target=Status.ESCALATED, permission=perms.can_handle)
    def escalate(self, by, at):
        self.assignee = self.assignee or by
        self.escalated_at = self.escalated_at or at
        self.first_response_mark(at)

    @transition(field="status", source=[Status.ESCALATED], target=Status.FIXED,
                permission=perms.can_investigate)
    def mark_fixed(self):
        pass

    @transition(field="status", source=[Status.NEW, Status.IN_PROGRESS, Status.FIXED],
                target=Status.RESOLVED, permission=perms.can_handle)
    def resolve(self, by, at):
        self.assignee = self.assignee or by
        self.resolved_at = at
        self.first_response_mark(at)

    @transition(field="status", source=[Status.RESOLVED], target=Status.CLOSED,
                permission=is_case_bank)
    def confirm(self, at):
        self.closed_at = at

    @transition(field="status", source=[Status.RESOLVED], target=Status.IN_PROGRESS,
                permission=is_case_bank)
    def reopen(self):
        self.resolved_at = None

    @transition(field="status", source=[Status.RESOLVED], target=Status.CLOSED,
                permission=system_only)
    def auto_close(self, at):
        self.closed_at = at


# The security breaches (C.2, C.3) live in their own package; imported here so Django finds
# their models in this app.
from .breaches.models import Breach, BreachReport, BreachView  # noqa: E402, F401
