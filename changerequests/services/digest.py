"""The weekly digest: every bank user gets one e-mail a week with the requests opened to all
banks and the decisions recorded that week, instead of a mail per event."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from casework.runner import lazy_title
from notifications.models import OutboxMessage
from notifications.services import email_enqueue

from ..models import ChangeRequest, GovernanceDecision
from . import audience


def digest_week(now=None):
    """The week the digest sent at `now` covers: the previous ISO week (Monday to Sunday), as
    (label "2026-W05", start, end)."""
    today = timezone.localdate(now or timezone.now())
    monday = today - timedelta(days=today.weekday() + 7)
    year, week, _weekday = monday.isocalendar()
    zone = timezone.get_current_timezone()
    start = datetime.combine(monday, time.min, tzinfo=zone)
    return f"{year}-W{week:02d}", start, start + timedelta(days=7)


def digest_content(*, start, end):
    opened = list(ChangeRequest.objects.filter(opened_at__gte=start, opened_at__lt=end)
                  .exclude(status__in=["draft", "submitted", "returned"])
                  .order_by("reference"))
    decisions = list(GovernanceDecision.objects.filter(
        created_at__gte=start, created_at__lt=end, request__opened_at__isnull=False)
        .select_related("request").order_by("created_at", "pk"))
    return opened, decisions


def digest_send_weekly(*, now=None):
    """Queue last week's digest for every active bank user (beat task, Mondays). Idempotent per
    week: the outbox key is the week and the person, so a second run queues nothing. A week
    with nothing new sends nothing. Returns how many were queued.

    Side effects: an OutboxMessage per bank user, sent after commit.
    """
    label, start, end = digest_week(now)
    opened, decisions = digest_content(start=start, end=end)
    if not opened and not decisions:
        return 0
    subject = lazy_title(gettext_noop("Endringsønsker: ukeoversikt %(week)s"), week=label)
    context = {"week": label, "opened": opened, "decisions": decisions,
               "list_url": reverse("changerequests:list"),
               "roadmap_url": reverse("changerequests:roadmap")}
    prefix = f"changerequests:digest:{label}:"
    already = OutboxMessage.objects.filter(key__startswith=prefix).count()
    for user in audience.bank_users().iterator():
        email_enqueue(to=user.email, subject=subject, template="changerequests/email/digest.txt",
                      context={**context, "recipient": user}, key=f"{prefix}{user.pk}",
                      language=user.language)
    return OutboxMessage.objects.filter(key__startswith=prefix).count() - already
