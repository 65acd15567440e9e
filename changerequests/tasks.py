"""Beat tasks: they take no objects and call services as the portal itself."""

from celery import shared_task

from . import services


@shared_task
def deferred_resume():
    """Deferred requests whose date has come go back to Lånekassen (daily)."""
    return services.change_requests_resume_due()


@shared_task
def weekly_digest():
    """Last week's new open requests and decisions to every bank (Mondays)."""
    return services.digest_send_weekly()
