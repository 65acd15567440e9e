"""Writes every process shares. Callers hold the transaction; these only add rows to it."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .attachments import attachment_filename, validate_upload
from .models import Attachment, AuditEvent, Message, ReferenceSequence


def audit_record(*, obj, actor, verb, from_state="", to_state="", data=None):
    """Write an audit event for `obj`. Side effects: one AuditEvent row."""
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        from_state=from_state or "",
        to_state=to_state or "",
        data=data or {},
    )


def reference_next(*, prefix, year):
    """The next reference number for a prefix and year, e.g. FM-2026-0001.

    The sequence row is locked so that two reports filed at once never share a number.
    """
    with transaction.atomic():
        seq, _ = ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
        seq = ReferenceSequence.objects.select_for_update().get(pk=seq.pk)
        seq.last += 1
        seq.save(update_fields=["last"])
    return f"{prefix}-{year}-{seq.last:04d}"


def message_add(*, obj, author, body, visibility=Message.Visibility.PUBLIC):
    """Add a reply or note to a case's timeline. Side effects: one Message row."""
    return Message.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
        author=author, body=body, visibility=visibility,
    )


def attachments_validate(files):
    """Check every file before anything is saved, so a bad file saves nothing."""
    return [(f, validate_upload(f)) for f in files]


def attachments_add(*, obj, uploaded_by, files, message=None,
                    visibility=Message.Visibility.PUBLIC):
    """Store validated files on a case. Side effects: Attachment rows and files on disk."""
    content_type = ContentType.objects.get_for_model(obj)
    created = []
    for upload, mime in attachments_validate(files):
        created.append(Attachment.objects.create(
            content_type=content_type, object_id=obj.pk, message=message,
            visibility=visibility, file=upload, filename=attachment_filename(upload.name, mime),
            mime_type=mime, size=upload.size, uploaded_by=uploaded_by,
        ))
    return created
