from celery import shared_task

from .services import incident_auto_close_due


@shared_task
def auto_close_resolved():
    return incident_auto_close_due()
