"""What every process shares: audit events, timeline messages, attachments, reference numbers,
SLA targets and Bits' opening hours, and the abstract cases (`CaseBase`, `SlaCase`)."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin


class Environment(models.TextChoices):
    """The Saldo API's two environments; every process that names one uses this."""

    TEST = "test", _("Test")
    PRODUCTION = "production", _("Produksjon")


class AuditEvent(models.Model):
    """One thing that happened to an object: who, when, what, and the state before and after."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE,
                                     verbose_name=_("innholdstype"))
    object_id = models.PositiveBigIntegerField(verbose_name=_("objekt-ID"))
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
        verbose_name=_("utført av"),
    )
    verb = models.CharField(max_length=64, verbose_name=_("hendelse"))
    from_state = models.CharField(max_length=32, blank=True, verbose_name=_("fra status"))
    to_state = models.CharField(max_length=32, blank=True, verbose_name=_("til status"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("hendelse")
        verbose_name_plural = _("hendelser")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.verb} ({self.from_state}→{self.to_state})"


class Message(models.Model):
    """A reply or an internal note on a case's timeline."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Svar (synlig for banken)")
        INTERNAL = "internal", _("Internt notat (Bits og Lånekassen)")
        BITS = "bits", _("Internt notat (kun Bits)")
        LANEKASSEN = "lanekassen", _("Internt notat (kun Lånekassen)")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE,
                                     verbose_name=_("innholdstype"))
    object_id = models.PositiveBigIntegerField(verbose_name=_("objekt-ID"))
    target = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("forfatter"),
    )
    visibility = models.CharField(max_length=20, choices=Visibility.choices,
                                  default=Visibility.PUBLIC, verbose_name=_("synlighet"))
    body = models.TextField(_("tekst"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldinger")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.body[:60]


def _attachment_path(instance, filename):
    # A random name on disk: the person's file name is kept only in `filename`.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a case. Stored under a random name; served only through an access-checked view."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE,
                                     verbose_name=_("innholdstype"))
    object_id = models.PositiveBigIntegerField(verbose_name=_("objekt-ID"))
    target = GenericForeignKey("content_type", "object_id")
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="attachments", verbose_name=_("melding"))
    visibility = models.CharField(max_length=20, choices=Message.Visibility.choices,
                                  default=Message.Visibility.PUBLIC, verbose_name=_("synlighet"))
    file = models.FileField(upload_to=_attachment_path, max_length=300, verbose_name=_("fil"))
    filename = models.CharField(_("filnavn"), max_length=200)
    mime_type = models.CharField(max_length=100, verbose_name=_("filtype"))
    size = models.PositiveBigIntegerField(verbose_name=_("størrelse (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("lastet opp av"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("vedlegg")
        verbose_name_plural = _("vedlegg")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.filename


class ReferenceSequence(models.Model):
    """The last number handed out for a prefix and year (FM-2026-0001, ...)."""

    prefix = models.CharField(max_length=8, verbose_name=_("prefiks"))
    year = models.PositiveIntegerField(verbose_name=_("år"))
    last = models.PositiveIntegerField(default=0, verbose_name=_("siste nummer"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_sequence")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"


class SlaTarget(models.Model):
    """First-response and resolution targets for one process and severity, in business hours."""

    process = models.CharField(_("prosess"), max_length=32)
    severity = models.CharField(_("alvorlighet"), max_length=20)
    first_response_minutes = models.PositiveIntegerField(_("første respons (minutter)"))
    resolution_minutes = models.PositiveIntegerField(_("løsning (minutter)"))

    class Meta:
        verbose_name = _("SLA-mål")
        verbose_name_plural = _("SLA-mål")
        constraints = [
            models.UniqueConstraint(fields=["process", "severity"], name="unique_sla_target")
        ]

    def __str__(self):
        return f"{self.process}/{self.severity}"


class OpeningHours(models.Model):
    """Bits' opening hours for a part of the year (e.g. 15.09–14.05, 08:00–15:45).

    Kept as data so that a change of opening hours is an edit in the admin, not a release.
    Norwegian public holidays are always closed.
    """

    name = models.CharField(_("navn"), max_length=100)
    from_month = models.PositiveSmallIntegerField(_("fra måned"))
    from_day = models.PositiveSmallIntegerField(_("fra dag"))
    to_month = models.PositiveSmallIntegerField(_("til måned"))
    to_day = models.PositiveSmallIntegerField(_("til dag (inklusive)"))
    weekdays = models.CharField(_("ukedager"), max_length=20, default="0,1,2,3,4",
                                help_text=_("0=mandag … 6=søndag, kommaseparert"))
    opens = models.TimeField(_("åpner"))
    closes = models.TimeField(_("stenger"))

    class Meta:
        verbose_name = _("åpningstid")
        verbose_name_plural = _("åpningstider")

    def __str__(self):
        return (f"{self.name}: {self.from_day:02}.{self.from_month:02}–"
                f"{self.to_day:02}.{self.to_month:02} {self.opens:%H:%M}–{self.closes:%H:%M}")


class CaseBase(FSMModelMixin, models.Model):
    """What every bank-facing case has: a reference (FM-2026-0001), the bank it concerns, a
    protected FSM status, and when it was created, changed and last changed status.

    A case type subclasses this (abstract, no extra table), redeclares `status` with its own
    choices and default, and writes its transitions with `@transition(field="status", ...)`.
    Services change it only through `casework.runner.transition_run`.
    """

    reference = models.CharField(_("referanse"), max_length=20, unique=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("bank"))
    status = FSMField(_("status"), max_length=32, protected=True, db_index=True)
    created_at = models.DateTimeField(_("opprettet"), db_index=True, default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("endret"))
    status_changed_at = models.DateTimeField(_("status endret"), default=timezone.now)

    # Joins taken with the row lock (only the case's own row is locked).
    lock_related: tuple[str, ...] = ("organisation",)

    class Meta:
        abstract = True

    def __str__(self):
        return self.reference

    def headline(self):
        """What a notification about the case says it is about (a summary, the bank)."""
        return str(self)


def _status_field_leaves_transitions_alone(abstract_case):
    """django-fsm collects `@transition(field="status")` methods by name for every subclass of
    the model that declared the field, and the first field to look claims them: left connected,
    an abstract case's field would take each case type's transitions from the case type's own
    status field (its redeclared one, or its copy of this one), which then lists none as
    available. Every abstract case base (this one, `SlaCase`) lets go of them."""
    models.signals.class_prepared.disconnect(
        abstract_case._meta.get_field("status")._collect_transitions)


_status_field_leaves_transitions_alone(CaseBase)


class SlaCase(CaseBase):
    """A case the bank opens and Bits answers against SLA targets (error reports, questions).

    On top of `CaseBase`: the handler at Bits, when the bank was first answered and when the
    case closed, and its two clocks — first response and resolution due, from the targets set
    for the case's key (a severity, a category) on Bits' opening hours, moved by the business
    time spent waiting for the bank (`paused_since` while it waits, `paused_seconds` in all).

    A case type subclasses this (abstract, no extra table) and says what differs as class
    attributes: `sla_process` (the `SlaTarget` process), `sla_key_field` (the field the targets
    are set for), `opened_by_field` (the person at the bank who opened it), `resolved_at_field`
    (when Bits resolved or answered it), `open_statuses`, `closed_statuses` and
    `resolved_status` (resolved or answered, which closes by itself after a quiet period).
    Among its own statuses are `NEW` (first in Bits' queue) and `AWAITING_BANK` (the clocks
    stand still, and a bank's message is its answer); among its own transitions `take(by,
    at)`, `request_info(by, at)`, `bank_reply(paused_seconds)` and `auto_close(at)`, whose
    bodies keep the clocks with `first_response_mark`, `clock_pause` and `clock_resume`.
    The services every such case type shares are in `casework.slacase`.
    """

    NEW = "new"
    AWAITING_BANK = "awaiting_bank"

    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+",
                                 verbose_name=_("saksbehandler"))
    first_response_at = models.DateTimeField(null=True, blank=True, verbose_name=_("første svar"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lukket"))
    # SLA clock: business time spent waiting for the bank does not count.
    paused_since = models.DateTimeField(null=True, blank=True, verbose_name=_("på pause siden"))
    paused_seconds = models.PositiveBigIntegerField(default=0,
                                                    verbose_name=_("tid på pause (sekunder)"))
    first_response_due = models.DateTimeField(null=True, blank=True, db_index=True,
                                              verbose_name=_("frist for første svar"))
    resolution_due = models.DateTimeField(null=True, blank=True, db_index=True,
                                          verbose_name=_("frist for løsning"))

    sla_process: str = ""
    sla_key_field: str = ""
    opened_by_field: str = ""
    resolved_at_field: str = ""
    open_statuses: tuple = ()
    closed_statuses: tuple = ()
    resolved_status: str = ""

    class Meta:
        abstract = True

    @property
    def opened_by(self):
        """The person at the bank who opened the case (casework.recipients)."""
        return getattr(self, self.opened_by_field)

    @property
    def is_open(self):
        return self.status in self.open_statuses

    @property
    def sla_key(self):
        """What the SLA targets are set for: the case's severity, category, ..."""
        return getattr(self, self.sla_key_field)

    def sla_key_display(self):
        return getattr(self, f"get_{self.sla_key_field}_display")()

    @property
    def sla_resolved_at(self):
        """When the resolution target was met: None while the case is open (a reopened case
        has not met it)."""
        return None if self.is_open else getattr(self, self.resolved_at_field)

    def due_times_refresh(self, calendar=None):
        """Set the due times from the targets for the case's key, moved by the time spent
        waiting for the bank."""
        from .sla import due_times  # casework.sla reads this module's targets and hours

        self.first_response_due, self.resolution_due = due_times(
            process=self.sla_process, key=self.sla_key, start=self.created_at,
            paused_seconds=self.paused_seconds, calendar=calendar)

    def prepare_new(self):
        """Called by `casework.runner.case_open` before the first save."""
        self.due_times_refresh()

    # For the transitions: fields only.

    def first_response_mark(self, at):
        """Bits (or Lånekassen) has answered the bank for the first time (if not before)."""
        self.first_response_at = self.first_response_at or at

    def clock_pause(self, at):
        """Bits waits for the bank from `at`: the clocks stand still."""
        self.paused_since = at

    def clock_resume(self, paused_seconds):
        """The bank has answered after `paused_seconds` of business time: the clocks run
        again (the service moves the due times)."""
        self.paused_seconds += paused_seconds
        self.paused_since = None


_status_field_leaves_transitions_alone(SlaCase)


class SavedFilter(models.Model):
    """A queue's filter a person saved under a name: the query string of the list page, shown
    as a link above that case type's queue. Each person sees only their own."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="saved_filters", verbose_name=_("bruker"))
    case_type_key = models.CharField(_("sakstype"), max_length=40)
    name = models.CharField(_("navn"), max_length=80)
    querystring = models.CharField(_("filter"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("lagret"), default=timezone.now)

    class Meta:
        verbose_name = _("lagret filter")
        verbose_name_plural = _("lagrede filtre")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "case_type_key", "name"],
                                               name="saved_filter_unique_name")]

    def __str__(self):
        return self.name
