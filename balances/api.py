"""The Saldo API: ``GET /saldo/v1/Accounts`` (production) and ``GET /test/saldo/v1/Accounts``
(test), faithful to Lånekassen's published contract.

One deployment serves both environments under those two paths (``SALDO_API_ENVIRONMENTS`` says
which ones it answers; the other answers 404). An API key, the trusted token issuers and the
test customers belong to one environment; a key of the other environment gets 401.

Request headers, exactly as published:

``ApiKey``         the bank's key for this environment (issued in onboarding, stored hashed)
``Authorization``  the Maskinporten access token, bare (``Bearer `` is tolerated)
``Consent-ID``     the Altinn 2 consent token (quote marks around it are removed); may be left
                   out when the access token carries an Altinn 3 consent, or when a consent for
                   this bank and person was seen in an earlier 200 and has not expired
``PSU_ID``         the customer's 11-digit fødselsnummer
``X-Request-Id``   unique per call, 1–100 of ``A–Z a–z 0–9 . _ : -``; logged for support

Checks, in order, and the status each failure gives: headers (400), ApiKey (401), throttle per
bank (429 with ``Retry-After``), Maskinporten token (401), consent (403), person (404). Anything
unexpected is 500. Every answer is JSON with the request id, and every call — good or bad — is
written to the lookup log (never the fødselsnummer in clear). A 200 that cannot be logged is
turned into a 500: no balance leaves without a record of it.

Deployment note: ``PSU_ID`` contains an underscore. Gunicorn (≥ 22) drops such headers unless
told otherwise: run it with ``--forwarder-headers SCRIPT_NAME,PATH_INFO,PSU_ID`` behind a proxy
listed in ``--forwarded-allow-ips`` (or ``--header-map dangerous``). Django's runserver drops
them too; ``balances.apps`` keeps ``PSU_ID`` there for local use.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import time
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import conf, jwks, selectors, services, tokens
from .errors import ApiError
from .fnr import fnr_hash, fnr_is_valid
from .keys import hash_key
from .ledger import ORE
from .models import ApiAccess, ApiKey
from .tokens import Consent

logger = logging.getLogger(__name__)

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,100}\Z")
MAX_HEADER_LENGTH = 16_384


@dataclass
class Call:
    """What is learnt about one call as it is checked; it becomes the lookup-log line."""

    environment: str
    request_id: str = ""
    organisation: object = None
    api_key_prefix: str = ""
    fnr_hash: str = ""
    consent: Consent | None = None
    error: str = ""


# --- JSON with exact money ------------------------------------------------------------------------


def money(amount: Decimal) -> Decimal:
    """Kroner rounded to øre — the one rounding between the ledger and the JSON."""
    rounded = amount.quantize(ORE, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def to_json(value, indent: int | None = None, _level: int = 0) -> str:
    """JSON in which a Decimal is written as the number it is (no detour through float)."""
    pad = "" if indent is None else "\n" + " " * (indent * (_level + 1))
    end = "" if indent is None else "\n" + " " * (indent * _level)
    sep = ", " if indent is None else ","
    colon = ": "
    if isinstance(value, Decimal):
        return format(money(value), "f")
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [json.dumps(str(k), ensure_ascii=False) + colon + to_json(v, indent, _level + 1)
                 for k, v in value.items()]
        return "{" + pad + (sep + pad).join(items) + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [to_json(v, indent, _level + 1) for v in value]
        return "[" + pad + (sep + pad).join(items) + end + "]"
    return json.dumps(value, ensure_ascii=False)


def _local_midnight(day: dt.date | None) -> str | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min)).isoformat()


def accounts_body(fnr: str, result) -> dict:
    """The contract's answer: the non-zero sub-accounts (0–4) and their total."""
    accounts = []
    total = Decimal("0.00")
    for name, amount in result.accounts().items():
        booked = money(amount)
        if booked == 0:
            continue
        total += booked
        accounts.append({
            "Balances": [{
                "BalanceType": "closingBooked",
                "BalanceAmount": {"currency": "NOK", "amount": booked},
                "LastChangeDateTime": _local_midnight(result.account_last_change.get(name)),
            }],
            "Name": name,
            "Bban": fnr,
        })
    return {"Accounts": accounts, "TotalAmount": total}


def error_body(status: int, title: str, detail: str, request_id: str) -> dict:
    return {"status": status, "title": title, "detail": detail, "requestId": request_id}


def _response(status: int, body: dict, call: Call, retry_after: int | None = None):
    response = HttpResponse(to_json(body), status=status,
                            content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    if call.request_id:
        response["X-Request-Id"] = call.request_id
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


# --- The checks -----------------------------------------------------------------------------------


def _header(meta, name: str) -> str:
    value = meta.get(name, "")
    if len(value) > MAX_HEADER_LENGTH:
        raise ApiError(400, f"header {name[5:].replace('_', '-')} is too long")
    return value


def read_headers(meta, call: Call, *, need_api_key: bool = True) -> dict:
    """The five headers, checked for presence and form (400)."""
    request_id = meta.get("HTTP_X_REQUEST_ID", "").strip()
    if REQUEST_ID_RE.match(request_id):
        call.request_id = request_id
    else:
        # Still give support something to search for.
        call.request_id = f"srv-{uuid.uuid4().hex}"
        raise ApiError(400, "X-Request-Id is missing or malformed "
                            "(1-100 characters of A-Z a-z 0-9 . _ : -)")
    headers = {
        "api_key": _header(meta, "HTTP_APIKEY").strip(),
        "authorization": _header(meta, "HTTP_AUTHORIZATION").strip(),
        "consent": _header(meta, "HTTP_CONSENT_ID"),
        "psu_id": _header(meta, "HTTP_PSU_ID").strip(),
    }
    call.fnr_hash = fnr_hash(headers["psu_id"])
    if need_api_key and not headers["api_key"]:
        raise ApiError(400, "ApiKey is missing")
    if not headers["authorization"]:
        raise ApiError(400, "Authorization is missing")
    if not headers["psu_id"]:
        raise ApiError(400, "PSU_ID is missing")
    if not fnr_is_valid(headers["psu_id"]):
        raise ApiError(400, "PSU_ID is not a valid 11-digit fødselsnummer")
    return headers


def _api_key_problem(presented: str, environment: str, call: Call) -> str:
    """Why a key was refused, for the lookup log (the bank is told less)."""
    key = ApiKey.objects.select_related("organisation").filter(
        key_hash=hash_key(presented)).first() if len(presented) <= 200 else None
    if key is None:
        return "unknown ApiKey"
    call.organisation, call.api_key_prefix = key.organisation, key.prefix
    if key.environment != environment:
        return f"ApiKey belongs to the {key.environment} environment"
    if not key.is_usable():
        return "ApiKey is revoked or expired"
    access = ApiAccess.objects.filter(organisation=key.organisation,
                                      environment=environment).first()
    if access is None:
        return "bank has no access to this environment"
    if access.offboarded_at:
        return "bank is offboarded"
    if access.suspended_at:
        return "bank is suspended"
    return "ApiKey refused"


def authenticate_bank(api_key: str, call: Call):
    key = selectors.api_key_check(presented_key=api_key, environment=call.environment)
    if key is None:
        raise ApiError(401, "ApiKey is not valid for this environment",
                       log_detail=_api_key_problem(api_key, call.environment, call))
    call.organisation, call.api_key_prefix = key.organisation, key.prefix
    return key.organisation


def throttle(organisation, environment: str) -> None:
    """At most SALDO_THROTTLE_RATE calls per window per bank and environment (fixed window)."""
    rate, window = conf.throttle()
    now = time.time()
    slot = int(now // window)
    key = f"saldo:throttle:{environment}:{organisation.pk}:{slot}"
    cache.add(key, 0, window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 1)
        count = 1
    if count > rate:
        retry_after = max(1, math.ceil((slot + 1) * window - now))
        raise ApiError(429, f"more than {rate} calls in {window} s from this bank",
                       retry_after=retry_after)


def find_consent(headers: dict, claims: dict, organisation, call: Call) -> Consent:
    fnr = headers["psu_id"]
    if headers["consent"].strip():
        return tokens.verify_altinn2_consent(headers["consent"], environment=call.environment,
                                             fnr=fnr, orgnr=organisation.orgnr)
    consent = tokens.altinn3_consent(claims, fnr=fnr, orgnr=organisation.orgnr)
    if consent is None:
        consent = selectors.consent_cached(organisation=organisation,
                                           environment=call.environment, fnr_hash=call.fnr_hash)
    if consent is None:
        raise ApiError(403, "Consent-ID is missing and no valid consent is cached")
    return consent


def answer(headers: dict, organisation, call: Call) -> dict:
    """After the bank is known: token, consent and person, then the balance (401/403/404)."""
    claims = tokens.verify_access_token(headers["authorization"], environment=call.environment,
                                        orgnr=organisation.orgnr)
    call.consent = find_consent(headers, claims, organisation, call)
    borrower = selectors.borrower_get(environment=call.environment, fnr=headers["psu_id"])
    if borrower is None:
        raise ApiError(404, "no borrower with this PSU_ID")
    result = selectors.borrower_balance(borrower=borrower, as_of=timezone.localdate())
    return accounts_body(borrower.fnr, result)


def run(meta, call: Call, *, sandbox_organisation=None) -> tuple[int, dict, int | None]:
    """Status, body and Retry-After for a call.

    ``sandbox_organisation`` is the portal's sandbox: the bank is known from the login (there is
    no key in clear), so ApiKey and throttle are skipped. Nothing is written here: the view
    logs the call and remembers the consent.
    """
    try:
        headers = read_headers(meta, call, need_api_key=sandbox_organisation is None)
        if sandbox_organisation is None:
            organisation = authenticate_bank(headers["api_key"], call)
            throttle(organisation, call.environment)
        else:
            organisation = call.organisation = sandbox_organisation
        return 200, answer(headers, organisation, call), None
    except ApiError as exc:
        call.error = exc.log_detail or exc.detail or exc.title
        return exc.status, error_body(exc.status, exc.title, exc.detail, call.request_id), \
            exc.retry_after
    except jwks.JwksUnavailable:
        call.error = "issuer keys could not be fetched"
    except Exception:
        logger.exception("Saldo API call %s failed", call.request_id)
        call.error = "internal error"
    return 500, error_body(500, ApiError(500).title, "", call.request_id), None


@csrf_exempt
def accounts(request, environment):
    started = time.perf_counter()
    call = Call(environment=environment)
    if not conf.environment_served(environment):
        return _response(404, error_body(404, "Not found", "this environment is not served here",
                                         ""), call)
    if request.method != "GET":
        request_id = request.META.get("HTTP_X_REQUEST_ID", "").strip()
        call.request_id = request_id if REQUEST_ID_RE.match(request_id) else ""
        response = _response(405, error_body(405, ApiError(405).title, "use GET",
                                             call.request_id), call)
        response["Allow"] = "GET"
        return response
    status, body, retry_after = run(request.META, call)
    latency_ms = (time.perf_counter() - started) * 1000
    try:
        services.lookup_log_write(
            environment=environment, request_id=call.request_id, status=status,
            latency_ms=latency_ms, organisation=call.organisation,
            api_key_prefix=call.api_key_prefix,
            consent_id=call.consent.consent_id if call.consent else "",
            consent_source=call.consent.source if call.consent else "",
            fnr_hash=call.fnr_hash, error=call.error)
    except Exception:
        logger.exception("Saldo API call %s could not be logged", call.request_id)
        return _response(500, error_body(500, ApiError(500).title, "", call.request_id), call)
    if status == 200:
        try:
            services.consent_remember(organisation=call.organisation, environment=environment,
                                      fnr_hash=call.fnr_hash, consent=call.consent)
        except Exception:  # the answer stands; the next call just needs its Consent-ID again
            logger.exception("Consent for call %s could not be cached", call.request_id)
    return _response(status, body, call, retry_after)


def health(request):
    """A trivial JSON answer from the same server (load balancers; the benchmark's baseline)."""
    return JsonResponse({"status": "ok"})
