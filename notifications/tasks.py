"""Celery tasks of the channels: they take ids and call services. The beat schedule runs
`outbox_sweep` (mail never picked up, or whose sender died) and `channels_sweep` (lost fan-out
jobs, due webhook retries, acknowledgement reminders)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def outbox_deliver(message_ids):
    """Send a batch of outbox rows over one mail connection; returns how many it sent. (A
    single id is a task queued before batches: it is a batch of one.)"""
    if isinstance(message_ids, int):
        message_ids = [message_ids]
    return services.outbox_send_batch(message_ids=message_ids)


@shared_task
def outbox_sweep():
    return services.outbox_sweep_pending()


@shared_task(acks_late=True)
def fanout_run(job_id):
    return services.fanout_step(job_id=job_id)


@shared_task(acks_late=True)
def webhook_deliver(delivery_id):
    return services.webhook_send(delivery_id=delivery_id)


@shared_task
def channels_sweep():
    jobs = services.fanout_sweep()
    sent = services.webhook_sweep()
    reminded = services.acknowledgement_reminders_due()
    return {"fanout_jobs": len(jobs), "webhooks_sent": sent, "reminded": reminded}
