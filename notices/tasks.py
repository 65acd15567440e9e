"""Celery tasks: they take ids and call services. The beat schedule runs `notices_tick`
(publish scheduled notices, move maintenance windows). Sending, lost fan-outs, webhook retries
and acknowledgement reminders are the notifications app's (`notifications.tasks`)."""

from celery import shared_task

from . import services


@shared_task
def notices_tick():
    published = services.notices_publish_due()
    started, completed = services.maintenance_advance()
    return {"published": published, "started": started, "completed": completed}
