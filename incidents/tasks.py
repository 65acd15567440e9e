from celery import shared_task

from .services import incident_auto_close_due


@shared_task
def auto_close_resolved():
    return incident_auto_close_due()


@shared_task
def breach_receipt_reminders():
    """Remind Lånekassen of breaches whose receipt nobody has confirmed (every
    BREACH_RECEIPT_REMINDER_MINUTES; idempotent per reminder slot)."""
    from .breaches.reminders import breach_receipt_reminders_due

    return breach_receipt_reminders_due()
