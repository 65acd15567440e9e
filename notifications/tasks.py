from celery import shared_task

from .services import outbox_send, outbox_sweep_pending


@shared_task(acks_late=True)
def outbox_deliver(message_id):
    return outbox_send(message_id=message_id)


@shared_task
def outbox_sweep():
    return outbox_sweep_pending()
