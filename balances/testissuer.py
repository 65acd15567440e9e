"""The local test issuer: a Maskinporten and Altinn look-alike for the test environment.

It has its own RSA keys (generated once, kept in the database so every web process shares them),
publishes them as a JWKS, and mints the two tokens a bank sends: a Maskinporten access token
(optionally with an Altinn 3 consent inside) and an Altinn 2 consent token. The API verifies
them on exactly the production path — only the trusted issuer differs — and trusts them only in
the test environment and only when ``SALDO_TEST_ISSUER_ENABLED`` (``conf.test_issuer_enabled``).
"""

import datetime as dt
import functools
import secrets
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwt.algorithms import RSAAlgorithm

from . import conf
from .models import SALDO_SCOPE, TestIssuerKey

TOKEN_LIFETIME = dt.timedelta(seconds=120)  # as Maskinporten's
CONSENT_TOKEN_LIFETIME = dt.timedelta(seconds=30)  # as Altinn's
CONSENT_VALIDITY = dt.timedelta(days=90)


class TestIssuerDisabled(Exception):
    __test__ = False


def _require_enabled() -> None:
    if not conf.test_issuer_enabled():
        raise TestIssuerDisabled(
            "The local test issuer is disabled (SALDO_TEST_ISSUER_ENABLED is off or the test "
            "environment is not served).")


def _new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@functools.lru_cache(maxsize=16)
def _load_private_key(pem: str):
    # Loading checks the RSA key, which is slow; the same PEM is loaded once per process.
    return serialization.load_pem_private_key(pem.encode(), password=None)


def _create_key() -> TestIssuerKey:
    return TestIssuerKey.objects.create(kid=f"saldo-test-{secrets.token_hex(8)}",
                                        private_key_pem=_new_private_key_pem())


def signing_key() -> TestIssuerKey:
    """The newest active key, created on first use."""
    _require_enabled()
    key = TestIssuerKey.objects.filter(retired_at__isnull=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            # Two processes starting at once: both may create one; the newest is used and both
            # are published, so either signature verifies.
            return _create_key()
    except IntegrityError:  # pragma: no cover - a kid collision of 64 random bits
        return TestIssuerKey.objects.filter(retired_at__isnull=True).first()


def key_rotate() -> TestIssuerKey:
    """Add a new signing key; older ones stay published so that tokens already out verify."""
    _require_enabled()
    return _create_key()


def jwks() -> dict:
    """The public keys of every key not retired, as a JWKS document."""
    _require_enabled()
    keys = []
    for key in TestIssuerKey.objects.filter(retired_at__isnull=True):
        private = _load_private_key(key.private_key_pem)
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        jwk.update({"kid": key.kid, "use": "sig", "alg": "RS256"})
        keys.append(jwk)
    return {"keys": keys}


def public_key_pem() -> bytes:
    """The current public key in PEM (tests use it to forge HS256 tokens with it)."""
    private = _load_private_key(signing_key().private_key_pem)
    return private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(claims: dict, *, headers: dict | None = None) -> str:
    """Sign any claims RS256 with the current key (tests build hostile tokens with it)."""
    key = signing_key()
    return jwt.encode(claims, _load_private_key(key.private_key_pem), algorithm="RS256",
                      headers={"kid": key.kid, **(headers or {})})


def altinn3_consent(*, fnr: str, orgnr: str, valid_to: dt.datetime | None = None,
                    resource: str | None = None) -> dict:
    """An ``authorization_details`` entry as Altinn 3 puts a consent in a Maskinporten token."""
    now = timezone.now()
    return {
        "type": "urn:altinn:consent",
        "id": str(uuid.uuid4()),
        "from": f"urn:altinn:person:identifier-no:{fnr}",
        "to": {"authority": "iso6523-actorid-upis", "ID": f"0192:{orgnr}"},
        "consented": now.isoformat(),
        "validTo": (valid_to or now + CONSENT_VALIDITY).isoformat(),
        "consentRights": [{"action": ["consent"], "resource": [
            {"type": "urn:altinn:resource", "value": resource or conf.consent_resource()}]}],
    }


def maskinporten_token(*, orgnr: str, environment: str = "test", scope: str = SALDO_SCOPE,
                       issued_at: dt.datetime | None = None,
                       lifetime: dt.timedelta = TOKEN_LIFETIME,
                       authorization_details: list | None = None,
                       overrides: dict | None = None, drop: tuple = ()) -> str:
    """A Maskinporten-style access token for the bank ``orgnr``.

    ``overrides`` replaces claims and ``drop`` removes them (for the error paths).
    """
    now = issued_at or timezone.now()
    claims = {
        "iss": conf.test_issuer_names()["maskinporten"],
        "aud": conf.audience(environment),
        "scope": scope,
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{orgnr}"},
        "client_id": f"saldo-test-client-{orgnr}",
        "client_amr": "private_key_jwt",
        "token_type": "Bearer",
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": secrets.token_urlsafe(16),
    }
    if authorization_details:
        claims["authorization_details"] = authorization_details
    claims.update(overrides or {})
    for name in drop:
        claims.pop(name, None)
    return sign(claims)


def consent_token(*, fnr: str, orgnr: str, services: tuple | list | None = None,
                  valid_to: dt.datetime | None = None, issued_at: dt.datetime | None = None,
                  lifetime: dt.timedelta = CONSENT_TOKEN_LIFETIME,
                  overrides: dict | None = None) -> str:
    """An Altinn 2-style consent token (the Consent-ID header): ``fnr`` consents to ``orgnr``."""
    now = issued_at or timezone.now()
    local_valid_to = timezone.localtime(valid_to or now + CONSENT_VALIDITY)
    claims = {
        "iss": conf.test_issuer_names()["altinn"],
        "Services": list(services) if services is not None else [conf.consent_service()],
        "OfferedBy": fnr,
        "CoveredBy": orgnr,
        "HandledBy": None,
        "AuthorizationCode": str(uuid.uuid4()),
        # Altinn writes ValidToDate as local time without an offset.
        "ValidToDate": local_valid_to.replace(tzinfo=None).isoformat(timespec="seconds"),
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    claims.update(overrides or {})
    return sign(claims)
