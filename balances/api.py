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
                   this bank and person was seen in an earlier 200 and has not expired;
                   sent empty it is 400
``PSU_ID``         the customer's 11-digit fødselsnummer
``X-Request-Id``   unique per call, 1–100 of ``A–Z a–z 0–9 . _ : -``; logged for support

Checks, in order, and the status each failure gives: client address (429 with ``Retry-After``,
see below), headers (400), ApiKey (401), throttle per bank (429 with ``Retry-After``),
Maskinporten token (401), consent (403), person (404). Anything unexpected is 500. Every answer
is JSON with the request id, and every call — good or bad — is written to the lookup log (never
the fødselsnummer in clear) before the answer leaves, save the sampled refusals below. A 200
that cannot be logged is turned into a 500: no balance leaves without a record of it.

Callers nobody knows. A call refused before its bank is known (400, or 401 on the ApiKey) counts
against its client address (``casework.http.client_address``; an IPv6 address by its /64): at
most ``SALDO_ADDRESS_FAILURE_RATE`` per ``SALDO_ADDRESS_FAILURE_WINDOW_SECONDS``, each logged
like any call. Past that allowance every call from the address gets 429 until the window ends,
before any header or key is looked at, and the log is kept bounded by sampling: of the refusals
in a window only the 1st, 2nd, 4th, 8th, ... are logged, each with its number and the address.
So a window with n refusals leaves ⌊log₂ n⌋ + 1 lines, the last giving n to within a factor of
two, whatever the flood. Good calls do not count: a bank's own traffic never uses up the
allowance of its address.

What is remembered between calls, none of it skipping a check: the grant of a working ApiKey
(``keycache``: dropped when a key is rotated or revoked and when a bank is suspended or
offboarded), a verified token by its hash until it expires, for two minutes at most
(``tokens``), the issuers' keys (``jwks``), the answer for a person and day with the ledger
generation and rate-table version it was computed from (``selectors.answer_kept``: a replaced
ledger or rate table ends it), and that a consent is already kept in ConsentCache. On a warm
cache a call costs one round trip to the cache (``recall``: all of the above that is shared,
and the count in the bank's throttle) and one query: the insert into the lookup log. The
borrower is read from the database only when no current answer is kept (and so is every
unknown person: a 404 is never kept). The API's paths skip the portal's browser middleware
(``balances.middleware``).

Deployment note: ``PSU_ID`` contains an underscore. Gunicorn (≥ 22) drops such headers unless
told otherwise: run it with ``--forwarder-headers SCRIPT_NAME,PATH_INFO,PSU_ID`` behind a proxy
listed in ``--forwarded-allow-ips`` (or ``--header-map dangerous``). Django's runserver drops
them too; ``balances.apps`` keeps ``PSU_ID`` there for local use.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from casework.http import client_address

from . import conf, jwks, keycache, selectors, services, sharedcache, tokens
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
class Remembered:
    """What the shared cache holds about a call, read in one round trip before any check: the
    refusals counted against the client address, the ApiKey's grant (``keycache``; None if
    none is cached), the consent last kept for this key and person (``consent_keep``), and
    the answer kept for the person on ``as_of`` with the versions it must match
    (``selectors.answer_cache_names``: ``answer_found`` holds those of them the cache had).
    In the same round trip the call is counted in its bank's throttle, when this process has
    seen the key before (a key never changes bank): ``bank_count`` for ``bank_counted``."""

    failures: int = 0
    grant: object = keycache.NOT_READ
    consent_kept_key: str = ""
    consent_kept: tuple | None = None
    bank_counted: int | None = None
    bank_count: int | None = None
    as_of: dt.date | None = None
    answer_names: list[str] | None = None
    answer_found: dict | None = None


# The bank of each ApiKey this process has let through, by the key's hash. Only for counting a
# call in its bank's throttle early: a key's bank never changes, and nothing is allowed by it.
_key_banks: dict[str, int] = {}
KEY_BANKS_MAX = 10_000

# The keyed hashes of the PSU_IDs this process has found valid: validating a fødselsnummer costs
# a call more than hashing it, and a valid one stays valid (its birth date stays in the past).
# Never the fnr itself; invalid ones are checked every time.
_valid_psu_ids: set[str] = set()
VALID_PSU_IDS_MAX = 20_000


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
    bank_known: bool = False
    logged: bool = True  # False for the refusals the sampling leaves out (see above)
    remembered: Remembered = field(default_factory=Remembered)
    _person: tuple = field(default=("", False, ""), repr=False)  # see person()

    def person(self, psu_id: str) -> tuple[bool, str]:
        """Whether ``psu_id`` is a valid fødselsnummer, and its keyed hash: worked out once a
        call (it is needed before the checks, to read the cache, and again in them)."""
        if self._person[0] != psu_id:
            hashed = fnr_hash(psu_id)
            valid = hashed in _valid_psu_ids
            if not valid and fnr_is_valid(psu_id):
                valid = True
                if len(_valid_psu_ids) >= VALID_PSU_IDS_MAX:
                    _valid_psu_ids.clear()
                _valid_psu_ids.add(hashed)
            self._person = (psu_id, valid, hashed)
        return self._person[1], self._person[2]


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


# The answer is kept in the cache without the fødselsnummer: as the JSON of ``accounts_body``
# cut where the fnr goes, which a call joins again with its own PSU_ID.
_BBAN_STAND_IN = "PSU_ID"


def answer_template(result) -> tuple[str, ...]:
    """The 200's JSON for ``result`` in pieces, to be joined with the person's fnr."""
    return tuple(to_json(accounts_body(_BBAN_STAND_IN, result)).split(
        json.dumps(_BBAN_STAND_IN)))


def answer_text(template: tuple[str, ...], fnr: str) -> str:
    """The 200's JSON: exactly ``to_json(accounts_body(fnr, result))``."""
    return json.dumps(fnr, ensure_ascii=False).join(template)


def pretty(body: dict | str) -> str:
    """An answer (a dict, or the 200's JSON text) indented for people, money to the øre."""
    if isinstance(body, str):
        body = json.loads(body, parse_float=Decimal)
    return to_json(body, indent=2)


def error_body(status: int, title: str, detail: str, request_id: str) -> dict:
    return {"status": status, "title": title, "detail": detail, "requestId": request_id}


def _response(status: int, body: dict | str, call: Call, retry_after: int | None = None):
    response = HttpResponse(body if isinstance(body, str) else to_json(body), status=status,
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


def _take_request_id(meta, call: Call) -> bool:
    """The caller's X-Request-Id if well-formed; else one of ours, so that support still has
    something to search for."""
    request_id = meta.get("HTTP_X_REQUEST_ID", "").strip()
    well_formed = REQUEST_ID_RE.match(request_id) is not None
    call.request_id = request_id if well_formed else f"srv-{uuid.uuid4().hex}"
    return well_formed


@functools.lru_cache(maxsize=1024)
def client_counter(client: str) -> str:
    """The name of a client's failure counter: its address, an IPv6 address by its /64 (one
    host usually holds the whole network)."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return f"saldo:client-failures:{client[:64]}"
    if address.version == 6:
        return f"saldo:client-failures:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"saldo:client-failures:{address}"


def recall(meta, call: Call, client: str | None) -> None:
    """Read ``call.remembered`` from the cache, in one round trip."""
    remembered, names, counting = call.remembered, {}, None
    if client is not None:
        names["failures"] = sharedcache.window(client_counter(client),
                                               conf.address_failures()[1]).key
    api_key = meta.get("HTTP_APIKEY", "").strip()
    answer_names = []
    if 0 < len(api_key) <= keycache.MAX_KEY_LENGTH:
        key_hash = hash_key(api_key)
        psu_id_valid, psu_id_hash = call.person(meta.get("HTTP_PSU_ID", "").strip())
        names["grant"] = keycache.entry_key(key_hash)
        names["consent_kept"] = remembered.consent_kept_key = (
            f"saldo:consent-kept:{call.environment}:{key_hash}:{psu_id_hash}")
        remembered.bank_counted = _key_banks.get(key_hash)
        if remembered.bank_counted is not None:
            counting = bank_window(call.environment, remembered.bank_counted)
        if psu_id_valid:
            remembered.as_of = timezone.localdate()
            answer_names = remembered.answer_names = selectors.answer_cache_names(
                environment=call.environment, fnr_hash=psu_id_hash, as_of=remembered.as_of)
    found, remembered.bank_count = sharedcache.read([*names.values(), *answer_names],
                                                    counting)
    for attribute, name in names.items():
        setattr(remembered, attribute, found.get(name))
    remembered.failures = int(remembered.failures or 0)
    if answer_names:
        remembered.answer_found = {name: found[name] for name in answer_names if name in found}


def refuse_throttled_client(client: str, meta, call: Call) -> None:
    """429 for an address that has had too many calls refused before its bank was known."""
    rate, seconds = conf.address_failures()
    if call.remembered.failures < rate:
        return
    window = sharedcache.window(client_counter(client), seconds)
    refused = sharedcache.count(window) - rate  # this refusal's number in the window
    _take_request_id(meta, call)
    call.logged = refused >= 1 and refused & (refused - 1) == 0  # 1, 2, 4, 8, ...
    raise ApiError(429, f"more than {rate} refused calls in {seconds} s from this address",
                   retry_after=window.retry_after,
                   log_detail=f"client {client[:64]} throttled: refusal {refused} in "
                              f"this window")


def count_client_failure(client: str) -> None:
    try:
        sharedcache.count(sharedcache.window(client_counter(client), conf.address_failures()[1]))
    except Exception:  # the refusal stands and is logged; only the counting is lost
        logger.exception("Failure from %s could not be counted", client)


def read_headers(meta, call: Call, *, need_api_key: bool = True) -> dict:
    """The five headers, checked for presence and form (400)."""
    if not _take_request_id(meta, call):
        raise ApiError(400, "X-Request-Id is missing or malformed "
                            "(1-100 characters of A-Z a-z 0-9 . _ : -)")
    headers = {
        "api_key": _header(meta, "HTTP_APIKEY").strip(),
        "authorization": _header(meta, "HTTP_AUTHORIZATION").strip(),
        "consent": _header(meta, "HTTP_CONSENT_ID"),
        "psu_id": _header(meta, "HTTP_PSU_ID").strip(),
    }
    psu_id_valid, call.fnr_hash = call.person(headers["psu_id"])
    if need_api_key and not headers["api_key"]:
        raise ApiError(400, "ApiKey is missing")
    if not headers["authorization"]:
        raise ApiError(400, "Authorization is missing")
    if not headers["psu_id"]:
        raise ApiError(400, "PSU_ID is missing")
    if not psu_id_valid:
        raise ApiError(400, "PSU_ID is not a valid 11-digit fødselsnummer")
    if "HTTP_CONSENT_ID" in meta and not headers["consent"].strip():
        # Sent but empty is not the same as left out: a bank whose consent variable came out
        # empty must be told, not served from a consent kept from an earlier call.
        raise ApiError(400, "Consent-ID is empty: send the consent token or leave the header out")
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
    grant = keycache.key_grant(presented_key=api_key, environment=call.environment,
                               entry=call.remembered.grant)
    if grant is None:
        raise ApiError(401, "ApiKey is not valid for this environment",
                       log_detail=_api_key_problem(api_key, call.environment, call))
    call.organisation, call.api_key_prefix = grant.organisation, grant.prefix
    call.bank_known = True
    if len(_key_banks) >= KEY_BANKS_MAX:
        _key_banks.clear()
    _key_banks[hash_key(api_key)] = grant.organisation.pk
    return grant.organisation


def bank_window(environment: str, organisation_id: int) -> sharedcache.Window:
    return sharedcache.window(f"saldo:throttle:{environment}:{organisation_id}",
                              conf.throttle()[1])


def throttle(organisation, environment: str, call: Call | None = None) -> None:
    """At most SALDO_THROTTLE_RATE calls per window per bank and environment (fixed window);
    the call is counted here unless ``call.remembered`` says it was counted already."""
    rate, seconds = conf.throttle()
    window = bank_window(environment, organisation.pk)
    remembered = call.remembered if call is not None else Remembered()
    if remembered.bank_counted == organisation.pk and remembered.bank_count is not None:
        count = remembered.bank_count
    else:
        count = sharedcache.count(window)
    if count > rate:
        raise ApiError(429, f"more than {rate} calls in {seconds} s from this bank",
                       retry_after=window.retry_after)


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


def answer(headers: dict, organisation, call: Call) -> str:
    """After the bank is known: token, consent and person, then the balance (401/403/404), as
    the 200's JSON text."""
    claims = tokens.verify_access_token(headers["authorization"], environment=call.environment,
                                        orgnr=organisation.orgnr)
    call.consent = find_consent(headers, claims, organisation, call)
    return balance_answer(headers["psu_id"], call)


def balance_answer(fnr: str, call: Call) -> str:
    """The person's balance as the 200's JSON text: the answer kept from an earlier call while
    the ledger and the rate table are those it was computed from (``selectors.answer_kept``),
    else computed from the database (404 for an unknown person) and kept."""
    remembered = call.remembered
    as_of = remembered.as_of or timezone.localdate()
    names = remembered.answer_names or selectors.answer_cache_names(
        environment=call.environment, fnr_hash=call.fnr_hash, as_of=as_of)
    found = remembered.answer_found
    if found is None:  # the portal's sandbox, which reads nothing beforehand
        found = sharedcache.read(names)[0]
    template = selectors.answer_kept(names=names, found=found)
    if template is None:
        generation = selectors.ledger_generation_for_keeping(names=names, found=found)
        borrower = selectors.borrower_get(environment=call.environment, fnr=fnr)
        if borrower is None:
            raise ApiError(404, "no borrower with this PSU_ID")
        result, rates_version = selectors.borrower_balance_versioned(
            borrower=borrower, as_of=as_of, ledger_version=borrower.ledger_version)
        template = answer_template(result)
        if generation is not None:
            selectors.answer_keep(names=names, generation=generation,
                                  rates_version=rates_version, answer=template)
    return answer_text(template, fnr)


def run(meta, call: Call, *, sandbox_organisation=None,
        client: str | None = None) -> tuple[int, dict | str, int | None]:
    """Status, body (a dict; for a 200 its JSON text) and Retry-After for a call from the
    address ``client``.

    ``sandbox_organisation`` is the portal's sandbox: the bank is known from the login (there is
    no key in clear), so client address, ApiKey and throttle are skipped. Nothing is written
    here but the throttles' counts: the view logs the call and remembers the consent.
    """
    try:
        if sandbox_organisation is None:
            recall(meta, call, client)
            if client is not None:
                refuse_throttled_client(client, meta, call)
        headers = read_headers(meta, call, need_api_key=sandbox_organisation is None)
        if sandbox_organisation is None:
            organisation = authenticate_bank(headers["api_key"], call)
            throttle(organisation, call.environment, call)
        else:
            organisation = call.organisation = sandbox_organisation
        return 200, answer(headers, organisation, call), None
    except ApiError as exc:
        call.error = exc.log_detail or exc.detail or exc.title
        if client is not None and not call.bank_known and exc.status in (400, 401):
            count_client_failure(client)
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
    status, body, retry_after = run(request.META, call, client=client_address(request))
    latency_ms = (time.perf_counter() - started) * 1000
    try:
        if call.logged:
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
            consent_keep(call)
        except Exception:  # the answer stands; the next call just needs its Consent-ID again
            logger.exception("Consent for call %s could not be cached", call.request_id)
    return _response(status, body, call, retry_after)


CONSENT_KEPT_SECONDS = 3600


def consent_keep(call: Call) -> None:
    """Keep the consent of a 200 in ConsentCache (``services.consent_remember``), unless this
    key last kept the same consent for this person: a bank sends the same consent with every
    call. (Another key of the bank may have kept another consent since: then that one, also
    seen in a 200, stays until it expires.)"""
    consent, remembered = call.consent, call.remembered
    if consent.source == "cache":
        return
    kept = (consent.consent_id, consent.valid_to.isoformat())
    if remembered.consent_kept_key and remembered.consent_kept == kept:
        return
    services.consent_remember(organisation=call.organisation, environment=call.environment,
                              fnr_hash=call.fnr_hash, consent=consent)
    seconds = min(CONSENT_KEPT_SECONDS, int((consent.valid_to - timezone.now()).total_seconds()))
    if remembered.consent_kept_key and seconds > 0:
        cache.set(remembered.consent_kept_key, kept, seconds)


def health(request):
    """A trivial JSON answer from the same server (load balancers; the benchmark's baseline)."""
    return JsonResponse({"status": "ok"})
