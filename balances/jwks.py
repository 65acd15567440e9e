"""Public signing keys of the token issuers (JWKS), fetched from their URLs and cached.

Two layers: the Django cache (shared by every web process, ``SALDO_JWKS_CACHE_SECONDS``) and a
short-lived copy of the parsed keys in each process. A token with a ``kid`` that is not in the
set makes one refetch — the issuer may have rotated its keys — but at most once every
``SALDO_JWKS_REFRESH_MIN_SECONDS`` per URL, so a stream of made-up kids costs nothing.

When a fetch fails, the last good key set of that URL (kept in the cache for
``LAST_GOOD_SECONDS``) is used, and the failure is remembered for
``SALDO_JWKS_FAILURE_SECONDS``: until then calls use those keys, or fail at once if there are
none, without going to the network again. The fetch itself has a short timeout
(``SALDO_JWKS_HTTP_TIMEOUT``).

The local test issuer's JWKS is read in-process rather than over HTTP (a sync worker calling
its own server could wait for itself).
"""

import hashlib
import logging
import threading
import time

import httpx
from django.conf import settings
from django.core.cache import cache
from jwt import PyJWK
from jwt.exceptions import PyJWKError, PyJWTError

from . import conf

logger = logging.getLogger(__name__)

PROCESS_SECONDS = 60
# How long the last good key set stands in for an issuer whose JWKS cannot be fetched.
LAST_GOOD_SECONDS = 7 * 24 * 3600
_process: dict[str, tuple[float, dict[str, PyJWK]]] = {}
_lock = threading.Lock()


class JwksUnavailable(Exception):
    """The issuer's keys could not be fetched: our side cannot verify anything (500)."""


def http_get_json(url: str) -> dict:
    """The one place that goes to the network (tests replace it)."""
    response = httpx.get(url, timeout=settings.SALDO_JWKS_HTTP_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document


def fetch_jwks(url: str) -> dict:
    """The JWKS document at ``url`` (following ``jwks_uri`` if it is OAuth metadata)."""
    if conf.test_issuer_enabled() and url == conf.test_issuer_names()["jwks_url"]:
        from . import testissuer

        return testissuer.jwks()
    try:
        document = http_get_json(url)
        if "keys" not in document and isinstance(document.get("jwks_uri"), str):
            document = http_get_json(document["jwks_uri"])
    except (httpx.HTTPError, ValueError) as exc:
        logger.warning("JWKS fetch failed for %s: %s", url, exc)
        raise JwksUnavailable(url) from exc
    if not isinstance(document.get("keys"), list):
        raise JwksUnavailable(url)
    return document


def parse_keys(document: dict) -> dict[str, PyJWK]:
    """RSA signing keys by kid; anything else in the set is ignored."""
    keys = {}
    for entry in document.get("keys", []):
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[kid] = PyJWK(entry, algorithm="RS256")
        except (PyJWKError, PyJWTError, ValueError, TypeError):
            continue
    return keys


def _cache_key(url: str, kind: str = "jwks") -> str:
    return f"saldo:{kind}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"


def _remember(url: str, document: dict, seconds: float = PROCESS_SECONDS) -> dict[str, PyJWK]:
    keys = parse_keys(document)
    seconds = min(seconds, settings.SALDO_JWKS_CACHE_SECONDS)
    with _lock:
        _process[url] = (time.monotonic() + seconds, keys)
    return keys


def _last_good(url: str) -> dict[str, PyJWK]:
    """The keys of the last successful fetch of `url`, while its issuer cannot be reached;
    JwksUnavailable if it never could."""
    document = cache.get(_cache_key(url, "jwks-last-good"))
    if document is None:
        raise JwksUnavailable(url)
    return _remember(url, document, settings.SALDO_JWKS_FAILURE_SECONDS)


def _fetch_and_share(url: str) -> dict[str, PyJWK]:
    failed = _cache_key(url, "jwks-failed")
    if cache.get(failed):
        return _last_good(url)
    try:
        document = fetch_jwks(url)
    except JwksUnavailable:
        cache.set(failed, 1, settings.SALDO_JWKS_FAILURE_SECONDS)
        return _last_good(url)
    cache.set(_cache_key(url), document, settings.SALDO_JWKS_CACHE_SECONDS)
    cache.set(_cache_key(url, "jwks-last-good"), document, LAST_GOOD_SECONDS)
    return _remember(url, document)


def _keys(url: str) -> dict[str, PyJWK]:
    entry = _process.get(url)
    if entry and entry[0] > time.monotonic():
        return entry[1]
    document = cache.get(_cache_key(url))
    if document is not None:
        return _remember(url, document)
    return _fetch_and_share(url)


def signing_key(url: str, kid: str) -> PyJWK | None:
    """The key ``kid`` of the JWKS at ``url``, or None if the issuer does not publish it.

    Raises JwksUnavailable if the keys cannot be fetched at all.
    """
    keys = _keys(url)
    if kid in keys:
        return keys[kid]
    # Another process may already have fetched the rotated set.
    document = cache.get(_cache_key(url))
    if document is not None:
        keys = _remember(url, document)
        if kid in keys:
            return keys[kid]
    if not cache.add(_cache_key(url, "jwks-refresh"), 1, settings.SALDO_JWKS_REFRESH_MIN_SECONDS):
        return None
    return _fetch_and_share(url).get(kid)


def forget() -> None:
    """Drop this process's copies (tests; after a key rotation of the local issuer)."""
    with _lock:
        _process.clear()
