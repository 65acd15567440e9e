"""Writes for API access and keys. Onboarding and the breach cases call these; balances never
imports a process app."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.errors import DomainError
from casework.services import audit_record

from .keys import generate_key, hash_key, key_prefix
from .models import ApiAccess, ApiKey, Environment

MAX_ROTATION_GRACE = timedelta(days=7)


def api_access_grant(*, organisation, environment, by):
    """Give a bank access to an environment (and the Maskinporten scope for its orgnr).

    Side effects: an ApiAccess row (re-activated if it was offboarded), an audit event.
    """
    if environment not in Environment.values:
        raise DomainError(_("Ukjent miljø."))
    with transaction.atomic():
        access, created = ApiAccess.objects.select_for_update().get_or_create(
            organisation=organisation, environment=environment,
            defaults={"granted_by": by})
        if not created:
            access.offboarded_at = None
            access.granted_at = timezone.now()
            access.granted_by = by
            access.save()
        audit_record(obj=organisation, actor=by, verb="api_access_granted",
                     data={"environment": environment, "scope": access.scope})
    return access


def api_key_issue(*, organisation, environment, by):
    """Create an API key. Returns (ApiKey, the key in clear) — the only time it is seen.

    Side effects: an ApiKey row (hash only), an audit event (never the key).
    """
    if environment not in Environment.values:
        raise DomainError(_("Ukjent miljø."))
    plaintext = generate_key(environment)
    with transaction.atomic():
        key = ApiKey.objects.create(organisation=organisation, environment=environment,
                                    prefix=key_prefix(plaintext), key_hash=hash_key(plaintext),
                                    created_by=by)
        audit_record(obj=organisation, actor=by, verb="api_key_issued",
                     data={"environment": environment, "prefix": key.prefix})
    return key, plaintext


def api_key_rotate(*, key, by, grace):
    """Replace a key; the old one keeps working for `grace` (at most 7 days).

    Returns (new ApiKey, new key in clear). Side effects: new key, old key's expiry, audit.
    """
    if grace < timedelta(0) or grace > MAX_ROTATION_GRACE:
        raise DomainError(_("Overgangsperioden må være mellom 0 og 7 dager."))
    with transaction.atomic():
        old = ApiKey.objects.select_for_update().get(pk=key.pk)
        if not old.is_usable():
            raise DomainError(_("Nøkkelen er allerede trukket tilbake eller utløpt."))
        new, plaintext = api_key_issue(organisation=old.organisation,
                                       environment=old.environment, by=by)
        old.expires_at = timezone.now() + grace
        old.replaced_by = new
        old.save(update_fields=["expires_at", "replaced_by"])
        audit_record(obj=old.organisation, actor=by, verb="api_key_rotated",
                     data={"old": old.prefix, "new": new.prefix,
                           "grace_seconds": int(grace.total_seconds())})
    return new, plaintext


def api_key_revoke(*, key, by):
    """Stop a key at once. Side effects: revoked_at set, audit."""
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(obj=key.organisation, actor=by, verb="api_key_revoked",
                         data={"prefix": key.prefix})
    return key


def api_access_suspend(*, organisation, by, reason):
    """Refuse every call from the bank at once (e.g. after a security breach).

    Side effects: suspended_at on all the bank's access rows, audit.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Oppgi en begrunnelse for suspensjonen."))
    with transaction.atomic():
        now = timezone.now()
        updated = ApiAccess.objects.filter(organisation=organisation,
                                           suspended_at__isnull=True).update(
            suspended_at=now, suspended_reason=reason)
        audit_record(obj=organisation, actor=by, verb="api_access_suspended",
                     data={"reason": reason, "environments": updated})
    return updated


def api_access_unsuspend(*, organisation, by):
    """Lift a suspension. Side effects: suspended_at cleared, audit."""
    with transaction.atomic():
        updated = ApiAccess.objects.filter(organisation=organisation,
                                           suspended_at__isnull=False).update(
            suspended_at=None, suspended_reason="")
        audit_record(obj=organisation, actor=by, verb="api_access_unsuspended")
    return updated


def api_access_offboard(*, organisation, by):
    """End the bank's use of the service: access closed, every key revoked.

    Side effects: offboarded_at on access rows, revoked_at on keys, audit.
    """
    with transaction.atomic():
        now = timezone.now()
        ApiAccess.objects.filter(organisation=organisation, offboarded_at__isnull=True).update(
            offboarded_at=now)
        ApiKey.objects.filter(organisation=organisation, revoked_at__isnull=True).update(
            revoked_at=now)
        audit_record(obj=organisation, actor=by, verb="api_access_offboarded")
