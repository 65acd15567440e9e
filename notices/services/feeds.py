"""The secret tokens in a user's Atom and iCalendar feed URLs."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.errors import DomainError
from casework.services import audit_record

from .. import permissions as perms
from ..models import FeedToken


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token_regenerate(*, user):
    """A new secret for the user's Atom and iCalendar URLs; the old URLs stop working.
    Returns the token (only its hash is kept). Side effects: the FeedToken row, audit."""
    if not perms.can_read_notices(user):
        raise DomainError(_("Du har ikke tilgang til driftsmeldinger."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        FeedToken.objects.update_or_create(user=user, defaults={
            "token_hash": _token_hash(token), "created_at": timezone.now(),
            "last_used_at": None})
        audit_record(obj=user, actor=user, verb="notice_feed_token_regenerated")
    return token


def feed_token_resolve(*, token):
    """The active user a feed token belongs to, or None. Records when it was last used."""
    if not token or len(token) > 100:
        return None
    row = (FeedToken.objects.select_related("user__membership__organisation")
           .filter(token_hash=_token_hash(token)).first())
    if row is None or not row.user.is_active or not perms.can_read_notices(row.user):
        return None
    FeedToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user
