from celery import shared_task

from accounts.services import contact_points_remind_overdue


@shared_task
def contact_points_remind():
    """Daily: remind the admins of banks whose contact points are over 12 months old."""
    return contact_points_remind_overdue()
