"""Reads for notices, always scoped to what the user may see."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation
from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from balances.selectors import organisations_with_access
from notifications.selectors import (
    acknowledgement_of,
    acknowledgements_for,
    acknowledgements_pending,
    deliveries_failed,
)

from .models import (
    LIVE_STATUSES,
    Component,
    Notice,
    NoticeEvent,
    NoticeLink,
)

RECENT_DAYS = 14


def notice_recipient_organisations(*, notice):
    """Bits and every bank with access to an environment the notice affects."""
    banks = organisations_with_access(notice.environments)
    return Organisation.objects.filter(
        Q(pk__in=banks.values("pk")) | Q(kind=Organisation.Kind.BITS)).order_by("pk")


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
    asked = acknowledgements_pending(organisation_id=user.membership.organisation_id,
                                     model=Notice)
    if not asked:
        return set()
    return set(Notice.objects.filter(pk__in=asked, requires_ack=True,
                                     status__in=LIVE_STATUSES).values_list("pk", flat=True))


def notice_events(*, notice):
    return notice.events.select_related("created_by").exclude(kind=NoticeEvent.Kind.REMINDER)


def recipient_for_user(*, notice, user):
    """The user's bank's recipient row for the notice, if the bank is one."""
    if not is_bank_user(user):
        return None
    return notice.recipients.filter(organisation_id=user.membership.organisation_id).first()


def acknowledgement_for_user(*, notice, user):
    """The user's bank's acknowledgement of the notice, if it was asked for one."""
    if not is_bank_user(user) or not notice.requires_ack:
        return None
    return acknowledgement_of(notice, user.membership.organisation_id)


def acknowledgements(*, notice):
    """For Lånekassen and Bits: each bank the notice was sent to, acknowledged or not."""
    return acknowledgements_for(notice, kinds=[Organisation.Kind.BANK])


def notice_sending(*, notice):
    """While the worker is still working through the organisations the notice was published
    to: {"done": how many it has recorded and told, "total": how many}. None once it is done
    (or before the notice is published)."""
    job = (NoticeEvent.objects.filter(notice=notice, kind=NoticeEvent.Kind.PUBLISHED)
           .exclude(fanout=None).values("fanout__organisation_ids", "fanout__cursor",
                                        "fanout__finished_at").first())
    if job is None or job["fanout__finished_at"] is not None:
        return None
    ids = job["fanout__organisation_ids"] or []
    return {"done": sum(1 for pk in ids if pk <= job["fanout__cursor"]), "total": len(ids)}


def notice_failed_deliveries(*, notice):
    """The failed deliveries of every event of the notice."""
    return deliveries_failed(jobs=NoticeEvent.objects.filter(
        notice=notice, fanout__isnull=False).values("fanout"))


def notice_events_sent(*, notice):
    """The events that went out (the delivery report's list), newest first."""
    return list(notice.events.select_related("fanout").filter(fanout__isnull=False)
                .order_by("-created_at", "-pk"))


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


def notice_search(user, text, limit=20):
    """The portal's search (the case-type registry): the notices `user` may see whose
    reference or words match `text`, newest first. A notice goes to many banks, so a bank's
    name or orgnr finds none."""
    from casework.search import text_match

    return text_match(notice_list_for_user(user=user), text, fields=("title", "body"),
                      organisation=None).order_by("-created_at")[:limit]
