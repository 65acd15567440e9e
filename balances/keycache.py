"""The API key → bank lookup of every Saldo API call, kept in the shared cache.

An entry is written only for a key that may call: ``selectors.api_key_check`` found it usable,
and its bank's access to the key's environment active. It holds what a call needs (the bank, the
key's prefix, environment and expiry) for ``ENTRY_SECONDS``, under the key's hash. A call that
finds an entry still compares the environment and the expiry (a rotated key's grace period ends
by itself); anything else goes to the database, which also says why a key is refused. Refused
keys are never cached.

Every change that can refuse a working key drops the bank's entries: ``api_key_rotate`` (the old
key gets an expiry), ``api_key_revoke``, ``api_access_suspend`` and ``api_access_offboard`` call
``forget_organisation`` at once and again after their transaction commits. A call that misses
the cache and reads the database just before such a commit could write back what it read; so
each forget also leaves a mark on the bank for ``MARK_SECONDS``, and a fill that finds the mark
after writing its entry takes the entry back. Either the fill's look at the mark comes after the
mark was left, or its write came before the forget's delete: a suspension is in force for the
next call either way.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import selectors
from .keys import hash_key
from .models import ApiKey

logger = logging.getLogger(__name__)

ENTRY_SECONDS = 300
MARK_SECONDS = 60
MAX_KEY_LENGTH = 200
NOT_READ = object()


@dataclass(frozen=True)
class KeyGrant:
    """A key that may call, as the API uses it."""

    key_id: int
    prefix: str
    environment: str
    expires_at: dt.datetime | None
    organisation: object  # accounts.models.Organisation

    def may_call(self, environment: str, now: dt.datetime) -> bool:
        return self.environment == environment and (self.expires_at is None
                                                     or self.expires_at > now)


def entry_key(key_hash: str) -> str:
    """The cache key of the grant of the key with this hash (``keys.hash_key``)."""
    return f"saldo:apikey:{key_hash}"


def _mark_key(organisation_id: int) -> str:
    return f"saldo:apikey-forgotten:{organisation_id}"


def key_grant(*, presented_key: str, environment: str, entry=NOT_READ) -> KeyGrant | None:
    """The grant for a presented key if it may call ``environment`` now, else None.

    The same answer as ``selectors.api_key_check``; from the cache when it can be. ``entry`` is
    what the cache holds under ``entry_key`` when the caller has just read it (None: nothing).
    """
    if not presented_key or len(presented_key) > MAX_KEY_LENGTH:
        return None
    now = timezone.now()
    cache_key = entry_key(hash_key(presented_key))
    if entry is NOT_READ:
        entry = cache.get(cache_key)
    if isinstance(entry, KeyGrant) and entry.may_call(environment, now):
        return entry
    key = selectors.api_key_check(presented_key=presented_key, environment=environment, now=now)
    if key is None:
        return None
    grant = KeyGrant(key.pk, key.prefix, key.environment, key.expires_at, key.organisation)
    cache.set(cache_key, grant, ENTRY_SECONDS)
    if cache.get(_mark_key(key.organisation_id)) is not None:
        cache.delete(cache_key)  # a forget ran meanwhile: what was read may be old
    return grant


def _forget(organisation_id: int) -> None:
    hashes = ApiKey.objects.filter(organisation_id=organisation_id).values_list("key_hash",
                                                                                flat=True)
    entries = [entry_key(key_hash) for key_hash in hashes]
    try:
        cache.set(_mark_key(organisation_id), 1, MARK_SECONDS)
        cache.delete_many(entries)
    except Exception:
        # The change itself must stand (a suspension after a breach above all); with the cache
        # unreachable the API cannot answer either, and entries end after ENTRY_SECONDS.
        logger.exception("Cached API keys of organisation %s could not be dropped",
                         organisation_id)


def forget_organisation(*, organisation_id: int) -> None:
    """Drop the cached grants of every key of a bank, now and after the current transaction
    commits (services call this when a key or the bank's access changes).

    Side effects: cache entries deleted, a mark left on the bank for MARK_SECONDS.
    """
    _forget(organisation_id)
    transaction.on_commit(lambda: _forget(organisation_id), robust=True)
