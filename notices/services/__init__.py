"""Writes for notices (B.1), by concern: writing a draft (`writing`), the lifecycle through the
case kernel's runner (`lifecycle`), what goes out about a notice (`announcements`), banks'
acknowledgements and reminders (`acknowledgements`), the beat schedule (`beat`), links from
other processes' cases (`links`), feed tokens (`feeds`) and resending (`deliveries`).

Sending is the notifications app's: its channels deliver the announcements written here.
"""

from .acknowledgements import notice_acknowledge, notice_remind
from .announcements import notice_announce, portal_title, webhook_payload
from .beat import maintenance_advance, notices_publish_due
from .deliveries import deliveries_resend_failed
from .feeds import feed_token_regenerate, feed_token_resolve
from .lifecycle import (
    RECIPIENTS_HOOK,
    notice_cancel,
    notice_complete,
    notice_publish,
    notice_resolve,
    notice_schedule,
    notice_start,
    notice_unschedule,
    notice_update_add,
    recipients_record,
)
from .links import notice_link_add, notice_link_remove
from .writing import notice_create, notice_edit, notice_problems

__all__ = [
    "RECIPIENTS_HOOK",
    "deliveries_resend_failed",
    "feed_token_regenerate",
    "feed_token_resolve",
    "maintenance_advance",
    "notice_acknowledge",
    "notice_announce",
    "notice_cancel",
    "notice_complete",
    "notice_create",
    "notice_edit",
    "notice_link_add",
    "notice_link_remove",
    "notice_problems",
    "notice_publish",
    "notice_remind",
    "notice_resolve",
    "notice_schedule",
    "notice_start",
    "notice_unschedule",
    "notice_update_add",
    "notices_publish_due",
    "portal_title",
    "recipients_record",
    "webhook_payload",
]
