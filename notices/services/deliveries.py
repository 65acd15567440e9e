"""Lånekassen sending a notice's failed deliveries again."""

from django.utils.translation import gettext as _

from casework.runner import case_update
from notifications import services as channels

from .. import permissions as perms
from ..models import NoticeEvent


def deliveries_resend_failed(*, notice, by):
    """Send the failed deliveries of every event of the notice again: a fresh outbox row per
    failed e-mail, a new 24-hour retry window per failed webhook. Returns how many were
    queued again.

    Side effects: outbox rows, the deliveries' state, audit.
    """
    counted = []

    def change(locked):
        jobs = NoticeEvent.objects.filter(notice=locked, fanout__isnull=False).values("fanout")
        counted.append(channels.deliveries_resend_failed(jobs=jobs))
        return {"deliveries": counted[0]}

    case_update(case=notice, by=by, verb="resent", change=change,
                allowed=lambda n, user: perms.can_resend(user),
                denied=_("Bare Lånekassen kan sende på nytt."))
    return counted[0]
