"""Links from cases of other processes (an error report, a change request) to notices.

The case is found by the view through its owner's user-scoped selector
(`casework.registry.linkable_get_for_user`); these services get the case itself."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from casework.errors import DomainError
from casework.services import audit_record

from .. import permissions as perms
from ..models import NoticeLink, NoticeRecipient


def notice_link_add(*, notice, obj, by, organisation=None):
    """Link a notice to a case of another process (an error report, a change request).

    The case's bank (`organisation`, or `obj.organisation`) may then open the notice even if it
    was not among its recipients. Side effects: a NoticeLink, maybe a NoticeRecipient (linked),
    audit on the notice.
    """
    if not perms.can_link(by):
        raise DomainError(_("Bare Bits og Lånekassen kan lenke til driftsmeldinger."))
    if notice.published_at is None:
        raise DomainError(_("Bare publiserte driftsmeldinger kan lenkes til en sak."))
    organisation = organisation or getattr(obj, "organisation", None)
    with transaction.atomic():
        link, created = NoticeLink.objects.get_or_create(
            notice=notice, content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk, defaults={"linked_by": by})
        if organisation is not None:
            NoticeRecipient.objects.get_or_create(
                notice=notice, organisation=organisation,
                defaults={"reason": NoticeRecipient.Reason.LINKED})
        if created:
            audit_record(obj=notice, actor=by, verb="linked",
                         data={"model": link.content_type.model, "object_id": obj.pk})
    return link


def notice_link_remove(*, notice, obj, by):
    """Remove a link. The bank keeps seeing a notice that was sent to it. Side effects: audit.
    """
    if not perms.can_link(by):
        raise DomainError(_("Bare Bits og Lånekassen kan fjerne lenker."))
    with transaction.atomic():
        deleted, _rows = NoticeLink.objects.filter(
            notice=notice, content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk).delete()
        if deleted:
            audit_record(obj=notice, actor=by, verb="unlinked",
                         data={"object_id": obj.pk})
    return bool(deleted)
