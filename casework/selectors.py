"""Reads every case type shares: which bank-facing cases a person may see, and a case's
timeline and attachments."""

from django.contrib.contenttypes.models import ContentType

from accounts.permissions import is_bank_user, is_bits, is_lanekassen

from .models import Attachment, AuditEvent, Message


def cases_for_user(qs, *, user, lanekassen):
    """The bank-facing cases of `qs` that `user` may see: Bits every one, Lånekassen those
    handed over to it (`lanekassen`, a Q: escalated, forwarded), a bank its own, anyone else
    none."""
    if is_bits(user):
        return qs
    if is_lanekassen(user):
        return qs.filter(lanekassen)
    if is_bank_user(user):
        return qs.filter(organisation_id=user.membership.organisation_id)
    return qs.none()


def _for(model, obj):
    return model.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def timeline_for(*, obj, visibilities):
    """Messages, attachments and audit events of a case, oldest first, as one list.

    `visibilities` is what the viewer may see (the process app's permission decides).
    """
    messages = list(_for(Message, obj).filter(visibility__in=visibilities)
                    # The author's organisation: a case type may show it (change requests).
                    .select_related("author__membership__organisation")
                    .prefetch_related("attachments"))
    loose = list(_for(Attachment, obj).filter(message__isnull=True,
                                              visibility__in=visibilities)
                 .select_related("uploaded_by"))
    events = list(_for(AuditEvent, obj).select_related("actor"))
    entries = ([("message", m.created_at, m) for m in messages]
               + [("attachment", a.created_at, a) for a in loose]
               + [("event", e.created_at, e) for e in events])
    entries.sort(key=lambda e: (e[1], {"event": 0, "message": 1, "attachment": 2}[e[0]]))
    return [{"kind": kind, "at": at, "item": item} for kind, at, item in entries]


def attachment_for(*, obj, pk, visibilities):
    return _for(Attachment, obj).filter(pk=pk, visibility__in=visibilities).first()
