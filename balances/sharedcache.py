"""The Saldo API's round trips to the shared cache: fixed-window counters for its throttles, and
reading what it remembers about a call together with counting that call, in one go.

A counter is one cache entry per key and window (the window's number is part of the name), so
it ends by itself. On Redis (PostgreSQL deployments) the commands of one step go in one
pipeline, one round trip: INCR and EXPIRE for a count, and MGET with them for ``read``. They
work on the very entries Django's cache reads and writes (its key names, its serializer; it
stores integers unpickled, so ``cache.get`` reads a count). On any other cache (the embedded
default's local memory, where there is no round trip to save) the same is done through
Django's cache API.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisSerializer

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
_serializer = RedisSerializer()


@dataclass(frozen=True)
class Window:
    """The current window of one counter: its cache key, length, and seconds until it ends."""

    key: str
    seconds: int
    retry_after: int


def window(name: str, seconds: int) -> Window:
    now = time.time()
    slot = int(now // seconds)
    return Window(f"{name}:{slot}", seconds, max(1, math.ceil((slot + 1) * seconds - now)))


@functools.cache
def _redis_client(location: str):
    import redis

    return redis.Redis.from_url(location)


def _redis():
    """A client for the one Redis behind Django's default cache, or None on another cache."""
    config = settings.CACHES.get("default", {})
    location = config.get("LOCATION")
    if config.get("BACKEND") != REDIS_BACKEND or not isinstance(location, str):
        return None
    return _redis_client(location)


def _count_locally(current: Window) -> int:
    cache.add(current.key, 0, current.seconds + 1)
    try:
        return cache.incr(current.key)
    except ValueError:  # the entry ended between add and incr
        cache.set(current.key, 1, current.seconds + 1)
        return 1


def count(current: Window) -> int:
    """Count one more in ``current``; the count so far, this one included."""
    return read([], current)[1]


def counted(current: Window) -> int:
    """The count in ``current`` so far (nothing is counted)."""
    return int(cache.get(current.key) or 0)


def read(names: list[str], counting: Window | None = None) -> tuple[dict, int | None]:
    """({name: value} for the names the cache holds, the count in ``counting`` with one more
    counted, or None when there is nothing to count)."""
    client = _redis()
    if client is None:
        found = cache.get_many(names) if names else {}
        return found, _count_locally(counting) if counting is not None else None
    pipe = client.pipeline(transaction=False)
    keys = [cache.make_key(name) for name in names]
    if keys:
        pipe.mget(keys)
    if counting is not None:
        key = cache.make_key(counting.key)
        pipe.incr(key)
        pipe.expire(key, counting.seconds + 1)
    results = pipe.execute()
    found = {}
    if keys:
        found = {name: _serializer.loads(value)
                 for name, value in zip(names, results[0], strict=True) if value is not None}
    return found, results[-2] if counting is not None else None
