"""JWKS fetching and caching: keys from the issuers' URLs, shared through the cache, refetched
on an unknown kid but not more often than the setting allows."""

import pytest
from django.core.cache import cache

from balances import jwks, testissuer

pytestmark = pytest.mark.django_db

URL = "https://issuer.example/jwk"


@pytest.fixture
def served(monkeypatch, issuer_key):
    """A fake issuer at URL serving the local test issuer's keys; counts fetches."""
    fetched = []

    def fake_http(url):
        fetched.append(url)
        return testissuer.jwks()

    monkeypatch.setattr(jwks, "http_get_json", fake_http)
    return fetched


def test_keys_are_fetched_once_and_then_served_from_the_caches(served, issuer_key):
    assert jwks.signing_key(URL, issuer_key.kid) is not None
    assert jwks.signing_key(URL, issuer_key.kid) is not None
    jwks.forget()  # another process: reads the shared cache, not the network
    assert jwks.signing_key(URL, issuer_key.kid) is not None
    assert served == [URL]


def test_unknown_kid_refetches_at_most_once_per_interval(served, settings):
    settings.SALDO_JWKS_REFRESH_MIN_SECONDS = 60
    jwks.signing_key(URL, "nope-1")
    jwks.signing_key(URL, "nope-2")
    jwks.signing_key(URL, "nope-3")
    assert served == [URL, URL]  # the first load, and one refresh


def test_rotated_key_is_found_after_a_refresh(served, issuer_key):
    assert jwks.signing_key(URL, issuer_key.kid)
    new = testissuer.key_rotate()
    assert jwks.signing_key(URL, new.kid) is not None
    assert jwks.signing_key(URL, issuer_key.kid) is not None  # the old one is still published


def test_keys_that_are_not_rsa_signing_keys_are_ignored(issuer_key):
    [good] = testissuer.jwks()["keys"]
    document = {"keys": [
        good,
        {**good, "kid": "enc", "use": "enc"},
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "x", "y": "y"},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
        {"kty": "RSA", "n": good["n"], "e": good["e"]},  # no kid
        "not a key",
    ]}
    assert list(jwks.parse_keys(document)) == [good["kid"]]


def test_oauth_metadata_is_followed_to_its_jwks_uri(monkeypatch, issuer_key):
    documents = {"https://as.example/.well-known/oauth-authorization-server":
                 {"jwks_uri": "https://as.example/keys"},
                 "https://as.example/keys": testissuer.jwks()}
    monkeypatch.setattr(jwks, "http_get_json", lambda url: documents[url])
    document = jwks.fetch_jwks("https://as.example/.well-known/oauth-authorization-server")
    assert document["keys"][0]["kid"] == issuer_key.kid


@pytest.mark.parametrize("document", [{"keys": "none"}, {"issuer": "x"}])
def test_a_document_without_keys_is_unavailable(monkeypatch, document):
    monkeypatch.setattr(jwks, "http_get_json", lambda url: document)
    with pytest.raises(jwks.JwksUnavailable):
        jwks.fetch_jwks(URL)


def test_network_failure_is_unavailable_and_not_cached(saldo_settings):
    with pytest.raises(jwks.JwksUnavailable):
        jwks.signing_key(URL, "kid")
    assert cache.get(jwks._cache_key(URL)) is None
    assert saldo_settings == [URL]


def test_local_issuer_keys_are_read_in_process(issuer_key, saldo_settings):
    url = testissuer.conf.test_issuer_names()["jwks_url"]
    assert jwks.signing_key(url, issuer_key.kid) is not None
    assert saldo_settings == []  # no network
