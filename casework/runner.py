"""The one way a case changes: every transition of every case type runs through here.

In one `atomic()` block, in this order:
1. lock the case row (`select_for_update(of=self)`, so a nullable join is never locked) and
   decide on that fresh copy, not on the page the person loaded;
2. check that the transition can proceed from the current status (else: "it moved");
3. check the permission with django-fsm's `has_transition_perm` — always: the portal itself
   acts as the explicit `SYSTEM` actor, and `by=None` is an error, never "skip the check";
4. run the transition (fields only), then the optional hook (onboarding's grants through
   `balances`: a hook that raises rolls everything back);
5. save, with `status_changed_at` when the status moved;
6. add the timeline message and its attachments;
7. write the audit event (before and after state);
8. queue the notifications, with idempotency keys derived from the audit event, so a retried
   service can be de-duplicated and two events never share a key.

Mail and webhooks leave after commit (the outbox); a rollback queues nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from notifications.services import notify

from .errors import DomainError
from .models import Message
from .services import attachments_add, attachments_validate, audit_record, message_add


class SystemActor:
    """The portal itself, acting from a beat task (auto-close, reminders, scheduled steps).

    Permission predicates see an unauthenticated actor and say no, unless they allow the
    system explicitly (`system_only`). Audit events and messages record no person.
    """

    pk = None
    id = None
    is_authenticated = False
    is_anonymous = False
    is_active = False
    email = ""

    def __str__(self):
        return "system"

    def __repr__(self):
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(user) -> bool:
    return user is SYSTEM


def system_only(case, user) -> bool:
    """A transition only the portal performs (closing after a quiet period)."""
    return is_system(user)


@dataclass(frozen=True)
class Tell:
    """Who hears about a case event, and the title they see (the reference is prefixed).

    `event` tells apart two groups told of the same event with different titles.
    """

    users: Iterable
    title: str  # a lazy string (`lazy_title`, `gettext_lazy`): rendered per recipient
    event: str = ""


def _title_render(msgid, params):
    text = _(str(msgid))
    return text % params if params else text


_title_lazy = lazy(_title_render, str)


def lazy_title(msgid, **params):
    """A notification title translated when it is shown, not when it is made: each recipient
    reads it in their own language (`notify` renders it per recipient). Mark `msgid` for the
    catalogue with `gettext_noop` or `gettext_lazy`; `params` fill its `%(name)s` places."""
    return _title_lazy(msgid, params)


def require_text(text, message, field="text"):
    """The stripped text, or a DomainError on `field` when there is none."""
    text = (text or "").strip()
    if not text:
        raise DomainError(message, field=field)
    return text


def case_lock(case):
    """A fresh copy of `case` with its own row locked for the rest of the transaction."""
    model = type(case)
    return (model.objects.select_for_update(of=("self",))
            .select_related(*getattr(model, "lock_related", ())).get(pk=case.pk))


def _check_actor(by):
    if by is None:
        raise TypeError("`by` is required: pass casework.runner.SYSTEM for the portal itself")


def _author(by):
    return by if getattr(by, "is_authenticated", False) else None


def case_tell(case, by, tells, key):
    """Queue the notifications for one case event; `key` identifies the event (its audit
    event), so the same event never notifies twice."""
    for tell in tells or ():
        notify(users=list(tell.users), title=format_lazy("{}: {}", case.reference, tell.title),
               url=case.get_absolute_url(), key=f"{key}:{tell.event}", exclude=by,
               context={"summary": case.headline() if hasattr(case, "headline") else str(case)})


def _event_key(case, event):
    return f"{case._meta.label_lower}:{case.pk}:{event.pk}"


def _finish(case, by, *, verb, before, data, message, visibility, files, tell, audit=True,
            on_event=None):
    """What every case event does after its change: save, message, attachments, audit, tell."""
    if before != case.status:
        case.status_changed_at = timezone.now()
    case.save()
    msg = None
    if message:
        msg = message_add(obj=case, author=_author(by), body=message, visibility=visibility)
    if files:
        attachments_add(obj=case, uploaded_by=_author(by), files=files, message=msg,
                        visibility=visibility)
    if audit:
        event = audit_record(obj=case, actor=by, verb=verb, from_state=before,
                             to_state=case.status if before != case.status else "", data=data)
        key = _event_key(case, event)
        if on_event is not None:
            on_event(case, event)
    else:
        # A reply is recorded by its message: that, not an audit event, names what happened.
        key = f"{case._meta.label_lower}:{case.pk}:message:{msg.pk}"
    case_tell(case, by, tell(case) if callable(tell) else tell, key)
    return msg


def transition_run(*, case, by, name, verb, args=(), hook=None, data=None, message=None,
                   visibility=Message.Visibility.PUBLIC, files=(), tell=None, on_event=None):
    """Run the FSM transition `name` on `case` for `by`, as described in the module docstring.

    `args` are the transition's arguments, or a callable taking the locked case that returns
    them (when they depend on the fresh row). `hook(case)` runs after the transition, before
    the save. `data` (for the audit event) may likewise be a callable taking the changed case.
    `tell` is a list of `Tell`, or a callable taking the saved case that returns one.
    `on_event(case, event)` runs last, in the transaction, with the audit event: for an
    outbox row of the case type's own (a mail with its own template) keyed by that event.

    Side effects: the case saved, a message and attachments, one audit event, notifications
    (portal and e-mail after commit). Returns the locked, saved case.
    """
    _check_actor(by)
    attachments_validate(files)  # a bad file saves nothing
    with transaction.atomic():
        case = case_lock(case)
        method = getattr(case, name)
        if not can_proceed(method):
            raise DomainError(_("Saken har endret status i mellomtiden (nå: %(status)s). Last "
                                "siden på nytt og se hva som er gjort.") % {
                                    "status": case.get_status_display()})
        if not has_transition_perm(method, by):
            raise DomainError(_("Du har ikke lov til å gjøre dette på denne saken."))
        before = case.status
        method(*(args(case) if callable(args) else args))
        if hook is not None:
            hook(case)
        if callable(data):
            data = data(case)
        _finish(case, by, verb=verb, before=before, data=data, message=message,
                visibility=visibility, files=files, tell=tell, on_event=on_event)
    return case


def case_update(*, case, by, allowed, verb, change=None, denied=None, data=None, message=None,
                visibility=Message.Visibility.PUBLIC, files=(), tell=None, audit=True,
                on_event=None):
    """A case event that is not a status transition (suspend, reclassify, a reply): the same
    steps as `transition_run`, with the predicate `allowed(case, by)` checked on the locked row
    and `change(case)` making the change (it may return data for the audit event, or raise).
    `audit=False` is for a reply or note that changes no status: its message is the record (an
    audit event would show on the timeline of readers the message is hidden from), and it
    keys the notifications.

    Side effects: as `transition_run`. Returns (the case, the message or None).
    """
    _check_actor(by)
    if not audit and not message:
        raise TypeError("`audit=False` needs a `message`: it is the record of the event")
    attachments_validate(files)
    with transaction.atomic():
        case = case_lock(case)
        if not allowed(case, by):
            raise DomainError(denied or _("Du har ikke lov til å gjøre dette på denne saken."))
        before = case.status
        changed = change(case) if change is not None else None
        msg = _finish(case, by, verb=verb, before=before, data={**(data or {}),
                                                                 **(changed or {})},
                      message=message, visibility=visibility, files=files, tell=tell,
                      audit=audit, on_event=on_event)
    return case, msg


def case_open(*, model, by, prefix, fields, verb, data=None, files=(), tell=None,
              message=None, visibility=Message.Visibility.PUBLIC, on_event=None):
    """Create a case of `model` with the next reference for `prefix` (FM, OB, ...).
    `on_event(case, event)` runs last, in the transaction, as in `transition_run`.

    Side effects: the case, attachments, an audit event, notifications. Returns the case.
    """
    from .services import reference_next

    _check_actor(by)
    attachments_validate(files)
    now = fields.get("created_at") or timezone.now()
    with transaction.atomic():
        case = model(reference=reference_next(prefix=prefix, year=timezone.localtime(now).year),
                     created_at=now, status_changed_at=now, **{
                         k: v for k, v in fields.items() if k != "created_at"})
        prepare = getattr(case, "prepare_new", None)
        if prepare is not None:
            prepare()
        case.save()
        event = audit_record(obj=case, actor=by, verb=verb, to_state=case.status, data=data)
        msg = None
        if message:
            msg = message_add(obj=case, author=_author(by), body=message, visibility=visibility)
        if files:
            attachments_add(obj=case, uploaded_by=_author(by), files=files, message=msg,
                            visibility=visibility)
        case_tell(case, by, tell(case) if callable(tell) else tell, _event_key(case, event))
        if on_event is not None:
            on_event(case, event)
    return case


def transitions_for(case, user) -> set[str]:
    """The names of the transitions `user` may run on `case` now."""
    return {t.name for t in case.get_available_user_status_transitions(user)}

