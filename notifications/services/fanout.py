"""Announcements to many organisations: one fan-out job per event, worked off in batches.

A process app (notices; breach cases and change requests alike) calls `fanout_start` in the
transaction of its event, with the texts already written; the worker turns the job into one
delivery per organisation, channel and address (`fanout_step`), e-mail through the outbox,
in-portal notifications at once, webhooks through `webhooks.webhook_send`.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation

from ..models import Delivery, FanoutJob
from ..registry import batch_hook
from ..selectors import organisation_contacts, webhooks_for
from .outbox import notifications_add, outbox_add, outbox_add_many, outbox_dispatch_on_commit

log = logging.getLogger(__name__)


def _setting(name, default):
    return getattr(settings, name, default)


def _queue_fanout(job_id):
    from ..tasks import fanout_run

    try:
        fanout_run.apply_async((job_id,), retry=False)
    except Exception:
        # Broker down: the job row stays unfinished and the sweep starts it later.
        log.warning("Could not queue fan-out job %s; the sweep will start it", job_id,
                    exc_info=True)


def _queue_webhooks(delivery_ids):
    from ..tasks import webhook_deliver

    for delivery_id in delivery_ids:
        try:
            webhook_deliver.apply_async((delivery_id,), retry=False)
        except Exception:
            log.warning("Could not queue webhook deliveries %s; the sweep will send them",
                        delivery_ids, exc_info=True)
            return


def webhooks_dispatch_on_commit(delivery_ids):
    delivery_ids = list(delivery_ids)
    if delivery_ids:
        transaction.on_commit(lambda: _queue_webhooks(delivery_ids))


def fanout_start(*, subject, event, key, organisation_ids, title, url, email_subject,
                 email_body, webhook_payload="", titles=None, batch_hooks=()):
    """Announce `event` about `subject` to `organisation_ids`: e-mail to their contact points,
    in the portal to their users and, when `webhook_payload` is given, to their webhooks.

    `key` names the event (derived from what happened, never a time); a second call with the
    same key returns the first job. `email_body` is the same for every organisation (the
    e-mail starts with the organisation's name). `titles` maps each language to the in-portal
    title in it (users read it in their own); `title` is the fallback. `batch_hooks` names
    hooks (`registry.batch_hook_register`) that record, batch by batch, what the subject keeps
    per organisation. Call it inside the event's transaction.
    Side effects: a FanoutJob; after commit, the worker's first batch is queued.
    """
    job, created = FanoutJob.objects.get_or_create(key=key[:200], defaults={
        "subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk,
        "event": event, "organisation_ids": sorted(set(organisation_ids)),
        "title": str(title)[:300], "url": url,
        "titles": {code: str(text)[:300] for code, text in (titles or {}).items()},
        "email_subject": str(email_subject)[:300],
        "email_body": email_body, "webhook_payload": webhook_payload or "",
        "batch_hooks": list(batch_hooks)})
    if created:
        transaction.on_commit(lambda: _queue_fanout(job.pk))
    return job


def email_key(job, address, resend=0):
    digest = hashlib.sha256(address.encode()).hexdigest()[:24]
    suffix = f":resend{resend}" if resend else ""
    return f"{job.key}:email:{digest}{suffix}"


def fanout_email(job, organisation):
    """The subject and text of the job's e-mail to one organisation: the one place a fan-out
    mail is put together (the first send and every resend)."""
    with translation.override(settings.LANGUAGE_CODE):
        greeting = _("Til %(org)s") % {"org": organisation.name}
    return job.email_subject, f"{greeting}\n\n{job.email_body}"


def fanout_email_add(job, organisation, address, key):
    """The outbox row of one fan-out e-mail (not dispatched: the caller does that)."""
    subject, body = fanout_email(job, organisation)
    return outbox_add(to=address, subject=subject, body=body, key=key)


def fanout_step(*, job_id, batch_size=None):
    """Send one job to its next batch of organisations. Returns the number of organisations
    handled, 0 when the job is finished, None when it is finished already or another worker
    holds it.

    One transaction, and no network call in it: what the job's batch hooks record, the
    deliveries of the batch (e-mail into the outbox, in-portal notifications, webhook
    deliveries) and the moved cursor commit together, so a crash repeats the batch or nothing.
    A delivery that already exists (unique per job, channel and target) is never written
    again, and a hook must be as safe to run twice. After commit: the next batch is queued first,
    then the sending tasks.
    """
    batch_size = batch_size or _setting("NOTIFICATIONS_FANOUT_BATCH_SIZE", 50)
    now = timezone.now()
    with transaction.atomic():
        job = (FanoutJob.objects.select_for_update(skip_locked=True)
               .filter(pk=job_id, finished_at__isnull=True).first())
        if job is None:
            return None
        ids = [pk for pk in job.organisation_ids if pk > job.cursor][:batch_size]
        batch = list(Organisation.objects.filter(pk__in=ids).order_by("pk"))
        job.heartbeat_at = now
        if not ids:
            job.finished_at = now
            job.save(update_fields=["heartbeat_at", "finished_at"])
            return 0
        # Queued before the sends, so the bookkeeping of the whole event finishes early.
        transaction.on_commit(lambda: _queue_fanout(job.pk))
        # What the subject keeps per organisation, before anyone is told: a link in a
        # notification leads to something the organisation can already open.
        for name in job.batch_hooks:
            batch_hook(name)(job=job, organisations=batch, now=now)
        contacts = organisation_contacts(batch)
        hooks = webhooks_for([org.pk for org in batch]) if job.webhook_payload else {}
        existing = set(Delivery.objects.filter(job=job, organisation__in=batch)
                       .values_list("channel", "target"))
        channel = Delivery.Channel
        emails = [(org, address, contact_point)
                  for org in batch for address, contact_point in contacts[org.pk].emails
                  if (channel.EMAIL, f"email:{address}"[:300]) not in existing]
        texts = {org.pk: fanout_email(job, org) for org in batch}
        outbox = outbox_add_many([
            {"to": address, "subject": texts[org.pk][0], "body": texts[org.pk][1],
             "key": email_key(job, address)} for org, address, _contact_point in emails])
        new = []
        for org, address, contact_point in emails:
            outbox_id, _created = outbox[email_key(job, address)[:200]]
            new.append(Delivery(job=job, organisation=org, channel=channel.EMAIL,
                                target=f"email:{address}"[:300], address=address,
                                outbox_id=outbox_id, contact_point=contact_point))
        people = [(org, user) for org in batch for user in contacts[org.pk].users
                  if (channel.PORTAL, f"user:{user.pk}") not in existing]
        notifications = notifications_add(users=[user for _org, user in people],
                                          title=job.titles or job.title, url=job.url)
        for (org, user), notification in zip(people, notifications, strict=True):
            new.append(Delivery(job=job, organisation=org, channel=channel.PORTAL,
                                target=f"user:{user.pk}", address=user.email, user=user,
                                notification=notification, status=Delivery.Status.SENT,
                                sent_at=now))
        for org in batch:
            for endpoint in hooks.get(org.pk, []):
                target = f"webhook:{endpoint.pk}"
                if (channel.WEBHOOK, target) in existing:
                    continue
                new.append(Delivery(job=job, organisation=org, channel=channel.WEBHOOK,
                                    target=target, address=endpoint.url, endpoint=endpoint,
                                    next_attempt_at=now))
        created_rows = Delivery.objects.bulk_create(new)
        job.cursor = ids[-1]
        job.batches += 1
        job.save(update_fields=["cursor", "batches", "heartbeat_at"])
        outbox_dispatch_on_commit(sorted(pk for pk, created in outbox.values() if created))
        webhook_ids = [row.pk for row in created_rows if row.channel == channel.WEBHOOK]
        if webhook_ids and None in webhook_ids:
            # A backend that does not return primary keys from bulk_create: read them back.
            webhook_ids = list(Delivery.objects.filter(
                job=job, channel=channel.WEBHOOK, organisation__in=batch,
                status=Delivery.Status.QUEUED).values_list("pk", flat=True))
        webhooks_dispatch_on_commit(webhook_ids)
    return len(ids)


def fanout_sweep(*, now=None):
    """Restart every unfinished fan-out job nobody has worked on for a while (its task was lost
    with a worker or Redis). Returns the ids queued."""
    now = now or timezone.now()
    stale = timedelta(seconds=_setting("NOTIFICATIONS_FANOUT_STALE_SECONDS", 120))
    jobs = list(FanoutJob.objects.filter(finished_at__isnull=True, created_at__lte=now - stale)
                .exclude(heartbeat_at__gt=now - stale).values_list("pk", flat=True)[:200])
    for job_id in jobs:
        _queue_fanout(job_id)
    return jobs
