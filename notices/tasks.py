"""Celery tasks: they take ids and call services. The beat schedule runs `notices_tick` (publish
scheduled notices, move maintenance windows, remind banks) and `notices_sweep` (restart lost
fan-outs, send due webhook retries)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def fanout_run(job_id):
    return services.fanout_step(job_id=job_id)


@shared_task(acks_late=True)
def webhook_deliver(delivery_id):
    return services.webhook_send(delivery_id=delivery_id)


@shared_task
def notices_tick():
    published = services.notices_publish_due()
    started, completed = services.maintenance_advance()
    reminded = services.ack_reminders_due()
    return {"published": published, "started": started, "completed": completed,
            "reminded": reminded}


@shared_task
def notices_sweep():
    jobs = services.fanout_sweep()
    sent = services.webhook_sweep()
    return {"fanout_jobs": len(jobs), "webhooks_sent": sent}
