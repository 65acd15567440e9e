"""Sending failed deliveries of an announcement again."""

from django.db import transaction
from django.utils import timezone

from ..models import Delivery
from ..selectors import deliveries_failed
from .fanout import email_key, fanout_email_add, webhooks_dispatch_on_commit
from .outbox import outbox_dispatch_on_commit


def deliveries_resend_failed(*, jobs):
    """Send the failed deliveries of `jobs` again: a fresh outbox row per failed e-mail, a new
    24-hour retry window per failed webhook. Call inside the caller's transaction (which
    audits it). Returns how many were queued again.

    Side effects: outbox rows, the deliveries' state; after commit, the sending tasks.
    """
    now = timezone.now()
    outbox_ids, webhook_ids = [], []
    with transaction.atomic():
        rows = list(deliveries_failed(jobs=jobs).select_for_update(of=("self",))
                    .select_related("job", "organisation"))
        for delivery in rows:
            delivery.resends += 1
            delivery.status = Delivery.Status.QUEUED
            if delivery.channel == Delivery.Channel.EMAIL:
                delivery.outbox, created = fanout_email_add(
                    delivery.job, delivery.organisation, delivery.address,
                    email_key(delivery.job, delivery.address, delivery.resends))
                if created:
                    outbox_ids.append(delivery.outbox.pk)
            else:
                delivery.first_attempt_at = None
                delivery.next_attempt_at = now
                webhook_ids.append(delivery.pk)
            delivery.save(update_fields=["resends", "outbox", "status", "first_attempt_at",
                                         "next_attempt_at"])
        outbox_dispatch_on_commit(outbox_ids)
        webhooks_dispatch_on_commit(webhook_ids)
    return len(rows)
