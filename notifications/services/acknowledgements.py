"""Acknowledgements: organisations asked to confirm that they have read something (a critical
notice, a security breach at Lånekassen), their answers, and reminders to those who have not.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from casework.services import audit_record
from casework.sla import calendar_get

from ..models import Acknowledgement
from ..registry import reminder_for


def _for(subject):
    return Acknowledgement.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)


def acknowledgements_request(*, subject, organisation_ids, at=None):
    """Ask `organisation_ids` to acknowledge `subject` (those already asked are left alone).

    Side effects: an Acknowledgement per organisation. Returns how many were asked now."""
    at = at or timezone.now()
    subject_type = ContentType.objects.get_for_model(subject)
    asked = set(_for(subject).values_list("organisation_id", flat=True))
    rows = [Acknowledgement(subject_type=subject_type, subject_id=subject.pk,
                            organisation_id=pk, requested_at=at)
            for pk in sorted(set(organisation_ids)) if pk not in asked]
    Acknowledgement.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def acknowledgements_close(*, subject, at=None):
    """The subject needs no more acknowledgements (a notice closed): no more reminders; what
    was acknowledged stays. Side effects: closed_at on the open rows."""
    return _for(subject).filter(closed_at__isnull=True).update(closed_at=at or timezone.now())


def acknowledgement_record(*, subject, organisation, by, verb="acknowledged"):
    """`by` confirms for `organisation` that it has read `subject`. The first confirmation
    counts; later ones change nothing. Returns (row, recorded now) — (None, False) if the
    organisation was never asked.

    Side effects: acknowledged_at/by and an audit event on the subject, the first time.
    """
    with transaction.atomic():
        row = (_for(subject).select_for_update(of=("self",))
               .filter(organisation=organisation).select_related("acknowledged_by").first())
        if row is None:
            return None, False
        if row.acknowledged_at is not None:
            return row, False
        row.acknowledged_at = timezone.now()
        row.acknowledged_by = by
        row.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(obj=subject, actor=by, verb=verb,
                     data={"organisation": row.organisation_id})
    return row, True


def acknowledgements_mark_reminded(*, subject, organisation_ids, now):
    """Lock the still unanswered, open acknowledgements of these organisations and count a
    reminder on each. Call inside the reminder's transaction; returns the organisation ids."""
    rows = list(_for(subject).select_for_update()
                .filter(organisation_id__in=organisation_ids, acknowledged_at__isnull=True,
                        closed_at__isnull=True).order_by("organisation_id"))
    for row in rows:
        row.reminders_sent += 1
        row.last_reminded_at = now
    Acknowledgement.objects.bulk_update(rows, ["reminders_sent", "last_reminded_at"])
    return [row.organisation_id for row in rows]


def acknowledgement_reminders_due(*, now=None):
    """Remind the organisations that have not acknowledged after N working hours (and again
    every N working hours, at most NOTIFICATIONS_ACK_MAX_REMINDERS times), through the reminder the
    subject's app registered. Returns how many organisations were reminded."""
    now = now or timezone.now()
    default_hours = getattr(settings, "NOTIFICATIONS_ACK_REMINDER_WORKING_HOURS", 4)
    max_reminders = getattr(settings, "NOTIFICATIONS_ACK_MAX_REMINDERS", 3)
    calendar = calendar_get()
    candidates = (Acknowledgement.objects.filter(
        acknowledged_at__isnull=True, closed_at__isnull=True, reminders_sent__lt=max_reminders)
        .select_related("subject_type").order_by("subject_type_id", "subject_id", "pk"))
    due = {}
    for row in candidates:
        reminder = reminder_for(row.subject_type.model_class())
        if reminder is None:
            continue
        hours = timedelta(hours=reminder.working_hours or default_hours)
        if calendar.add(row.last_reminded_at or row.requested_at, hours) <= now:
            due.setdefault((reminder, row.subject_id), []).append(row.organisation_id)
    return sum(reminder.remind(subject_id=subject_id, organisation_ids=org_ids, now=now) or 0
               for (reminder, subject_id), org_ids in due.items())
