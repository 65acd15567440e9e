"""Finding 4: a trusted issuer whose JWKS cannot be fetched. The last good key set is kept and
used; a failure is remembered for a short time so calls do not refetch (and wait) each time;
the fetch has a short timeout. The API's answer for an issuer problem stays a 500."""

import time

import httpx
import pytest

from balances import jwks, testissuer

# The Saldo API fixtures: the local test issuer, no network, a bank with a test key.
from tests.balances.conftest import (  # noqa: F401
    _issuer_pem,
    issuer_key,
    saldo,
    saldo_settings,
    test_key,
    two_borrowers,
)

pytestmark = pytest.mark.django_db

_real_http_get_json = jwks.http_get_json  # saldo_settings replaces it with "no network"

URL = "https://issuer.example/jwk"
MP_URL = "https://test.maskinporten.example/jwk"


@pytest.fixture
def issuer(monkeypatch, issuer_key):  # noqa: F811
    """A fake issuer at URL: serves the local issuer's keys until `down` is set."""

    class Issuer:
        down = False
        fetches: list = []

    def fake_http(url):
        Issuer.fetches.append(url)
        if Issuer.down:
            raise httpx.ConnectError("connection refused")
        return testissuer.jwks()

    Issuer.fetches = []
    monkeypatch.setattr(jwks, "http_get_json", fake_http)
    return Issuer


def test_failed_refetch_still_validates_with_the_last_good_keys(issuer, issuer_key,  # noqa: F811
                                                                settings, cache_clear_between):
    assert jwks.signing_key(URL, issuer_key.kid) is not None
    # The shared cache entry expires and this process's copy is gone: the next call refetches,
    # and the issuer is down.
    cache_clear_between(URL)
    issuer.down = True
    assert jwks.signing_key(URL, issuer_key.kid) is not None
    assert issuer.fetches == [URL, URL]
    # An unknown kid during the outage is not found (no 500), and does not refetch again.
    assert jwks.signing_key(URL, "made-up") is None
    assert issuer.fetches == [URL, URL]


@pytest.fixture
def cache_clear_between():
    from django.core.cache import cache

    def clear(url):
        cache.delete(jwks._cache_key(url))
        jwks.forget()

    return clear


def test_with_no_good_keys_a_failure_is_remembered_for_a_while(issuer, settings):
    issuer.down = True
    for _ in range(5):
        with pytest.raises(jwks.JwksUnavailable):
            jwks.signing_key(URL, "kid")
        jwks.forget()  # also across processes: the failure is in the shared cache
    assert issuer.fetches == [URL]


def test_after_the_failure_window_the_issuer_is_tried_again(issuer, settings, monkeypatch):
    issuer.down = True
    with pytest.raises(jwks.JwksUnavailable):
        jwks.signing_key(URL, "kid")
    from django.core.cache import cache

    cache.delete(jwks._cache_key(URL, "jwks-failed"))  # the window has passed
    issuer.down = False
    assert jwks.signing_key(URL, "saldo-test-session") is not None
    assert issuer.fetches == [URL, URL]


def test_the_fetch_has_a_short_timeout(monkeypatch):
    seen = {}

    def fake_get(url, timeout):
        seen["timeout"] = timeout
        raise httpx.ConnectError("refused")

    monkeypatch.setattr(httpx, "get", fake_get)
    with pytest.raises(httpx.ConnectError):
        _real_http_get_json(URL)
    timeout = seen["timeout"]
    seconds = timeout if isinstance(timeout, int | float) else max(
        t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t)
    assert seconds <= 2


def test_a_closed_port_fails_fast_and_is_not_retried(saldo_settings, monkeypatch):  # noqa: F811
    # The real HTTP client against a closed local port.
    monkeypatch.setattr(jwks, "http_get_json", _real_http_get_json)
    url = "http://127.0.0.1:9/jwk"
    started = time.monotonic()
    for _ in range(3):
        with pytest.raises(jwks.JwksUnavailable):
            jwks.signing_key(url, "kid")
    assert time.monotonic() - started < 3


def test_api_answers_500_quickly_and_fetches_once_while_the_issuer_is_down(
        saldo, settings, saldo_settings):  # noqa: F811
    settings.SALDO_MASKINPORTEN = {**settings.SALDO_MASKINPORTEN, "test": {
        "issuer": "https://test.maskinporten.example/", "jwks_url": MP_URL}}
    token = testissuer.maskinporten_token(
        orgnr=saldo.organisation.orgnr, overrides={"iss": "https://test.maskinporten.example/"})
    started = time.monotonic()
    statuses = [saldo.get(token=token).status_code for _ in range(5)]
    assert statuses == [500] * 5
    assert saldo_settings == [MP_URL]  # one attempt in the failure window
    assert time.monotonic() - started < 5
