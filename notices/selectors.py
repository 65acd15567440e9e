"""Reads for notices, always scoped to what the user may see."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation
from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from balances.selectors import organisations_with_access

from .models import (
    LIVE_STATUSES,
    Component,
    Notice,
    NoticeDelivery,
    NoticeEvent,
    NoticeLink,
    NoticeRecipient,
    WebhookAttempt,
    WebhookEndpoint,
)

RECENT_DAYS = 14


# --- who a notice goes to -------------------------------------------------------------------

def notice_recipient_organisations(*, notice):
    """Bits and every bank with access to an environment the notice affects."""
    banks = organisations_with_access(notice.environments)
    return Organisation.objects.filter(
        Q(pk__in=banks.values("pk")) | Q(kind=Organisation.Kind.BITS)).order_by("pk")


@dataclass
class OrganisationRecipients:
    """The addresses and users one organisation is reached through.

    `emails` is a list of (address, contact point or None); `users` get the notice in the
    portal.
    """

    emails: list = field(default_factory=list)
    users: list = field(default_factory=list)


def notice_contacts_for(organisations):
    """How each organisation hears about notices — the one place this rule lives.

    E-mail goes to each of the organisation's contact points (kontaktpunkter: business,
    technical and security, registered in onboarding), once per address; an organisation with
    no contact points (Bits) gets e-mail to its active users instead. Every active user of the
    organisation sees the notice in the portal. Two queries, whatever the number of
    organisations.
    """
    from accounts.models import ContactPoint, Membership

    result = {org.pk: OrganisationRecipients() for org in organisations}
    seen = {pk: set() for pk in result}
    for cp in ContactPoint.objects.filter(organisation_id__in=result).order_by("pk"):
        address = cp.email.strip().lower()
        if address and address not in seen[cp.organisation_id]:
            seen[cp.organisation_id].add(address)
            result[cp.organisation_id].emails.append((address, cp))
    memberships = (Membership.objects.filter(organisation_id__in=result, user__is_active=True)
                   .select_related("user").order_by("user_id"))
    for membership in memberships:
        entry = result[membership.organisation_id]
        entry.users.append(membership.user)
    for org_id, entry in result.items():
        if not seen[org_id]:
            for user in entry.users:
                address = user.email.strip().lower()
                if address not in seen[org_id]:
                    seen[org_id].add(address)
                    entry.emails.append((address, None))
    return result


def webhooks_for(organisation_ids):
    endpoints = {}
    for endpoint in WebhookEndpoint.objects.filter(organisation_id__in=organisation_ids,
                                                   is_active=True).order_by("pk"):
        endpoints.setdefault(endpoint.organisation_id, []).append(endpoint)
    return endpoints


# --- notices a user may see -----------------------------------------------------------------

def notice_list_for_user(*, user):
    """Lånekassen: everything, drafts too. Bits: everything published. A bank: what was sent
    to it (or linked to one of its cases). Anyone else: nothing."""
    qs = Notice.objects.prefetch_related("components")
    if is_lanekassen(user):
        return qs
    if is_bits(user):
        return qs.filter(published_at__isnull=False)
    if is_bank_user(user):
        return qs.filter(published_at__isnull=False,
                         recipients__organisation_id=user.membership.organisation_id)
    return qs.none()


def notice_get_for_user(*, user, reference):
    """The notice if the user may see it; 404 otherwise — the same answer as for no notice."""
    notice = notice_list_for_user(user=user).filter(reference=reference).first()
    if notice is None:
        raise Http404
    return notice


def notice_filter(qs, *, kind=None, status=None, severity=None, environment=None,
                  component=None, q=None, date_from=None, date_to=None):
    if kind:
        qs = qs.filter(kind=kind)
    if status == "current":
        qs = qs.filter(status__in=LIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if environment == "test":
        qs = qs.filter(affects_test=True)
    elif environment == "production":
        qs = qs.filter(affects_production=True)
    if component:
        qs = qs.filter(components=component)
    if q:
        q = q.strip()
        qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(body__icontains=q))
    if date_from:
        qs = qs.filter(Q(published_at__date__gte=date_from)
                       | Q(published_at__isnull=True, created_at__date__gte=date_from))
    if date_to:
        qs = qs.filter(Q(published_at__date__lte=date_to)
                       | Q(published_at__isnull=True, created_at__date__lte=date_to))
    return qs.distinct()


def notice_dashboard(*, user, now=None):
    """Current notices and those closed in the last two weeks, the banners among them, and
    what the user's bank still has to acknowledge."""
    now = now or timezone.now()
    qs = notice_list_for_user(user=user).filter(published_at__isnull=False)
    current = list(qs.filter(status__in=LIVE_STATUSES).order_by("-published_at")[:20])
    recent = list(qs.filter(closed_at__gte=now - timedelta(days=RECENT_DAYS))
                  .order_by("-closed_at")[:10])
    return {
        "banners": [n for n in current if n.is_banner],
        "current": current,
        "recent": recent,
        "pending_ack": pending_acknowledgements(user=user),
    }


def pending_acknowledgements(*, user):
    """Ids of the live notices the user's bank has been asked to acknowledge and has not."""
    if not is_bank_user(user):
        return set()
    return set(NoticeRecipient.objects.filter(
        organisation_id=user.membership.organisation_id, notice__requires_ack=True,
        reason=NoticeRecipient.Reason.PUBLISHED, acknowledged_at__isnull=True,
        notice__status__in=LIVE_STATUSES).values_list("notice_id", flat=True))


def notice_events(*, notice):
    return notice.events.select_related("created_by").exclude(kind=NoticeEvent.Kind.REMINDER)


def recipient_for_user(*, notice, user):
    """The user's bank's recipient row for the notice, if the bank is one."""
    if not is_bank_user(user):
        return None
    return NoticeRecipient.objects.filter(
        notice=notice, organisation_id=user.membership.organisation_id).select_related(
        "acknowledged_by").first()


def acknowledgements(*, notice):
    """For Lånekassen and Bits: each bank the notice was sent to, acknowledged or not."""
    rows = (notice.recipients.filter(reason=NoticeRecipient.Reason.PUBLISHED,
                                     organisation__kind=Organisation.Kind.BANK)
            .select_related("organisation", "acknowledged_by")
            .order_by(F("acknowledged_at").asc(nulls_first=True), "organisation__name"))
    rows = list(rows)
    return {"rows": rows, "acknowledged": sum(1 for r in rows if r.acknowledged_at),
            "missing": sum(1 for r in rows if not r.acknowledged_at)}


# --- delivery report ------------------------------------------------------------------------

def _effective_status():
    # E-mail lives in the notifications outbox; its status is the outbox row's.
    email = NoticeDelivery.Channel.EMAIL
    return Case(
        When(channel=email, outbox__status="sent", then=Value(NoticeDelivery.Status.SENT)),
        When(channel=email, outbox__status="failed", then=Value(NoticeDelivery.Status.FAILED)),
        When(channel=email, outbox__isnull=False, then=Value(NoticeDelivery.Status.QUEUED)),
        default=F("status"), output_field=CharField())


def deliveries_for_event(*, event):
    return (NoticeDelivery.objects.filter(event=event)
            .annotate(effective_status=_effective_status())
            .select_related("recipient__organisation", "outbox", "endpoint", "user",
                            "notification")
            .order_by("recipient__organisation__name", "channel", "address"))


def delivery_summary(*, event):
    """{channel: {status: count}} for one event."""
    summary = {}
    rows = (NoticeDelivery.objects.filter(event=event)
            .annotate(effective_status=_effective_status())
            .values("channel", "effective_status").annotate(n=Count("pk")))
    for row in rows:
        summary.setdefault(row["channel"], {})[row["effective_status"]] = row["n"]
    return summary


def failed_deliveries(*, notice):
    return (NoticeDelivery.objects.filter(event__notice=notice)
            .annotate(effective_status=_effective_status())
            .filter(effective_status=NoticeDelivery.Status.FAILED)
            .select_related("outbox", "endpoint", "event"))


# --- webhooks -------------------------------------------------------------------------------

def webhooks_for_user(*, user):
    if not is_bank_user(user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(organisation_id=user.membership.organisation_id)


def webhook_get_for_user(*, user, pk):
    endpoint = webhooks_for_user(user=user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


def webhook_attempts(*, endpoint, limit=100):
    return (WebhookAttempt.objects.filter(delivery__endpoint=endpoint)
            .select_related("delivery__event__notice")[:limit])


# --- links from other processes' cases -------------------------------------------------------

def notice_links_for(obj, *, user=None):
    """The notices linked to `obj` (an error report, a change request), newest first.

    With `user`, only the notices that user may open (the case page has already checked that
    the user may see the case itself)."""
    qs = Notice.objects.filter(
        links__content_type=ContentType.objects.get_for_model(obj),
        links__object_id=obj.pk)
    if user is not None:
        qs = qs.filter(pk__in=notice_list_for_user(user=user).values("pk"))
    return qs.order_by("-published_at", "-created_at").distinct()


def linkable_notices(*, user):
    """The notices Bits or Lånekassen may link to a case: published ones, current first."""
    qs = notice_list_for_user(user=user).filter(published_at__isnull=False)
    return qs.order_by("-published_at")[:50]


def notice_link_rows(obj):
    return NoticeLink.objects.filter(content_type=ContentType.objects.get_for_model(obj),
                                     object_id=obj.pk).select_related("notice")


def active_components():
    return Component.objects.filter(is_active=True)
