"""Writes of the notifications app, by concern: the outbox and in-portal notifications
(`outbox`), sending outbox rows in batches over one connection (`sending`), announcements to
many organisations (`fanout`), webhooks (`webhooks`), acknowledgements and reminders
(`acknowledgements`) and resending (`deliveries`)."""

from .acknowledgements import (
    acknowledgement_record,
    acknowledgement_reminders_due,
    acknowledgements_close,
    acknowledgements_mark_reminded,
    acknowledgements_request,
)
from .deliveries import deliveries_resend_failed
from .fanout import email_key, fanout_start, fanout_step, fanout_sweep
from .outbox import (
    email_enqueue,
    notification_add,
    notification_mark_read,
    notifications_add,
    notify,
    outbox_add,
    outbox_add_many,
    outbox_dispatch_on_commit,
)
from .sending import (
    outbox_claim,
    outbox_claim_batch,
    outbox_send,
    outbox_send_batch,
    outbox_sweep_pending,
)
from .webhooks import (
    webhook_claim,
    webhook_deactivate,
    webhook_register,
    webhook_send,
    webhook_sweep,
    webhook_url_problem,
)

__all__ = [
    "acknowledgement_record",
    "acknowledgement_reminders_due",
    "acknowledgements_close",
    "acknowledgements_mark_reminded",
    "acknowledgements_request",
    "deliveries_resend_failed",
    "email_enqueue",
    "email_key",
    "fanout_start",
    "fanout_step",
    "fanout_sweep",
    "notification_add",
    "notification_mark_read",
    "notifications_add",
    "notify",
    "outbox_add",
    "outbox_add_many",
    "outbox_claim",
    "outbox_claim_batch",
    "outbox_dispatch_on_commit",
    "outbox_send",
    "outbox_send_batch",
    "outbox_sweep_pending",
    "webhook_claim",
    "webhook_deactivate",
    "webhook_register",
    "webhook_send",
    "webhook_sweep",
    "webhook_url_problem",
]
