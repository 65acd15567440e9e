"""What the subjects of announcements offer the channels: how to remind an organisation that
has not acknowledged one, and what to record for each organisation as its batch is sent.

A plain dict filled in `AppConfig.ready()` by the app that owns the subject (notices for a
notice, incidents for a breach at Lånekassen); notifications never imports those apps.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AcknowledgementReminder:
    """`remind(subject_id=, organisation_ids=, now=)` sends one reminder about the subject to
    those organisations (through the owner's services, as the system actor) and returns how
    many it reminded. `working_hours`: the first reminder and each next one come this many
    of Bits' working hours apart (None: NOTIFICATIONS_ACK_REMINDER_WORKING_HOURS)."""

    model: type
    remind: Callable
    working_hours: float | None = None


_reminders: dict[str, AcknowledgementReminder] = {}


def _label(model):
    return model._meta.label_lower


def reminder_register(reminder: AcknowledgementReminder) -> AcknowledgementReminder:
    _reminders[_label(reminder.model)] = reminder
    return reminder


def reminder_for(model) -> AcknowledgementReminder | None:
    return _reminders.get(_label(model))


# What a subject's app records for each organisation of a fan-out job, batch by batch (a
# notice's recipients and their acknowledgements): called by `fanout_step` inside the batch's
# transaction, before the batch's deliveries are written, as
# `hook(job=, organisations=, now=)`. Named on the job (`FanoutJob.batch_hooks`), so the
# event's request writes one row whatever the number of organisations.
_batch_hooks: dict[str, Callable] = {}


def batch_hook_register(name: str, hook: Callable) -> Callable:
    _batch_hooks[name] = hook
    return hook


def batch_hook(name: str) -> Callable:
    """The hook registered under `name`; a job naming an unknown hook is a bug (KeyError)."""
    return _batch_hooks[name]
