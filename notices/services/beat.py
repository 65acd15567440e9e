"""What the beat schedule does to notices, as the portal itself (`casework.runner.SYSTEM`):
publish scheduled notices at their time, start and complete maintenance at its window."""

from django.utils import timezone

from casework.errors import DomainError
from casework.runner import SYSTEM

from ..models import Kind, Notice, Status
from .lifecycle import notice_complete, notice_publish, notice_start, notice_unschedule


def notices_publish_due(*, now=None):
    """Publish every scheduled notice whose time has come. Returns how many were published.

    A notice that can no longer be published (its maintenance window is over) goes back to
    draft, with an audit event saying why."""
    now = now or timezone.now()
    published = 0
    for notice in Notice.objects.filter(status=Status.SCHEDULED, publish_at__lte=now):
        try:
            notice_publish(notice=notice, by=SYSTEM, now=now)
            published += 1
        except DomainError as exc:
            try:
                notice_unschedule(notice=notice, by=SYSTEM, verb="schedule_failed",
                                  data={"reason": str(exc)})
            except DomainError:
                pass  # unscheduled or published by someone in the meantime
    return published


def maintenance_advance(*, now=None):
    """Start maintenance whose window has begun and complete maintenance whose window has
    ended. Returns (started, completed)."""
    now = now or timezone.now()
    started = completed = 0
    for notice in Notice.objects.filter(kind=Kind.MAINTENANCE, status=Status.UPCOMING,
                                        window_start__lte=now):
        try:
            notice_start(notice=notice, by=SYSTEM, now=now)
            started += 1
        except DomainError:
            pass  # changed by someone in the meantime
    for notice in Notice.objects.filter(kind=Kind.MAINTENANCE, status=Status.IN_PROGRESS,
                                        window_end__lte=now):
        try:
            notice_complete(notice=notice, by=SYSTEM, now=now)
            completed += 1
        except DomainError:
            pass
    return started, completed
