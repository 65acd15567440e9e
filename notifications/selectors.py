from .models import Notification


def notifications_for_user(*, user):
    return Notification.objects.filter(recipient=user)
