"""Reads for the channels: a person's notifications, how organisations are reached, webhooks a
bank admin may see, and the delivery report of an announcement."""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Count, F, Value, When
from django.http import Http404

from accounts.models import ContactPoint, Membership
from accounts.permissions import is_bank_user

from .models import Acknowledgement, Delivery, Notification, WebhookAttempt, WebhookEndpoint


def notifications_for_user(*, user):
    return Notification.objects.filter(recipient=user)


@dataclass
class OrganisationRecipients:
    """The addresses and users one organisation is reached through.

    `emails` is a list of (address, contact point or None); `users` get announcements in the
    portal.
    """

    emails: list = field(default_factory=list)
    users: list = field(default_factory=list)


def organisation_contacts(organisations):
    """How each organisation hears about announcements — the one place this rule lives.

    E-mail goes to each of the organisation's contact points (kontaktpunkter: business,
    technical and security, registered in onboarding), once per address; an organisation with
    no contact points (Bits) gets e-mail to its active users instead. Every active user of the
    organisation sees the announcement in the portal. Two queries, whatever the number of
    organisations.
    """
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
        result[membership.organisation_id].users.append(membership.user)
    for org_id, entry in result.items():
        if not seen[org_id]:
            for user in entry.users:
                address = user.email.strip().lower()
                if address not in seen[org_id]:
                    seen[org_id].add(address)
                    entry.emails.append((address, None))
    return result


def webhooks_for(organisation_ids):
    """The active webhooks of these organisations, by organisation id."""
    endpoints = {}
    for endpoint in WebhookEndpoint.objects.filter(organisation_id__in=organisation_ids,
                                                   is_active=True).order_by("pk"):
        endpoints.setdefault(endpoint.organisation_id, []).append(endpoint)
    return endpoints


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
            .select_related("delivery__job")[:limit])


def _effective_status():
    # E-mail lives in the outbox; its status is the outbox row's.
    email = Delivery.Channel.EMAIL
    return Case(
        When(channel=email, outbox__status="sent", then=Value(Delivery.Status.SENT)),
        When(channel=email, outbox__status="failed", then=Value(Delivery.Status.FAILED)),
        When(channel=email, outbox__isnull=False, then=Value(Delivery.Status.QUEUED)),
        When(status=Delivery.Status.SENDING, then=Value(Delivery.Status.QUEUED)),
        default=F("status"), output_field=CharField())


def deliveries_for_job(*, job):
    return (Delivery.objects.filter(job=job)
            .annotate(effective_status=_effective_status())
            .select_related("organisation", "outbox", "endpoint", "user", "notification")
            .order_by("organisation__name", "channel", "address"))


def delivery_summary(*, job):
    """{channel: {status: count}} for one announcement."""
    summary = {}
    rows = (Delivery.objects.filter(job=job)
            .annotate(effective_status=_effective_status())
            .values("channel", "effective_status").annotate(n=Count("pk")))
    for row in rows:
        summary.setdefault(row["channel"], {})[row["effective_status"]] = row["n"]
    return summary


def deliveries_failed(*, jobs):
    return (Delivery.objects.filter(job__in=jobs)
            .annotate(effective_status=_effective_status())
            .filter(effective_status=Delivery.Status.FAILED))


def acknowledgements_for(subject, *, kinds=None):
    """Each organisation asked to acknowledge `subject`, unanswered first (optionally only
    organisations of `kinds`), with counts: {"rows", "acknowledged", "missing"}."""
    rows = Acknowledgement.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)
    if kinds is not None:
        rows = rows.filter(organisation__kind__in=kinds)
    rows = list(rows.select_related("organisation", "acknowledged_by")
                .order_by(F("acknowledged_at").asc(nulls_first=True), "organisation__name"))
    return {"rows": rows, "acknowledged": sum(1 for r in rows if r.acknowledged_at),
            "missing": sum(1 for r in rows if not r.acknowledged_at)}


def acknowledgement_of(subject, organisation_id):
    """The acknowledgement `organisation_id` was asked for on `subject`, or None."""
    return (Acknowledgement.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
        organisation_id=organisation_id).select_related("acknowledged_by").first())


def acknowledgements_pending(*, organisation_id, model):
    """Ids of the `model` subjects `organisation_id` has been asked to acknowledge and has not
    (open ones only)."""
    return set(Acknowledgement.objects.filter(
        organisation_id=organisation_id, acknowledged_at__isnull=True, closed_at__isnull=True,
        subject_type=ContentType.objects.get_for_model(model))
        .values_list("subject_id", flat=True))



def acknowledgements_overdue_organisations():
    """Banks that were reminded and still have not acknowledged something open:
    [(organisation, oldest request)], oldest first. Two queries."""
    from django.db.models import Min

    from accounts.models import Organisation

    oldest = dict(Acknowledgement.objects.filter(
        acknowledged_at__isnull=True, closed_at__isnull=True, reminders_sent__gt=0,
        organisation__kind=Organisation.Kind.BANK)
        .values_list("organisation").annotate(oldest=Min("requested_at")).order_by())
    if not oldest:
        return []
    orgs = Organisation.objects.in_bulk(list(oldest))
    return sorted(((orgs[pk], at) for pk, at in oldest.items()), key=lambda row: row[1])
