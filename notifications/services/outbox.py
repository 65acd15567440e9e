"""Telling people: in-portal notifications and e-mail through the outbox.

A row is written in the transaction of what it tells about; after commit its id is queued to
the worker, many ids to one task (`_dispatch_after_commit`), and the worker sends them over one
mail connection (`sending`: claim, commit, send, record each result).
"""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..models import Notification, OutboxMessage
from ..transports import Portal
from .sending import claim_timeout  # noqa: F401  (webhooks' claims time out alike)

log = logging.getLogger(__name__)


def _setting(name, default):
    return getattr(settings, name, default)


def _dispatch_after_commit(message_ids):
    from ..tasks import outbox_deliver

    size = max(1, _setting("OUTBOX_BATCH_SIZE", 50))
    for start in range(0, len(message_ids), size):
        try:
            outbox_deliver.apply_async((message_ids[start:start + size],), retry=False)
        except Exception:
            # Broker down: the rows stay pending and the sweep sends them later. Stop at the
            # first failure so that a request pays for one connection attempt, not one per row.
            log.warning("Could not queue outbox messages %s; the sweep will send them",
                        message_ids[start:], exc_info=True)
            return


def outbox_dispatch_on_commit(message_ids):
    """Queue the sending of these rows once the current transaction commits (one dispatch for
    many rows, so a broker outage costs one connection attempt)."""
    message_ids = list(message_ids)
    if message_ids:
        transaction.on_commit(lambda: _dispatch_after_commit(message_ids))


def email_enqueue(*, to, subject, template, context, key, language=None):
    """Render an e-mail now and put it in the outbox; it is sent after commit. The subject (a
    lazy string) and the body are rendered in `language` (the recipient's; by default the
    portal's), not in the language of whoever caused the mail.

    Side effects: one OutboxMessage row (none if `key` was already queued) and, after commit,
    a Celery task to send it.
    """
    message, created = _outbox_add(to=to, subject=subject, template=template, context=context,
                                   key=key, language=language)
    if created:
        outbox_dispatch_on_commit([message.pk])
    return message


def outbox_add(*, to, subject, body, key):
    """Put an already written e-mail in the outbox (no dispatch: the caller queues it with
    `outbox_dispatch_on_commit`). Returns (row, created); an existing `key` is not added again.
    """
    return OutboxMessage.objects.get_or_create(
        key=key[:200], defaults={"to": to, "subject": str(subject)[:300], "body": body})


def outbox_add_many(messages):
    """Put many already written e-mails in the outbox in a few queries (no dispatch: the
    caller queues the new ones). `messages` are dicts of to, subject, body and key; a key
    already in the outbox is not added again. Returns {key: (row id, created)}.
    """
    by_key = {message["key"][:200]: message for message in messages}
    existing = dict(OutboxMessage.objects.filter(key__in=list(by_key))
                    .values_list("key", "pk"))
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(key=key, to=message["to"], subject=str(message["subject"])[:300],
                       body=message["body"])
         for key, message in by_key.items() if key not in existing],
        ignore_conflicts=True)
    # Read back rather than trust bulk_create's keys: with ignore_conflicts a row another
    # transaction wrote meanwhile comes back without one.
    ids = dict(OutboxMessage.objects.filter(key__in=list(by_key)).values_list("key", "pk"))
    return {key: (pk, key not in existing) for key, pk in ids.items()}


def recipient_language(user):
    """The language `user` reads the portal in (their profile's), else the portal's."""
    languages = {code for code, _name in settings.LANGUAGES}
    language = getattr(user, "language", "") or ""
    return language if language in languages else settings.LANGUAGE_CODE


def _outbox_add(*, to, subject, template, context, key, language=None):
    """The one place an e-mail is rendered: subject and body in the recipient's language."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = str(subject)
        body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    return outbox_add(to=to, subject=subject, body=body, key=key)


def email_kind(key):
    """The kind of event a notification key tells about: its first part (a case type's model
    label, `incidents.errorreport`), which is what a person opts out of on their profile."""
    return str(key).split(":", 1)[0]


def email_wanted(user, kind, *, critical=False):
    """Whether `user` wants e-mail about `kind`; critical events always go by e-mail."""
    return critical or kind not in set(getattr(user, "email_opt_out", None) or ())


def notification_add(*, user, title, url):
    """An in-portal notification only (no e-mail). Side effects: one Notification row."""
    return Portal().notify(user=user, title=title, url=url)


def notifications_add(*, users, title, url):
    """The same in-portal notification to many users, in one query (the `Portal` channel's
    row, written in bulk). `title` is a text, or a dict of texts per language from which each
    user gets the one in their language. Returns the rows, in the order of `users`."""
    def text_for(user):
        if isinstance(title, dict):
            language = recipient_language(user)
            return title.get(language) or title.get(settings.LANGUAGE_CODE) or ""
        return str(title)

    rows = [Notification(recipient=user, title=text_for(user)[:300], url=url) for user in users]
    return Notification.objects.bulk_create(rows)


def notify(*, users, title, url, key, template="notifications/email/case_event.txt",
           context=None, exclude=None, kind=None, critical=False):
    """Tell `users` (in the portal and by e-mail) that something happened at `url`.

    `title` is a lazy string (`casework.runner.lazy_title`, `gettext_lazy`): each recipient's
    notification, subject and body are rendered in their own language (`User.language`).
    E-mail is skipped for a recipient who opted out of `kind` (by default the key's first
    part, `email_kind`), unless the event is `critical`; the portal always tells.

    Side effects: a Notification and an OutboxMessage per recipient (not `exclude`, the person
    who did it), e-mail sent after commit.
    """
    recipients = {u.pk: u for u in users if u.is_active and (exclude is None or u.pk != exclude.pk)}
    kind = kind or email_kind(key)
    queued = []
    for user in recipients.values():
        language = recipient_language(user)
        with translation.override(language):
            text = str(title)
        Portal().notify(user=user, title=text, url=url)
        if not email_wanted(user, kind, critical=critical):
            continue
        message, created = _outbox_add(
            to=user.email, subject=title, template=template,
            context={**(context or {}), "title": title, "url": url, "recipient": user},
            key=f"{key}:{user.pk}", language=language,
        )
        if created:
            queued.append(message.pk)
    outbox_dispatch_on_commit(queued)
    return list(recipients.values())


def notification_mark_read(*, user, notification_id=None):
    """Mark one (or all) of the user's notifications read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
