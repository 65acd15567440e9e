"""What goes out about a notice: the event on its timeline and the announcement that sends it
through the notifications app's channels (titles, the e-mail, the webhook payload).

Everything is written here, in the event's transaction; the worker only delivers it.
"""

import json

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.services import fanout_start

from ..markdown import render_markdown
from ..models import NoticeEvent, NoticeRecipient


def _author(by):
    return by if getattr(by, "is_authenticated", False) else None


def portal_title(notice, event):
    labels = {
        NoticeEvent.Kind.PUBLISHED: notice.get_kind_display(),
        NoticeEvent.Kind.UPDATE: _("Oppdatering"),
        NoticeEvent.Kind.STARTED: _("Vedlikeholdet har startet"),
        NoticeEvent.Kind.RESOLVED: _("Løst"),
        NoticeEvent.Kind.COMPLETED: _("Fullført"),
        NoticeEvent.Kind.CANCELLED: _("Avlyst"),
        NoticeEvent.Kind.REMINDER: _("Påminnelse: bekreft at dere har lest"),
    }
    return f"{notice.reference} {labels[event.kind]}: {notice.title}"


def webhook_payload(notice, event):
    """The JSON a bank's webhook receives for one event (the same for every bank)."""
    def iso(value):
        return value.isoformat() if value else None

    payload = {
        "event": event.webhook_event,
        "event_id": event.pk,
        "created_at": iso(event.created_at),
        "notice": {
            "reference": notice.reference,
            "url": settings.SITE_URL + notice.get_absolute_url(),
            "kind": notice.kind,
            "severity": notice.severity,
            "status": notice.status,
            "environments": notice.environments,
            "components": [c.name for c in notice.components.all()],
            "title": notice.title,
            "body_markdown": notice.body,
            "body_html": str(render_markdown(notice.body)),
            "window_start": iso(notice.window_start),
            "window_end": iso(notice.window_end),
            "effective_test": iso(notice.effective_test),
            "effective_production": iso(notice.effective_production),
            "requires_acknowledgement": notice.requires_ack,
            "published_at": iso(notice.published_at),
            "closed_at": iso(notice.closed_at),
        },
    }
    if event.body:
        payload["message"] = {"body_markdown": event.body,
                              "body_html": str(render_markdown(event.body))}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def published_recipient_ids(notice):
    """The organisations the notice was published to: those its publishing fan-out names
    (fixed when it was published, even while the worker is still recording them as
    recipients), and any recorded as recipients."""
    ids = set(notice.recipients.filter(reason=NoticeRecipient.Reason.PUBLISHED)
              .values_list("organisation_id", flat=True))
    for named in (NoticeEvent.objects.filter(notice=notice, kind=NoticeEvent.Kind.PUBLISHED,
                                             fanout__isnull=False)
                  .values_list("fanout__organisation_ids", flat=True)):
        ids.update(named or ())
    return sorted(ids)


def notice_announce(notice, kind, by, body="", organisation_ids=None, batch_hooks=()):
    """Write an event on the notice's timeline and announce it to the organisations the notice
    was sent to (or only `organisation_ids`: a reminder). `batch_hooks` name what the worker
    records per organisation before telling it (`fanout_start`). Call it inside the event's
    transaction (a transition's hook); the worker starts on it after commit.

    Side effects: a NoticeEvent and its notifications.FanoutJob (keyed by the event).
    Returns the event.
    """
    event = NoticeEvent.objects.create(notice=notice, kind=kind, body=(body or "").strip(),
                                       created_by=_author(by))
    if organisation_ids is None:
        organisation_ids = published_recipient_ids(notice)
    components = list(notice.components.all())
    title = portal_title(notice, event)
    titles = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles[code] = portal_title(notice, event)
    with translation.override(settings.LANGUAGE_CODE):
        email_subject = f"[{_('Driftsmelding')}] {title}"
        email_body = render_to_string("notices/email/notice_event.txt", {
            "notice": notice, "event": event, "url": notice.get_absolute_url(),
            "components": components, "is_reminder": kind == NoticeEvent.Kind.REMINDER,
            "site_url": settings.SITE_URL})
    # A reminder asks people to click in the portal; a bank's monitoring has no use for it.
    payload = "" if kind == NoticeEvent.Kind.REMINDER else webhook_payload(notice, event)
    event.fanout = fanout_start(
        subject=notice, event=event.webhook_event, key=f"notice:{event.pk}",
        organisation_ids=organisation_ids, title=titles[settings.LANGUAGE_CODE], titles=titles,
        url=notice.get_absolute_url(),
        email_subject=email_subject, email_body=email_body, webhook_payload=payload,
        batch_hooks=batch_hooks)
    event.save(update_fields=["fanout"])
    return event
