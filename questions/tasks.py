from celery import shared_task

from .services import question_auto_close_due


@shared_task
def auto_close_answered():
    """Close answered questions after five quiet working days (as the portal, `SYSTEM`)."""
    return question_auto_close_due()
