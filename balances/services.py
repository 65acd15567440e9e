"""Writes for API access and keys. Onboarding and the breach cases call these; balances never
imports a process app."""

import base64
import functools
import hashlib
import hmac
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.errors import DomainError
from casework.services import audit_record

from . import conf
from .engine import DEFAULT_RATE_TABLE
from .fnr import fnr_hash as keyed_fnr_hash
from .fnr import fnr_is_valid
from .keycache import forget_organisation
from .keys import generate_key, hash_key, key_prefix
from .ledger_store import row_values
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
from .rates import RATE_KINDS
from .selectors import (
    LEDGER_GENERATION_SECONDS,
    RATES_VERSION_KEY,
    api_suspensions,
    ledger_generation_key,
)
from .testcustomers import load_test_customers, test_customer_ledgers

logger = logging.getLogger(__name__)

MAX_ROTATION_GRACE = timedelta(days=7)


def api_access_grant(*, organisation, environment, by):
    """Give a bank access to an environment (and the Maskinporten scope for its orgnr).

    A suspension covers every environment, including one granted later: while the bank's
    other access is suspended, the new access starts suspended, with the same time and reason.

    Side effects: an ApiAccess row (re-activated if it was offboarded), an audit event.
    """
    if environment not in Environment.values:
        raise DomainError(_("Ukjent miljø."))
    with transaction.atomic():
        access, created = ApiAccess.objects.select_for_update().get_or_create(
            organisation=organisation, environment=environment,
            defaults={"granted_by": by})
        if not created:
            access.offboarded_at = None
            access.granted_at = timezone.now()
            access.granted_by = by
        suspension = api_suspensions(organisations=[organisation.pk]).get(organisation.pk)
        if suspension is not None and access.suspended_at is None:
            access.suspended_at, access.suspended_reason = suspension
        if not created or suspension is not None:
            access.save()
        audit_record(obj=organisation, actor=by, verb="api_access_granted",
                     data={"environment": environment, "scope": access.scope})
    return access


def api_key_issue(*, organisation, environment, by, plaintext=None):
    """Create an API key. Returns (ApiKey, the key in clear) — the only time it is seen.

    `plaintext` is for the demo data only (keys printed by `seed_demo`); it is refused unless
    demo data is allowed (the embedded default), so no real deployment has a guessable key.

    Side effects: an ApiKey row (hash only), an audit event (never the key).
    """
    if environment not in Environment.values:
        raise DomainError(_("Ukjent miljø."))
    if plaintext is None:
        plaintext = generate_key(environment)
    elif not settings.DEMO_DATA_ALLOWED or len(plaintext) < 32:
        raise DomainError(_("Egne nøkler er bare tillatt for demodata."))
    with transaction.atomic():
        key = ApiKey.objects.create(organisation=organisation, environment=environment,
                                    prefix=key_prefix(plaintext), key_hash=hash_key(plaintext),
                                    created_by=by)
        audit_record(obj=organisation, actor=by, verb="api_key_issued",
                     data={"environment": environment, "prefix": key.prefix})
    return key, plaintext


def api_key_rotate(*, key, by, grace):
    """Replace a key; the old one keeps working for `grace` (at most 7 days).

    Returns (new ApiKey, new key in clear). Side effects: new key, old key's expiry, audit,
    the bank's cached keys dropped (``keycache``).
    """
    if grace < timedelta(0) or grace > MAX_ROTATION_GRACE:
        raise DomainError(_("Overgangsperioden må være mellom 0 og 7 dager."))
    with transaction.atomic():
        old = ApiKey.objects.select_for_update().get(pk=key.pk)
        if not old.is_usable():
            raise DomainError(_("Nøkkelen er allerede trukket tilbake eller utløpt."))
        new, plaintext = api_key_issue(organisation=old.organisation,
                                       environment=old.environment, by=by)
        old.expires_at = timezone.now() + grace
        old.replaced_by = new
        old.save(update_fields=["expires_at", "replaced_by"])
        forget_organisation(organisation_id=old.organisation_id)
        audit_record(obj=old.organisation, actor=by, verb="api_key_rotated",
                     data={"old": old.prefix, "new": new.prefix,
                           "grace_seconds": int(grace.total_seconds())})
    return new, plaintext


def api_key_revoke(*, key, by):
    """Stop a key at once. Side effects: revoked_at set, audit, the bank's cached keys dropped."""
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            forget_organisation(organisation_id=key.organisation_id)
            audit_record(obj=key.organisation, actor=by, verb="api_key_revoked",
                         data={"prefix": key.prefix})
    return key


def api_access_suspend(*, organisation, by, reason):
    """Refuse every call from the bank at once (e.g. after a security breach).

    Side effects: suspended_at on all the bank's access rows, audit, the bank's cached keys
    dropped (the next call is refused).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Oppgi en begrunnelse for suspensjonen."))
    with transaction.atomic():
        now = timezone.now()
        updated = ApiAccess.objects.filter(organisation=organisation, suspended_at__isnull=True,
                                           offboarded_at__isnull=True).update(
            suspended_at=now, suspended_reason=reason)
        forget_organisation(organisation_id=organisation.pk)
        audit_record(obj=organisation, actor=by, verb="api_access_suspended",
                     data={"reason": reason, "environments": updated})
    return updated


def api_access_unsuspend(*, organisation, by):
    """Lift a suspension. Side effects: suspended_at cleared, audit."""
    with transaction.atomic():
        updated = ApiAccess.objects.filter(organisation=organisation,
                                           suspended_at__isnull=False).update(
            suspended_at=None, suspended_reason="")
        audit_record(obj=organisation, actor=by, verb="api_access_unsuspended")
    return updated


def api_access_offboard(*, organisation, by):
    """End the bank's use of the service: access closed, every key revoked.

    An ended access is not also suspended: a suspension in force ends with it, so the access
    rows say one thing (and access granted again later starts unsuspended).

    Side effects: offboarded_at on access rows, their suspension cleared, revoked_at on keys,
    audit, the bank's cached keys dropped.
    """
    with transaction.atomic():
        now = timezone.now()
        live = ApiAccess.objects.filter(organisation=organisation, offboarded_at__isnull=True)
        was_suspended = live.filter(suspended_at__isnull=False).exists()
        live.update(offboarded_at=now, suspended_at=None, suspended_reason="")
        ApiKey.objects.filter(organisation=organisation, revoked_at__isnull=True).update(
            revoked_at=now)
        forget_organisation(organisation_id=organisation.pk)
        audit_record(obj=organisation, actor=by, verb="api_access_offboarded",
                     data={"suspension_ended": was_suspended})


# --- The ledger: rates and the published test customers -------------------------------------------


def interest_rates_load(*, periods):
    """Replace the interest-rate table with ``periods`` (engine RatePeriods).

    Side effects: InterestRate rows replaced; every process reloads the table (cache version).
    """
    with transaction.atomic():
        InterestRate.objects.all().delete()
        InterestRate.objects.bulk_create([
            InterestRate(kind=p.kind, valid_from=p.valid_from, valid_to=p.valid_to, rate=p.rate)
            for p in periods])
        transaction.on_commit(_rates_version_bump)


def _rates_version_bump():
    cache.set(RATES_VERSION_KEY, uuid.uuid4().hex, None)


def borrower_ledger_replace(*, environment, fnr, name, events, test_case="", description=""):
    """Create or update a borrower and replace their whole ledger with ``events``.

    Side effects: a Borrower row, its LedgerEvent rows replaced, the person's ledger
    generation replaced at once and after the commit (the API's kept answers for the person
    are no longer used: ``selectors.answer_kept``).
    """
    if not fnr_is_valid(fnr):
        raise DomainError(_("Ugyldig fødselsnummer."))
    with transaction.atomic():
        borrower, _created = Borrower.objects.update_or_create(
            environment=environment, fnr=fnr,
            defaults={"name": name, "test_case": test_case, "description": description})
        LedgerEvent.objects.filter(borrower=borrower).delete()
        LedgerEvent.objects.bulk_create([
            LedgerEvent(borrower=borrower, sequence=sequence, **row_values(event))
            for sequence, event in enumerate(sorted(events, key=lambda e: e.date))])
        generation_key = ledger_generation_key(environment=environment,
                                               fnr_hash=keyed_fnr_hash(fnr))
        _ledger_generation_replace(generation_key)
        # The replacement that counts: a call that read the ledger before this commit kept its
        # answer under the generation from before it.
        transaction.on_commit(lambda: _ledger_generation_replace(generation_key), robust=True)
    return borrower


def _ledger_generation_replace(key):
    try:
        cache.set(key, uuid.uuid4().hex, LEDGER_GENERATION_SECONDS)
    except Exception:
        # The new ledger stands; a kept answer ends with its generation at the latest.
        logger.exception("The ledger generation %s could not be replaced", key)


def test_customers_seed():
    """The published synthetic test customers in the test environment, with their ledgers, and
    the default interest-rate table. Idempotent.

    Side effects: InterestRate rows, 17 Borrowers and their LedgerEvents.
    """
    ledgers = test_customer_ledgers()
    with transaction.atomic():
        interest_rates_load(periods=[period for kind in RATE_KINDS
                                     for period in DEFAULT_RATE_TABLE.periods(kind)])
        borrowers = [
            borrower_ledger_replace(environment=Environment.TEST, fnr=customer.fnr,
                                    name=customer.name, events=ledgers[customer.fnr],
                                    test_case=customer.case, description=customer.description)
            for customer in load_test_customers()]
    return borrowers


# --- What the API writes --------------------------------------------------------------------------


def lookup_log_write(*, environment, request_id, status, latency_ms, organisation=None,
                     api_key_prefix="", consent_id="", consent_source="", fnr_hash="",
                     error=""):
    """Record one API call. Never the fødselsnummer: callers pass its keyed hash.

    Every call of the Saldo API writes one, before its answer leaves: so it is one INSERT
    statement written out (``_lookup_log_insert``), not a model instance saved through the ORM,
    which costs the call three times as much, and on PostgreSQL its values are sent apart from
    the statement (``_server_bound_cursor``). Its values are those the model's fields give.
    Returns nothing (the row's id is not read back).

    Side effects: one LookupLog row.
    """
    connection = connections[router.db_for_write(LookupLog)]
    values = [connection.ops.adapt_datetimefield_value(timezone.now()),
              organisation.pk if organisation is not None else None,
              api_key_prefix, environment, request_id[:100], consent_id[:100], consent_source,
              fnr_hash, status, error[:200], round(latency_ms, 2)]
    with _server_bound_cursor(connection) as cursor:
        cursor.execute(_lookup_log_insert(connection.alias), values)


def _server_bound_cursor(connection):
    """On PostgreSQL, a psycopg cursor that sends the values apart from the statement
    (server-side binding) instead of the ClientCursor Django uses, which first writes them
    into the statement as literals, at a cost to both sides; wrapped as Django wraps its own
    (queries logged and counted, errors translated). Elsewhere Django's own cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


_LOOKUP_LOG_COLUMNS = ("created_at", "organisation", "api_key_prefix", "environment",
                       "request_id", "consent_id", "consent_source", "fnr_hash", "status",
                       "error", "latency_ms")


@functools.cache
def _lookup_log_insert(alias):
    quote = connections[alias].ops.quote_name
    meta = LookupLog._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in _LOOKUP_LOG_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_LOOKUP_LOG_COLUMNS))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"


def consent_remember(*, organisation, environment, fnr_hash, consent):
    """Keep a consent seen in a successful call until it expires (later calls may omit it).

    Side effects: a ConsentCache row created or updated (nothing if it is already known).
    """
    if consent.source == "cache":
        return
    row = ConsentCache.objects.filter(organisation=organisation, environment=environment,
                                      fnr_hash=fnr_hash).first()
    if row and row.consent_id == consent.consent_id and row.valid_to == consent.valid_to:
        return
    ConsentCache.objects.update_or_create(
        organisation=organisation, environment=environment, fnr_hash=fnr_hash,
        defaults={"consent_id": consent.consent_id, "source": consent.source,
                  "valid_to": consent.valid_to, "updated_at": timezone.now()})


def api_key_demo_get_or_issue(*, organisation):
    """A test-environment key for demos (``saldo_demo_headers``), the same every time for a bank:
    derived from SECRET_KEY, so the command can print it again without storing it in clear.

    Only while the local test issuer is enabled. Returns (ApiKey, key in clear).
    Side effects: on first use an ApiKey row and an audit event.
    """
    if not conf.test_issuer_enabled():
        raise DomainError(_("Demo-nøkler finnes bare når den lokale testutstederen er på."))
    if not ApiAccess.objects.filter(organisation=organisation, environment=Environment.TEST,
                                    suspended_at__isnull=True,
                                    offboarded_at__isnull=True).exists():
        raise DomainError(_("Banken har ikke aktiv tilgang til testmiljøet."))
    digest = hmac.new(settings.SECRET_KEY.encode(), f"saldo-demo-key:{organisation.orgnr}".encode(),
                      hashlib.sha256).digest()
    plaintext = "slk_test_demo" + base64.urlsafe_b64encode(digest).decode().rstrip("=")
    with transaction.atomic():
        key = ApiKey.objects.filter(key_hash=hash_key(plaintext)).first()
        if key is None:
            key = ApiKey.objects.create(organisation=organisation, environment=Environment.TEST,
                                        prefix=key_prefix(plaintext),
                                        key_hash=hash_key(plaintext))
            audit_record(obj=organisation, actor=None, verb="api_key_issued",
                         data={"environment": Environment.TEST, "prefix": key.prefix,
                               "demo": True})
    if not key.is_usable():
        raise DomainError(_("Demo-nøkkelen er trukket tilbake; oppgi en nøkkel med --api-key."))
    return key, plaintext


def borrower_view_record(*, borrower, by, as_of):
    """A caseworker looked at a borrower's balance: personal data, so it is recorded.

    Side effects: an audit event on the borrower.
    """
    audit_record(obj=borrower, actor=by, verb="borrower_viewed",
                 data={"as_of": as_of.isoformat(), "environment": borrower.environment})


test_customers_seed.__test__ = False  # not a pytest test, despite the name
