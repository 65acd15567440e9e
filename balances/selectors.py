"""Reads the API and the process apps use."""

from django.utils import timezone

from .keys import hash_key, hashes_match
from .models import ApiAccess, ApiKey


def api_key_check(*, presented_key, environment, now=None):
    """The ApiKey for a presented key if it may call `environment` now, else None.

    None for: an unknown key, a key of the other environment, a revoked or expired key, and a
    bank without active (granted, not suspended, not offboarded) access to the environment.
    """
    if not presented_key or len(presented_key) > 200:
        return None
    now = now or timezone.now()
    key = (ApiKey.objects.select_related("organisation")
           .filter(key_hash=hash_key(presented_key)).first())
    if key is None or not hashes_match(key.key_hash, presented_key):
        return None
    if key.environment != environment or not key.is_usable(now):
        return None
    access = ApiAccess.objects.filter(organisation_id=key.organisation_id,
                                      environment=environment).first()
    if access is None or not access.is_active:
        return None
    return key


def api_keys_for_organisation(*, organisation):
    return ApiKey.objects.filter(organisation=organisation).order_by("-created_at")


def api_access_for_organisation(*, organisation):
    return ApiAccess.objects.filter(organisation=organisation)
