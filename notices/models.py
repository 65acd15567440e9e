"""B.1 Notices (driftsmeldinger): Lånekassen tells the banks and Bits about faults, planned
maintenance and changes, and sees who has read them.

A notice is written as a draft, published now or at a set time, followed by updates and closed
as resolved or completed (or cancelled). Every message that goes out is a NoticeEvent; each
event is announced through the notifications app's channels (a fan-out job per event: e-mail,
in-portal and webhooks, one delivery per organisation, channel and address), and a notice that
asks for it is acknowledged by each bank there too.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from accounts.models import Organisation
from casework.models import Environment

from . import permissions as perms


class Kind(models.TextChoices):
    FAULT = "fault", _("Driftsavvik")
    MAINTENANCE = "maintenance", _("Planlagt vedlikehold")
    CHANGE = "change", _("Endring")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Kritisk")
    MAJOR = "major", _("Alvorlig")
    MINOR = "minor", _("Mindre")
    INFORMATION = "information", _("Informasjon")


class Status(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SCHEDULED = "scheduled", _("Planlagt publisering")
    PUBLISHED = "published", _("Publisert")
    UPCOMING = "upcoming", _("Vedlikehold planlagt")
    IN_PROGRESS = "in_progress", _("Vedlikehold pågår")
    RESOLVED = "resolved", _("Løst")
    COMPLETED = "completed", _("Fullført")
    CANCELLED = "cancelled", _("Avlyst")


# Published and not yet closed: shown as current, takes updates.
LIVE_STATUSES = [Status.PUBLISHED, Status.UPCOMING, Status.IN_PROGRESS]
CLOSED_STATUSES = [Status.RESOLVED, Status.COMPLETED, Status.CANCELLED]
EDITABLE_STATUSES = [Status.DRAFT, Status.SCHEDULED]


class Component(models.Model):
    """Something a notice can affect (the Saldo API, Maskinporten, ...). Lånekassen's admins
    keep the list in the Django admin; a component no longer used is deactivated, not deleted,
    so old notices keep their components."""

    name = models.CharField(_("navn"), max_length=100, unique=True)
    is_active = models.BooleanField(_("i bruk"), default=True)
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)

    class Meta:
        verbose_name = _("komponent")
        verbose_name_plural = _("komponenter")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


def _publish_target(notice, *args, **kwargs):
    if notice.kind != Kind.MAINTENANCE:
        return Status.PUBLISHED
    at = kwargs.get("at") or (args[0] if args else None)
    if at is not None and notice.window_start and notice.window_start <= at:
        return Status.IN_PROGRESS
    return Status.UPCOMING


def _is_fault(notice):
    return notice.kind == Kind.FAULT


def _is_not_fault(notice):
    return notice.kind != Kind.FAULT


def _cancellable(notice):
    # A published fault is resolved, never cancelled; anything else still ahead can be.
    return not (notice.status == Status.PUBLISHED and notice.kind == Kind.FAULT)


class Notice(FSMModelMixin, models.Model):
    """One notice. Transitions change fields only; services run them through the case
    kernel's runner (`casework.runner.transition_run`), like every case. A notice concerns
    every bank at once, so it is not a `CaseBase` (which belongs to one bank)."""

    reference = models.CharField(_("referanse"), max_length=20, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    severity = models.CharField(_("alvorlighet"), max_length=20, choices=Severity.choices)
    affects_test = models.BooleanField(_("testmiljøet"), default=False)
    affects_production = models.BooleanField(_("produksjonsmiljøet"), default=False)
    components = models.ManyToManyField(Component, related_name="notices",
                                        verbose_name=_("berørte komponenter"))
    title = models.CharField(_("tittel"), max_length=200)
    body = models.TextField(_("tekst"), help_text=_("Markdown"))
    window_start = models.DateTimeField(_("vedlikehold fra"), null=True, blank=True)
    window_end = models.DateTimeField(_("vedlikehold til"), null=True, blank=True)
    effective_test = models.DateField(_("gjelder i test fra"), null=True, blank=True)
    effective_production = models.DateField(_("gjelder i produksjon fra"), null=True,
                                            blank=True)
    publish_at = models.DateTimeField(_("publiseres"), null=True, blank=True, db_index=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True,
                      db_index=True)
    requires_ack = models.BooleanField(_("krever bekreftelse"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("skrevet av"))
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("endret"))
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status endret"), default=timezone.now)
    acknowledgements = GenericRelation("notifications.Acknowledgement",
                                       content_type_field="subject_type",
                                       object_id_field="subject_id", related_query_name="notice")

    # The runner locks the notice's own row and needs no join with it.
    lock_related: tuple[str, ...] = ()

    class Meta:
        verbose_name = _("driftsmelding")
        verbose_name_plural = _("driftsmeldinger")
        ordering = ["-published_at", "-created_at"]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("notices:detail", args=[self.reference])

    def headline(self):
        """What an announcement about the notice says it is about."""
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def environments(self):
        return [e for e, on in ((Environment.TEST, self.affects_test),
                                (Environment.PRODUCTION, self.affects_production)) if on]

    def get_environments_display(self):
        return ", ".join(str(Environment(e).label) for e in self.environments)

    @property
    def is_live(self):
        return self.status in LIVE_STATUSES

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATUSES

    @property
    def is_banner(self):
        """Shown as a banner on the dashboard: an ongoing critical fault or maintenance."""
        return ((self.kind == Kind.FAULT and self.status == Status.PUBLISHED
                 and self.severity == Severity.CRITICAL)
                or (self.kind == Kind.MAINTENANCE and self.status == Status.IN_PROGRESS))

    # Transitions change fields only. The portal itself (casework.runner.SYSTEM) publishes at
    # the scheduled time and moves maintenance windows; the rest is Lånekassen's.

    @transition(field=status, source=[Status.DRAFT], target=Status.SCHEDULED,
                permission=perms.can_author_notice)
    def schedule(self, at):
        self.publish_at = at

    @transition(field=status, source=[Status.SCHEDULED], target=Status.DRAFT,
                permission=perms.can_author_notice_or_system)
    def unschedule(self):
        self.publish_at = None

    @transition(field=status, source=[Status.DRAFT, Status.SCHEDULED],
                target=GET_STATE(_publish_target, states=[Status.PUBLISHED, Status.UPCOMING,
                                                          Status.IN_PROGRESS]),
                permission=perms.can_author_notice_or_system)
    def publish(self, at):
        self.published_at = at
        self.requires_ack = self.severity == Severity.CRITICAL or self.kind == Kind.CHANGE

    @transition(field=status, source=[Status.UPCOMING], target=Status.IN_PROGRESS,
                permission=perms.can_author_notice_or_system)
    def start(self):
        pass

    @transition(field=status, source=[Status.PUBLISHED], target=Status.RESOLVED,
                conditions=[_is_fault], permission=perms.can_author_notice)
    def resolve(self, at):
        self.closed_at = at

    @transition(field=status, source=[Status.PUBLISHED, Status.IN_PROGRESS],
                target=Status.COMPLETED, conditions=[_is_not_fault],
                permission=perms.can_author_notice_or_system)
    def complete(self, at):
        self.closed_at = at

    @transition(field=status, source=[Status.DRAFT, Status.SCHEDULED, Status.UPCOMING,
                                      Status.PUBLISHED],
                target=Status.CANCELLED, conditions=[_cancellable],
                permission=perms.can_author_notice)
    def cancel(self, at):
        self.closed_at = at


class NoticeRecipient(models.Model):
    """An organisation a notice was sent to (fixed when it is published), or one that may see it
    because the notice was linked to one of its cases. (A bank's acknowledgement is a
    `notifications.Acknowledgement` of the notice.)"""

    class Reason(models.TextChoices):
        PUBLISHED = "published", _("Mottaker")
        LINKED = "linked", _("Lenket fra en sak")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients",
                               verbose_name=_("driftsmelding"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="notice_receipts", verbose_name=_("organisasjon"))
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.PUBLISHED,
                              verbose_name=_("hvorfor"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("mottaker")
        verbose_name_plural = _("mottakere")
        constraints = [models.UniqueConstraint(fields=["notice", "organisation"],
                                               name="unique_notice_recipient")]
        indexes = [models.Index(fields=["organisation", "notice"])]

    def __str__(self):
        return f"{self.notice.reference} → {self.organisation}"


class NoticeEvent(models.Model):
    """Something that was sent about a notice: its publication, an update, its closing, a
    reminder. The notice's timeline; `fanout` is the announcement that sends it."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("Publisert")
        UPDATE = "update", _("Oppdatering")
        STARTED = "started", _("Vedlikeholdet har startet")
        RESOLVED = "resolved", _("Løst")
        COMPLETED = "completed", _("Fullført")
        CANCELLED = "cancelled", _("Avlyst")
        REMINDER = "reminder", _("Påminnelse om bekreftelse")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("driftsmelding"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("type"))
    body = models.TextField(_("tekst"), blank=True, help_text=_("Markdown"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("opprettet av"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("opprettet"))
    fanout = models.OneToOneField("notifications.FanoutJob", on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("utsendelsesjobb"))

    class Meta:
        verbose_name = _("hendelse på driftsmelding")
        verbose_name_plural = _("hendelser på driftsmeldinger")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.notice.reference}: {self.get_kind_display()}"

    @property
    def webhook_event(self):
        return f"notice.{self.kind}"


def _webhook_secret():
    """Named by migration 0001; webhook endpoints and their secrets are notifications' now."""
    from notifications.models import webhook_secret_new

    return webhook_secret_new()


class FeedToken(models.Model):
    """The secret in a user's Atom and iCalendar feed URLs. Only its hash is stored: the URL is
    shown once, when the token is made; a new token makes the old URLs stop working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notice_feed_token", verbose_name=_("bruker"))
    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("nøkkelhash"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sist brukt"))

    class Meta:
        verbose_name = _("feed-nøkkel")
        verbose_name_plural = _("feed-nøkler")

    def __str__(self):
        return f"{self.user}"


class NoticeLink(models.Model):
    """A notice linked from a case in another process (an error report, a change request).

    Generic, so that notices need not know those apps: they show the links through the
    `notice_links` template tag and `selectors.notice_links_for(obj)`.
    """

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="links",
                               verbose_name=_("driftsmelding"))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE,
                                     verbose_name=_("innholdstype"))
    object_id = models.PositiveBigIntegerField(verbose_name=_("objekt-ID"))
    target = GenericForeignKey("content_type", "object_id")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+", verbose_name=_("koblet av"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opprettet"))

    class Meta:
        verbose_name = _("lenke til driftsmelding")
        verbose_name_plural = _("lenker til driftsmeldinger")
        constraints = [models.UniqueConstraint(fields=["notice", "content_type", "object_id"],
                                               name="unique_notice_link")]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.notice.reference} ← {self.content_type.model}:{self.object_id}"
