"""Fan-out jobs, deliveries, webhooks and acknowledgements move to the notifications app, made
generic over what is announced; this copies what notices had into it (the next migration drops
the old tables).

Webhook secrets are converted to the Standard Webhooks form: `whsec_` + base64 of the old
secret, so the signing key is the same bytes as before. Copied jobs keep their deliveries; an
unfinished one starts again from the first organisation (the deliveries' unique keys make that
harmless).
"""

import base64

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def _webhook_secret(old):
    return "whsec_" + base64.b64encode(old.encode()).decode()


def copy_to_notifications(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Notice = apps.get_model("notices", "Notice")
    NoticeEvent = apps.get_model("notices", "NoticeEvent")
    NoticeRecipient = apps.get_model("notices", "NoticeRecipient")
    OldJob = apps.get_model("notices", "FanoutJob")
    OldDelivery = apps.get_model("notices", "NoticeDelivery")
    OldEndpoint = apps.get_model("notices", "WebhookEndpoint")
    OldAttempt = apps.get_model("notices", "WebhookAttempt")
    FanoutJob = apps.get_model("notifications", "FanoutJob")
    Delivery = apps.get_model("notifications", "Delivery")
    WebhookEndpoint = apps.get_model("notifications", "WebhookEndpoint")
    WebhookAttempt = apps.get_model("notifications", "WebhookAttempt")
    Acknowledgement = apps.get_model("notifications", "Acknowledgement")
    db = schema_editor.connection.alias
    notice_type, _created = ContentType.objects.db_manager(db).get_or_create(
        app_label="notices", model="notice")

    for notice in Notice.objects.using(db).all():
        Notice.objects.using(db).filter(pk=notice.pk).update(status_changed_at=notice.updated_at)

    endpoints = {}
    for old in OldEndpoint.objects.using(db).order_by("pk"):
        endpoints[old.pk] = WebhookEndpoint.objects.using(db).create(
            organisation_id=old.organisation_id, url=old.url, description=old.description,
            secret=_webhook_secret(old.secret), is_active=old.is_active,
            created_by_id=old.created_by_id, deactivated_at=old.deactivated_at)
        WebhookEndpoint.objects.using(db).filter(pk=endpoints[old.pk].pk).update(
            created_at=old.created_at)

    for event in NoticeEvent.objects.using(db).select_related("notice").order_by("pk"):
        notice = event.notice
        old_job = OldJob.objects.using(db).filter(event=event).first()
        old_deliveries = list(OldDelivery.objects.using(db).filter(event=event)
                              .select_related("recipient").order_by("pk"))
        organisation_ids = (old_job.organisation_ids if old_job and old_job.organisation_ids
                            else list(NoticeRecipient.objects.using(db).filter(
                                notice=notice, reason="published")
                                .values_list("organisation_id", flat=True)))
        mail = next((d for d in old_deliveries if d.channel == "email" and d.outbox_id), None)
        hook = next((d for d in old_deliveries if d.channel == "webhook"), None)
        url = f"/driftsmeldinger/{notice.reference}/"
        job = FanoutJob.objects.using(db).create(
            key=f"notice:{event.pk}", subject_type=notice_type, subject_id=notice.pk,
            event=f"notice.{event.kind}", organisation_ids=sorted(set(organisation_ids)),
            title=f"{notice.reference}: {notice.title}"[:300], url=url,
            email_subject=(mail.outbox.subject if mail else notice.title)[:300],
            email_body=mail.outbox.body if mail else f"{notice.body}\n\n{url}",
            webhook_payload=hook.payload if hook and event.kind != "reminder" else "",
            cursor=0, batches=old_job.batches if old_job else 0,
            heartbeat_at=old_job.heartbeat_at if old_job else None,
            finished_at=old_job.finished_at if old_job else event.created_at)
        NoticeEvent.objects.using(db).filter(pk=event.pk).update(fanout=job)
        for old in old_deliveries:
            endpoint = endpoints.get(old.endpoint_id)
            new = Delivery.objects.using(db).create(
                job=job, organisation_id=old.recipient.organisation_id, channel=old.channel,
                target=(f"webhook:{endpoint.pk}" if endpoint else old.target)[:300],
                address=old.address, user_id=old.user_id, contact_point_id=old.contact_point_id,
                endpoint=endpoint, outbox_id=old.outbox_id, notification_id=old.notification_id,
                status=old.status, attempts=old.attempts, resends=old.resends,
                first_attempt_at=old.first_attempt_at, next_attempt_at=old.next_attempt_at,
                last_status_code=old.last_status_code, last_error=old.last_error,
                sent_at=old.sent_at)
            for attempt in OldAttempt.objects.using(db).filter(delivery=old).order_by("pk"):
                WebhookAttempt.objects.using(db).create(
                    delivery=new, attempted_at=attempt.attempted_at,
                    status_code=attempt.status_code, error=attempt.error,
                    duration_ms=attempt.duration_ms)

    closed = {"resolved", "completed", "cancelled"}
    for recipient in (NoticeRecipient.objects.using(db)
                      .filter(reason="published", notice__requires_ack=True,
                              organisation__kind="bank").select_related("notice")):
        notice = recipient.notice
        Acknowledgement.objects.using(db).get_or_create(
            subject_type=notice_type, subject_id=notice.pk,
            organisation_id=recipient.organisation_id, defaults={
                "requested_at": notice.published_at or recipient.created_at,
                "acknowledged_at": recipient.acknowledged_at,
                "acknowledged_by_id": recipient.acknowledged_by_id,
                "reminders_sent": recipient.reminders_sent,
                "last_reminded_at": recipient.last_reminded_at,
                "closed_at": (notice.closed_at or notice.updated_at)
                if notice.status in closed else None})


class Migration(migrations.Migration):

    dependencies = [
        ('notices', '0002_components'),
        ('notifications', '0002_channels'),
    ]

    operations = [
        migrations.AddField(
            model_name='notice',
            name='status_changed_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='status endret'),
        ),
        migrations.AddField(
            model_name='noticeevent',
            name='fanout',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='notifications.fanoutjob'),
        ),
        migrations.RunPython(copy_to_notifications, migrations.RunPython.noop),
    ]
