"""Verification of the two tokens a bank sends: the Maskinporten access token and the consent.

Both are JWTs signed RS256 by an issuer trusted for the environment (``conf``); the algorithm is
pinned, so ``alg: none`` and HS256 signed with the issuer's public key are refused before any
key is looked at. The key is found by ``kid`` in the issuer's JWKS (``jwks``).

Every refusal raises ``ApiError`` with the contract's status — 401 for the access token, 403 for
the consent — and a reason that goes to the bank (``detail``) and to the lookup log.

A bank reuses one Maskinporten token for up to two minutes, and an RS256 verification costs more
than the rest of a call. So a token that passed is remembered in the process by its SHA-256
(never the token itself) together with what it was checked against (issuers, audience, required
claims), until it expires but for at most ``VERIFIED_SECONDS``; a call presenting it again gets
the same claims back, and everything decided from the claims (scope, consumer, consent, the
time limits of a consent) is still checked on every call. Refused tokens are not remembered. The
price: a key the issuer withdraws still covers tokens it verified for up to ``VERIFIED_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import jwt
from django.utils import timezone

from . import conf, jwks
from .errors import ApiError
from .models import SALDO_SCOPE

MAX_TOKEN_LENGTH = 16_384
ALGORITHMS = ["RS256"]
CONSENT_TYPE = "urn:altinn:consent"
PERSON_PREFIX = "urn:altinn:person:identifier-no:"
ORGANISATION_PREFIX = "urn:altinn:organization:identifier-no:"
VERIFIED_SECONDS = 120
VERIFIED_MAX_ENTRIES = 4096
_verified: OrderedDict[str, tuple[float, dict]] = OrderedDict()
_verified_lock = threading.Lock()


@dataclass(frozen=True)
class Consent:
    consent_id: str
    source: str  # "altinn2", "altinn3" or "cache"
    valid_to: dt.datetime


def _fail(status: int, reason: str) -> ApiError:
    return ApiError(status, reason)


def _memo_key(token: str, issuers, audience, required) -> str:
    checked_against = repr(([(i.issuer, i.jwks_url) for i in issuers], audience, required))
    return hashlib.sha256(f"{checked_against}\n{token}".encode()).hexdigest()


def _recall(memo_key: str) -> dict | None:
    entry = _verified.get(memo_key)
    if entry is None:
        return None
    if entry[0] <= time.time():
        with _verified_lock:
            _verified.pop(memo_key, None)
        return None
    return entry[1]


def _remember(memo_key: str, claims: dict) -> None:
    exp = claims.get("exp")
    until = time.time() + VERIFIED_SECONDS
    if isinstance(exp, int | float):
        until = min(until, exp)
    with _verified_lock:
        _verified[memo_key] = (until, claims)
        while len(_verified) > VERIFIED_MAX_ENTRIES:
            _verified.popitem(last=False)


def forget() -> None:
    """Drop the remembered tokens (tests; after trust in an issuer or key is withdrawn)."""
    with _verified_lock:
        _verified.clear()


def _verify_jwt(raw: str, issuers: tuple[conf.TrustedIssuer, ...], *, status: int,
                audience: str | None, required: list[str]) -> dict:
    """The verified claims of ``raw``, or ApiError(status). JwksUnavailable passes through."""
    token = raw.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _fail(status, "token missing or too long")
    memo_key = _memo_key(token, issuers, audience, required)
    claims = _recall(memo_key)
    if claims is None:
        claims = _verify_signed(token, issuers, status=status, audience=audience,
                                required=required)
        _remember(memo_key, claims)
    return claims


def _verify_signed(token: str, issuers: tuple[conf.TrustedIssuer, ...], *, status: int,
                   audience: str | None, required: list[str]) -> dict:
    """The full verification: form, algorithm, trusted issuer, signature, time and claims."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _fail(status, "token is not a well-formed JWT") from None
    if header.get("alg") not in ALGORITHMS:
        raise _fail(status, f"algorithm {str(header.get('alg'))[:20]!r} is not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _fail(status, "token has no kid")
    issuer = next((i for i in issuers if i.issuer == unverified.get("iss")), None)
    if issuer is None:
        raise _fail(status, "issuer is not trusted in this environment")
    key = jwks.signing_key(issuer.jwks_url, kid)
    if key is None:
        raise _fail(status, "unknown kid")
    try:
        claims = jwt.decode(
            token, key.key, algorithms=ALGORITHMS, issuer=issuer.issuer, audience=audience,
            leeway=conf.leeway(),
            options={"require": required, "verify_aud": audience is not None},
        )
    except jwt.ExpiredSignatureError:
        raise _fail(status, "token has expired") from None
    except jwt.ImmatureSignatureError:
        iat = unverified.get("iat")
        if isinstance(iat, int | float) and iat > timezone.now().timestamp() + conf.leeway():
            raise _fail(status, "token is issued in the future") from None
        raise _fail(status, "token is not valid yet") from None
    except jwt.InvalidAudienceError:
        raise _fail(status, "wrong audience") from None
    except jwt.MissingRequiredClaimError as exc:
        raise _fail(status, f"claim {exc.claim} is missing") from None
    except jwt.InvalidSignatureError:
        raise _fail(status, "bad signature") from None
    except jwt.PyJWTError as exc:
        raise _fail(status, f"invalid token ({type(exc).__name__})") from None
    iat = claims.get("iat")
    if isinstance(iat, int | float) and iat > timezone.now().timestamp() + conf.leeway():
        # PyJWT checks this too; kept so that the rule does not depend on its version.
        raise _fail(status, "token is issued in the future")
    return claims


def verify_access_token(raw: str, *, environment: str, orgnr: str) -> dict:
    """Claims of a valid Maskinporten token for the bank ``orgnr``; else ApiError(401)."""
    token = raw.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:]
    claims = _verify_jwt(token, conf.maskinporten_issuers(environment), status=401,
                         audience=conf.audience(environment),
                         required=["iss", "aud", "exp", "iat"])
    scope = claims.get("scope")
    if not isinstance(scope, str) or SALDO_SCOPE not in scope.split():
        raise _fail(401, f"scope {SALDO_SCOPE} is missing")
    consumer = claims.get("consumer")
    if not isinstance(consumer, dict) or not isinstance(consumer.get("ID"), str):
        raise _fail(401, "consumer is missing")
    if consumer["ID"] != f"0192:{orgnr}":
        raise _fail(401, "consumer does not match the ApiKey's organisation")
    return claims


def _parse_time(value) -> dt.datetime | None:
    """An ISO 8601 time; without an offset it is Norwegian local time (as Altinn 2 writes it)."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _service_matches(entry, wanted: str) -> bool:
    if isinstance(entry, str):
        return entry == wanted
    if isinstance(entry, dict):
        code, _sep, edition = wanted.partition("_")
        got_edition = entry.get("ServiceEditionCode", entry.get("ServiceEdition"))
        return str(entry.get("ServiceCode")) == code and str(got_edition) == edition
    return False


def strip_consent_header(raw: str) -> str:
    """Altinn sometimes hands out the token in quote marks; the published guidance says to
    remove them (a JWT never contains a quote mark)."""
    return raw.strip().strip("\"'").strip()


def verify_altinn2_consent(raw: str, *, environment: str, fnr: str, orgnr: str,
                           now: dt.datetime | None = None) -> Consent:
    """The Consent-ID token: the person ``fnr`` consents to the bank ``orgnr`` for the Saldo
    service, and the consent is still valid. Else ApiError(403)."""
    now = now or timezone.now()
    claims = _verify_jwt(strip_consent_header(raw), conf.altinn_issuers(environment), status=403,
                         audience=None, required=["iss", "exp"])
    if claims.get("OfferedBy") != fnr:
        raise _fail(403, "consent is given by another person")
    if claims.get("CoveredBy") != orgnr:
        raise _fail(403, "consent is given to another organisation")
    services = claims.get("Services")
    if not isinstance(services, list) or not any(
            _service_matches(entry, conf.consent_service()) for entry in services):
        raise _fail(403, f"consent does not cover service {conf.consent_service()}")
    valid_from = _parse_time(claims.get("ValidFromDate"))
    if valid_from is not None and valid_from > now:
        raise _fail(403, "consent is not valid yet")
    valid_to = _parse_time(claims.get("ValidToDate"))
    if valid_to is None:
        raise _fail(403, "consent has no valid ValidToDate")
    if valid_to <= now:
        raise _fail(403, "consent has expired")
    consent_id = claims.get("AuthorizationCode") or claims.get("jti") or ""
    return Consent(str(consent_id)[:100], "altinn2", valid_to)


def _altinn3_problem(detail: dict, *, fnr: str, orgnr: str, now: dt.datetime):
    """(Consent, None) if ``detail`` is a valid consent for this person and bank, else
    (None, reason)."""
    if detail.get("from") != f"{PERSON_PREFIX}{fnr}":
        return None, "consent is given by another person"
    to = detail.get("to")
    to_id = to.get("ID") if isinstance(to, dict) else to
    if to_id not in (f"0192:{orgnr}", f"{ORGANISATION_PREFIX}{orgnr}"):
        return None, "consent is given to another organisation"
    rights = detail.get("consentRights")
    resources = [
        resource.get("value")
        for right in (rights if isinstance(rights, list) else [])
        if isinstance(right, dict) and isinstance(right.get("resource"), list)
        for resource in right["resource"] if isinstance(resource, dict)
    ]
    if conf.consent_resource() not in resources:
        return None, f"consent does not cover resource {conf.consent_resource()}"
    valid_to = _parse_time(detail.get("validTo"))
    if valid_to is None:
        return None, "consent has no valid validTo"
    if valid_to <= now:
        return None, "consent has expired"
    return Consent(str(detail.get("id") or "")[:100], "altinn3", valid_to), None


def altinn3_consent(claims: dict, *, fnr: str, orgnr: str,
                    now: dt.datetime | None = None) -> Consent | None:
    """The Altinn 3 consent inside a verified Maskinporten token; None if it carries none.

    A token that carries consents, none of them valid for this person and bank: ApiError(403).
    """
    now = now or timezone.now()
    details = claims.get("authorization_details")
    if not isinstance(details, list):
        return None
    consents = [d for d in details if isinstance(d, dict) and d.get("type") == CONSENT_TYPE]
    if not consents:
        return None
    first_problem = None
    for detail in consents:
        consent, problem = _altinn3_problem(detail, fnr=fnr, orgnr=orgnr, now=now)
        if consent is not None:
            return consent
        first_problem = first_problem or problem
    raise _fail(403, first_problem)
