"""Template tags every case page shares: the timeline's event text, action URLs."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from casework.registry import case_type_for, verb_label

register = template.Library()


@register.simple_tag
def case_event(event, case):
    """What the timeline says of an audit event: the verb's label from the case type, its
    detail, and the new status when it changed."""
    ct = case_type_for(case)
    text = str(verb_label(event.verb, case))
    detail = ct.event_detail(event) if ct is not None and ct.event_detail else ""
    if detail:
        text += f" {detail}"
    if event.to_state and event.to_state != event.from_state:
        label = ct.status_label(event.to_state) if ct is not None else event.to_state
        text += " (" + _("status: %(s)s") % {"s": label} + ")"
    return text


@register.simple_tag
def case_url(case, which, *args):
    """The URL of one of the kernel's views for `case`: "action", "message" or "attachment"."""
    ct = case_type_for(case)
    name = {"action": ct.action_url_name, "message": ct.message_url_name,
            "attachment": ct.attachment_url_name}[which]
    return reverse(name, args=[case.reference, *args])
