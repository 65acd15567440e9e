"""Reads the API and the process apps use."""

import functools
import uuid
from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, Max, Min
from django.utils import timezone

from accounts.permissions import is_bank_user, is_bits, is_lanekassen

from . import sharedcache
from .engine import DEFAULT_RATE_TABLE, RateTable, compute_balance
from .fnr import fnr_hash
from .keys import hash_key, hashes_match
from .labels import test_case_description
from .ledger_store import events_from_rows, rate_table_from_rows
from .models import (
    ApiAccess,
    ApiKey,
    Borrower,
    ConsentCache,
    Environment,
    InterestRate,
    LedgerEvent,
    LookupLog,
)
from .testcustomers import load_test_customers
from .tokens import Consent


def api_key_check(*, presented_key, environment, now=None):
    """The ApiKey for a presented key if it may call `environment` now, else None.

    None for: an unknown key, a key of the other environment, a revoked or expired key, and a
    bank without active (granted, not suspended, not offboarded) access to the environment.
    """
    if not presented_key or len(presented_key) > 200:
        return None
    now = now or timezone.now()
    key = (ApiKey.objects.select_related("organisation")
           .filter(key_hash=hash_key(presented_key)).first())
    if key is None or not hashes_match(key.key_hash, presented_key):
        return None
    if key.environment != environment or not key.is_usable(now):
        return None
    access = ApiAccess.objects.filter(organisation_id=key.organisation_id,
                                      environment=environment).first()
    if access is None or not access.is_active:
        return None
    return key


def api_keys_for_organisation(*, organisation):
    return ApiKey.objects.filter(organisation=organisation).order_by("-created_at")


def api_access_for_organisation(*, organisation):
    return ApiAccess.objects.filter(organisation=organisation)


# --- Borrowers and balances -----------------------------------------------------------------------

RATES_VERSION_KEY = "saldo:rates:version"
# (version, table) as one value: a thread never reads one table with another's version.
_rates_memo: dict = {"current": (None, None)}
_published_test_customers = functools.lru_cache(maxsize=1)(load_test_customers)


def rate_table_current(*, version=None) -> RateTable:
    """The interest-rate table in the database, kept per process until its version changes.

    With no rates in the database the engine's default table applies. ``version`` is the
    version in the cache when the caller has just read it.
    """
    return rate_table_versioned(version=version)[1]


def rate_table_versioned(*, version=None) -> tuple[str, RateTable]:
    """(its version, the table): ``rate_table_current`` with the version it was read under."""
    version = version if version is not None else cache.get(RATES_VERSION_KEY)
    if version is None:
        agg = InterestRate.objects.aggregate(n=Count("id"), last=Max("id"))
        version = f"db:{agg['n']}:{agg['last']}"
        # ``add``, not ``set``: a table loaded since the count was read has left its own
        # version, and that one must stand (else the old table would pass for current).
        if not cache.add(RATES_VERSION_KEY, version, 300):
            version = cache.get(RATES_VERSION_KEY) or version
    current = _rates_memo["current"]
    if current[0] != version:
        rows = list(InterestRate.objects.all())
        current = _rates_memo["current"] = (
            version, rate_table_from_rows(rows) if rows else DEFAULT_RATE_TABLE)
    return current


# Every Saldo API call reads this: written out, it costs a tenth of what the ORM spends building
# the same query (filter, annotate, group by) on each call.
_BORROWER_WITH_LEDGER_VERSION = (
    "SELECT b.*, COUNT(e.id) AS ledger_count, MAX(e.id) AS ledger_last "
    f"FROM {Borrower._meta.db_table} b LEFT JOIN {LedgerEvent._meta.db_table} e "
    "ON e.borrower_id = b.id WHERE b.environment = %s AND b.fnr = %s GROUP BY b.id")


def borrower_get(*, environment, fnr):
    """The borrower, or None. Its ledger's version (see ``borrower_balance``) comes in the same
    query, as ``ledger_version``."""
    for borrower in Borrower.objects.raw(_BORROWER_WITH_LEDGER_VERSION, [environment, fnr]):
        borrower.ledger_version = (borrower.ledger_count, borrower.ledger_last)
        return borrower
    return None


def borrower_events(*, borrower):
    return events_from_rows(LedgerEvent.objects.filter(borrower=borrower))


BALANCE_CACHE_SECONDS = 3600


def balance_cache_names(*, environment, fnr, as_of) -> list[str]:
    """The cache entries ``borrower_balance`` reads: the rate-table version, and the balance of
    the person ``fnr`` on ``as_of`` (under the keyed hash of the fnr, never the fnr itself)."""
    return [RATES_VERSION_KEY, f"saldo:balance:{environment}:{fnr_hash(fnr)}:{as_of.isoformat()}"]


def borrower_balance(*, borrower, as_of, ledger_version=None, prefetched=None):
    """The booked balance at the end of ``as_of`` (RateLookupError past the rate table).

    The result is cached per person and date, with the ledger version and the rate-table
    version it was computed from, and used only while both are current. Ledgers and rates are
    only ever replaced through services (new rows, new ids; the admin is read-only), so
    (count, highest id) identifies a version without reading the rows. ``ledger_version`` is
    that pair when the caller has just read it (``borrower_get``); else it is read here.
    ``prefetched`` is what the cache held under ``balance_cache_names`` when the caller has
    just read them (with other things, in one round trip; a name left out was not there).
    """
    return borrower_balance_versioned(borrower=borrower, as_of=as_of,
                                      ledger_version=ledger_version, prefetched=prefetched)[0]


def borrower_balance_versioned(*, borrower, as_of, ledger_version=None, prefetched=None):
    """``borrower_balance``, and the version of the rate table it was computed with."""
    if ledger_version is None:
        ledger = LedgerEvent.objects.filter(borrower=borrower).aggregate(n=Count("id"),
                                                                          last=Max("id"))
        ledger_version = (ledger["n"], ledger["last"])
    ledger_version = tuple(ledger_version)
    names = balance_cache_names(environment=borrower.environment, fnr=borrower.fnr, as_of=as_of)
    found = prefetched if prefetched is not None else sharedcache.read(names)[0]
    rates_version, rates = rate_table_versioned(version=found.get(RATES_VERSION_KEY))
    cached = found.get(names[1])
    if cached is not None and cached[:2] == (ledger_version, rates_version):
        return cached[2], rates_version
    result = compute_balance(borrower_events(borrower=borrower), as_of, rates)
    cache.set(names[1], (ledger_version, rates_version, result), BALANCE_CACHE_SECONDS)
    return result, rates_version


# --- The API's answer, kept without reading the database ------------------------------------------
#
# A warm Saldo API call reads no ledger version from the database: the answer it gives is kept
# in the cache with the two versions it was computed from, and both are read with it, in the
# call's one round trip to the cache:
#
# - the rate table's version (``RATES_VERSION_KEY``: a new table sets a new one after it
#   commits, ``services.interest_rates_load``);
# - the person's ledger generation (``ledger_generation_key``): a random token that
#   ``services.borrower_ledger_replace`` replaces at once and again after its transaction
#   commits, and that ends by itself after ``LEDGER_GENERATION_SECONDS``.
#
# A kept answer is used only while both equal what the call has just read. The generation an
# answer is kept under is read (or, when there is none, started with ``add``) *before* the
# ledger is read from the database, and a token is never used twice. So an answer computed from
# a ledger that a later commit replaced carries the generation from before that commit, which
# the commit's own replacement has ended: from then on every call computes afresh. Between the
# commit and that replacement (microseconds) a call may still get the old answer, as it would
# had it read the database a moment earlier. Should the replacement after the commit be lost
# (the cache unreachable just then, or the process gone), the generation still ends within
# ``LEDGER_GENERATION_SECONDS``, which bounds how long an old answer can be given.
# An unknown person is never kept: a 404 always asks the database.

LEDGER_GENERATION_SECONDS = 300


def ledger_generation_key(*, environment, fnr_hash) -> str:
    return f"saldo:ledger-generation:{environment}:{fnr_hash}"


def answer_cache_names(*, environment, fnr_hash, as_of) -> list[str]:
    """The cache entries ``answer_kept`` reads: the rate table's version, the person's ledger
    generation, and the answer for the person (by the keyed hash of the fnr) on ``as_of``."""
    return [RATES_VERSION_KEY, ledger_generation_key(environment=environment, fnr_hash=fnr_hash),
            f"saldo:answer:{environment}:{fnr_hash}:{as_of.isoformat()}"]


def answer_kept(*, names, found):
    """The answer kept under ``names`` if the rate table and the ledger are still those it was
    computed from, else None. ``found`` is what the cache holds under ``names``."""
    entry = found.get(names[2])
    if entry is None:
        return None
    generation, rates_version, answer = entry
    if generation != found.get(names[1]) or rates_version != found.get(names[0]):
        return None
    return answer


def ledger_generation_for_keeping(*, names, found):
    """The generation to keep an answer under, to be had before the ledger is read: the one
    in ``found`` (just read), else a new one. None when another call started one at the same
    moment and it has ended already: then nothing is kept."""
    generation = found.get(names[1])
    if generation is not None:
        return generation
    generation = uuid.uuid4().hex
    if cache.add(names[1], generation, LEDGER_GENERATION_SECONDS):
        return generation
    return cache.get(names[1])


def answer_keep(*, names, generation, rates_version, answer) -> None:
    """Keep an answer with the versions it was computed from (see above)."""
    cache.set(names[2], (generation, rates_version, answer), BALANCE_CACHE_SECONDS)


def borrowers_for_user(*, user):
    """Borrowers are Lånekassen's data: only its caseworkers see them."""
    if not is_lanekassen(user):
        return Borrower.objects.none()
    return Borrower.objects.all()


def test_customers():
    """The seeded test customers, in the order of the published list."""
    order = {c.fnr: i for i, c in enumerate(_published_test_customers())}
    rows = Borrower.objects.filter(environment=Environment.TEST, fnr__in=order)
    return sorted(rows, key=lambda b: order[b.fnr])


def consent_cached(*, organisation, environment, fnr_hash, now=None):
    """A consent remembered after an earlier 200 for this bank and person, if still valid."""
    now = now or timezone.now()
    row = ConsentCache.objects.filter(organisation=organisation, environment=environment,
                                      fnr_hash=fnr_hash, valid_to__gt=now).first()
    if row is None:
        return None
    return Consent(row.consent_id, "cache", row.valid_to)


def api_access_active(*, organisation, environment):
    access = ApiAccess.objects.filter(organisation=organisation, environment=environment).first()
    return access is not None and access.is_active


class ApiSuspension(NamedTuple):
    """A bank's API suspension: since when, and why (shown to the bank)."""

    since: datetime
    reason: str


def api_suspensions(*, organisations=None) -> dict:
    """{organisation id: ApiSuspension} for the banks whose live (not offboarded) access is
    suspended, in one query. The access rows are the only record of a suspension: onboarding
    and the breach cases read it here, never keep a copy."""
    rows = ApiAccess.objects.filter(suspended_at__isnull=False, offboarded_at__isnull=True)
    if organisations is not None:
        rows = rows.filter(organisation__in=organisations)
    found = {}
    for organisation_id, since, reason in rows.order_by("suspended_at", "pk").values_list(
            "organisation_id", "suspended_at", "suspended_reason"):
        found.setdefault(organisation_id, ApiSuspension(since, reason))
    return found


def api_suspension_for(*, organisation):
    """None, or (since, reason) while the bank's API access is suspended."""
    return api_suspensions(organisations=[organisation.pk]).get(organisation.pk)


def api_key_usable_exists(*, organisation, environment, now=None) -> bool:
    """Whether the bank has a key for `environment` that is neither revoked nor expired."""
    now = now or timezone.now()
    return (ApiKey.objects.filter(organisation=organisation, environment=environment,
                                  revoked_at__isnull=True).exclude(expires_at__lte=now).exists())


def api_key_get_for_user(*, user, pk):
    """A key of the user's own bank, or None (another bank's key, or no such key)."""
    if not is_bank_user(user):
        return None
    return (ApiKey.objects.select_related("organisation")
            .filter(pk=pk, organisation_id=user.membership.organisation_id).first())


# --- The lookup log -------------------------------------------------------------------------------


def can_view_lookup_log(user, organisation=None) -> bool:
    """Bits and Lånekassen see every bank's calls; a bank only its own."""
    if is_bits(user) or is_lanekassen(user):
        return True
    if not is_bank_user(user):
        return False
    return organisation is None or user.organisation.pk == organisation.pk


def lookup_log_for_user(*, user):
    qs = LookupLog.objects.select_related("organisation")
    if is_bits(user) or is_lanekassen(user):
        return qs
    if is_bank_user(user):
        return qs.filter(organisation=user.organisation)
    return qs.none()


def lookup_log_filter(qs, *, date_from=None, date_to=None, status=None, request_id=None,
                      environment=None, organisation=None, fnr=None):
    """Narrow a lookup-log queryset; dates are whole days in Norwegian time."""
    if date_from:
        qs = qs.filter(created_at__gte=_start_of_day(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_start_of_day(date_to + timedelta(days=1)))
    if status:
        qs = qs.filter(status=status)
    if request_id:
        qs = qs.filter(request_id=request_id.strip())
    if environment:
        qs = qs.filter(environment=environment)
    if organisation:
        qs = qs.filter(organisation=organisation)
    if fnr:
        qs = qs.filter(fnr_hash=fnr_hash(fnr))
    return qs


def _start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def lookup_log_for_request_ids(*, user, organisation, request_ids, limit=200):
    """The log lines of ``organisation``'s calls with these X-Request-Id values (C.1 error
    reports). Empty for someone who may not see that bank's calls."""
    ids = [rid.strip() for rid in request_ids if rid and rid.strip()][:100]
    if not ids or not can_view_lookup_log(user, organisation):
        return []
    return list(LookupLog.objects.filter(organisation=organisation, request_id__in=ids)
                .order_by("created_at", "pk")[:limit])


def integration_test_checklist(*, organisation):
    """A.3 integration test: for each published test customer, whether the bank has called the
    test environment for that person and got 200, and when (read from the lookup log)."""
    customers = _published_test_customers()
    by_hash = {fnr_hash(c.fnr): c for c in customers}
    calls = {
        row["fnr_hash"]: row
        for row in LookupLog.objects.filter(
            organisation=organisation, environment=Environment.TEST, status=200,
            fnr_hash__in=list(by_hash)).values("fnr_hash").annotate(
                first=Min("created_at"), last=Max("created_at"), calls=Count("id"))
    }
    checklist = []
    for hashed, customer in by_hash.items():
        row = calls.get(hashed)
        checklist.append({
            "fnr": customer.fnr, "name": customer.name, "case": customer.case,
            "description": test_case_description(customer.case, customer.description),
            "ok": row is not None,
            "first_ok_at": row["first"] if row else None,
            "last_ok_at": row["last"] if row else None,
            "calls": row["calls"] if row else 0,
        })
    return checklist


def integration_test_complete(*, organisation) -> bool:
    return all(item["ok"] for item in integration_test_checklist(organisation=organisation))


def organisations_with_access(environments):
    """Banks with access to any of `environments` that have not been offboarded.

    A suspended bank is included: it still needs to hear about faults and maintenance.
    """
    from accounts.models import Organisation

    ids = ApiAccess.objects.filter(environment__in=list(environments),
                                   offboarded_at__isnull=True).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.BANK)


def lookup_log_summary(*, organisation, start, end):
    """What the API log knows of a bank's calls in [start, end) (a security breach, C.2):
    the number of calls, distinct persons (distinct keyed fnr hashes: never an fnr), and the
    calls by status code and by API key. Reads the raw log for one bank and one period."""
    from django.db.models import Q

    rows = LookupLog.objects.filter(organisation=organisation, created_at__gte=start,
                                    created_at__lt=end)
    totals = rows.aggregate(calls=Count("pk"),
                            persons=Count("fnr_hash", distinct=True,
                                          filter=~Q(fnr_hash="")))
    by_status = dict(rows.values_list("status").annotate(n=Count("pk")).order_by("status"))
    by_key = dict(rows.values_list("api_key_prefix").annotate(n=Count("pk"))
                  .order_by("api_key_prefix"))
    return {"calls": totals["calls"], "persons": totals["persons"],
            "by_status": by_status, "by_key": by_key}


def api_keys_expiring(*, organisation, within, now=None):
    """The bank's keys in a rotation grace that ends within `within` (not revoked, not yet
    expired), soonest first: for the bank's home page."""
    now = now or timezone.now()
    return (ApiKey.objects.filter(organisation=organisation, revoked_at__isnull=True,
                                  expires_at__gt=now, expires_at__lte=now + within)
            .order_by("expires_at"))
