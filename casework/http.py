"""Facts about an HTTP request that every app reads the same way.

``client_address`` is the one place that decides who sent a request, for rate limits (login,
registration, the Saldo API) and logs. Behind proxies, REMOTE_ADDR is the nearest proxy and
the client is in X-Forwarded-For, which each proxy extends with the address it received the
request from; everything left of what our own proxies wrote may be made up by the client. So
only a configured number of entries from the right is trusted (``TRUSTED_PROXY_COUNT``):

- 0 (the default: no proxy in front): REMOTE_ADDR; X-Forwarded-For is ignored.
- N: the Nth address from the right of X-Forwarded-For (with one proxy, the last entry).
  With fewer entries than N (a request that did not pass every proxy), the leftmost one.
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> str:
    """``value`` as a normalised IP address, or "" (a port or brackets are dropped)."""
    value = value.strip()
    candidates = [value]
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        candidates.append(value[1:value.index("]")])
    elif value.count(":") == 1:  # 192.0.2.1:443
        candidates.append(value.partition(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return ""


def client_address(request) -> str:
    """The client's IP address (normalised), as far as our trusted proxies vouch for it;
    "" when there is none to be had."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted <= 0:
        return remote
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if entry.strip()]
    if not forwarded:
        return remote
    chosen = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    return _address(chosen) or remote
