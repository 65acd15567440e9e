"""The Saldo API's round trips to the shared cache: fixed-window counters for its throttles, and
reading what it remembers about a call together with counting that call, in one go.

A counter is one cache entry per key and window (the window's number is part of the name), so
it ends by itself. On Redis (PostgreSQL deployments) the commands of one step go in one
pipeline, one round trip: INCR and EXPIRE for a count, and MGET with them for ``read``; the
pipeline is written out here (``_round_trip``), on a connection each thread holds. They
work on the very entries Django's cache reads and writes (its key names, its serializer; it
stores integers unpickled, so ``cache.get`` reads a count). On any other cache (the embedded
default's local memory, where there is no round trip to save) the same is done through
Django's cache API.
"""

from __future__ import annotations

import functools
import math
import os
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
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
    make_key = caches[DEFAULT_CACHE_ALIAS].make_key
    commands = []
    if names:
        commands.append(("MGET", *(make_key(name) for name in names)))
    if counting is not None:
        key = make_key(counting.key)
        commands += [("INCR", key), ("EXPIRE", key, counting.seconds + 1)]
    if not commands:
        return {}, None
    replies = _round_trip(client, commands)
    found = {}
    if names:
        loads = _serializer.loads
        found = {name: loads(value)
                 for name, value in zip(names, replies[0], strict=True) if value is not None}
    return found, replies[-2] if counting is not None else None


def _round_trip(client, commands: list[tuple]) -> list:
    """The replies to ``commands``, sent in one write: a pipeline, written out, on this
    thread's own connection (``_connection``). A connection found broken (Redis restarted) is
    made again once, as redis-py's own retry would."""
    from redis.exceptions import ConnectionError as Broken
    from redis.exceptions import TimeoutError as TimedOut

    for attempt in (1, 2):
        connection = _connection(client)
        try:
            # redis-py's own packing (RESP), as its pipeline does it.
            connection.send_packed_command(connection.pack_commands(commands))
            return [connection.read_response() for _command in commands]
        except (Broken, TimedOut):
            connection.disconnect()
            if attempt == 2:
                raise
        except BaseException:
            # A reply left unread would be taken for the answer to the next command sent.
            connection.disconnect()
            raise


_held = threading.local()


def _connection(client):
    """This thread's connection to ``client``'s Redis, made as its pool makes them. Checking a
    connection out of redis-py's pool (a poll of the socket, locks, bookkeeping) costs a Saldo
    API call more than its round trip; a thread holds its own instead, and a forked process
    makes its own."""
    held = getattr(_held, "connection", None)
    if held is None or held[0] is not client or held[1] != os.getpid():
        pool = client.connection_pool
        held = _held.connection = (client, os.getpid(),
                                   pool.connection_class(**pool.connection_kwargs))
    return held[2]
