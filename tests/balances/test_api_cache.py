"""What the Saldo API remembers between calls, and that none of it skips a check: the ApiKey's
grant (dropped on rotate, revoke, suspend and offboard), a verified token by its hash, that a
consent is already kept; one query per call on a warm cache (the log); the browser middleware
skipped. The kept answer and its versions: tests/balances/test_answer_cache.py."""

import json
import time
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache

from balances import keycache, selectors, testissuer, tokens
from balances.keys import hash_key
from balances.models import ApiKey, ConsentCache, LookupLog
from balances.services import (
    api_access_grant,
    api_access_offboard,
    api_access_suspend,
    api_access_unsuspend,
    api_key_issue,
    api_key_revoke,
    api_key_rotate,
)
from tests.balances.conftest import ALL_FOUR_FNR, SaldoCaller, to_meta

pytestmark = pytest.mark.django_db


def again(headers):
    """The same headers with a fresh X-Request-Id, as a bank's next call."""
    return {**headers, "X-Request-Id": str(uuid.uuid4())}


@pytest.fixture
def warm(saldo):
    """Headers a bank reuses (one token, one consent) after two calls: every cache is warm."""
    headers = saldo.headers()
    assert saldo.get(again(headers)).status_code == 200
    assert saldo.get(again(headers)).status_code == 200
    return headers


def last_log():
    return LookupLog.objects.order_by("-pk").first()


# --- Queries and middleware -----------------------------------------------------------------------


def test_a_call_on_a_warm_cache_makes_one_query_the_log(saldo, warm, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        response = saldo.get(again(warm))
    assert response.status_code == 200
    (log_insert,) = (q["sql"] for q in captured.captured_queries)
    assert log_insert.startswith("INSERT INTO") and "balances_lookuplog" in log_insert
    assert last_log().status == 200 and last_log().consent_source == "altinn2"


def test_the_answer_is_the_same_from_a_warm_cache(saldo, warm):
    cold = saldo.get(saldo.headers())
    hot = saldo.get(again(warm))
    assert json.loads(hot.content) == json.loads(cold.content)


def test_the_api_skips_the_browser_middleware_but_keeps_the_security_headers(saldo, warm):
    response = saldo.get(again(warm))
    assert response.status_code == 200
    # Set by LocaleMiddleware and SessionMiddleware on every portal page; not here.
    assert "Content-Language" not in response
    assert "Vary" not in response
    assert not response.cookies
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert response["Cache-Control"] == "no-store"


def test_the_api_still_refuses_a_host_that_is_not_allowed(saldo, warm):
    logged = LookupLog.objects.count()
    response = saldo.client.get("/test/saldo/v1/Accounts", HTTP_HOST="evil.example",
                                **to_meta(again(warm)))
    assert response.status_code == 400
    assert LookupLog.objects.count() == logged


def test_the_portal_pages_still_get_the_browser_middleware(client):
    response = client.get("/saldo-api/health")
    assert response.status_code == 200
    assert "Content-Language" in response


# --- The ApiKey's grant ---------------------------------------------------------------------------


def _grant_cached(api_key):
    return cache.get(keycache.entry_key(hash_key(api_key))) is not None


def test_suspension_refuses_the_next_call_even_with_a_warm_cache(
        saldo, warm, django_capture_on_commit_callbacks):
    assert _grant_cached(saldo.api_key)
    with django_capture_on_commit_callbacks(execute=True):
        api_access_suspend(organisation=saldo.organisation, by=None, reason="Lekket nøkkel")
    response = saldo.get(again(warm))
    assert response.status_code == 401
    assert last_log().error == "bank is suspended"
    # Lifted: the key works again (refusals are never cached).
    api_access_unsuspend(organisation=saldo.organisation, by=None)
    assert saldo.get(again(warm)).status_code == 200


def test_suspension_inside_a_transaction_refuses_the_next_call_without_the_commit_hook(
        saldo, warm):
    """In the tests' transaction no on-commit hook runs: the forget at once is enough."""
    api_access_suspend(organisation=saldo.organisation, by=None, reason="Sikkerhetsbrudd")
    assert saldo.get(again(warm)).status_code == 401


def test_revoking_refuses_the_next_call_even_with_a_warm_cache(saldo, warm):
    api_key_revoke(key=ApiKey.objects.get(organisation=saldo.organisation), by=None)
    assert saldo.get(again(warm)).status_code == 401
    assert last_log().error == "ApiKey is revoked or expired"


def test_offboarding_refuses_the_next_call_even_with_a_warm_cache(saldo, warm):
    api_access_offboard(organisation=saldo.organisation, by=None)
    assert saldo.get(again(warm)).status_code == 401


def test_rotation_without_grace_refuses_the_old_key_at_once(saldo, warm):
    _new, new_plain = api_key_rotate(key=ApiKey.objects.get(organisation=saldo.organisation),
                                     by=None, grace=timedelta(0))
    assert saldo.get(again(warm)).status_code == 401
    assert saldo.get(again({**warm, "ApiKey": new_plain})).status_code == 200


def test_the_old_key_stops_when_its_grace_ends_though_its_grant_is_cached(saldo, warm):
    api_key_rotate(key=ApiKey.objects.get(organisation=saldo.organisation), by=None,
                   grace=timedelta(seconds=1))
    cache.delete(keycache._mark_key(saldo.organisation.pk))  # as when the mark has ended
    assert saldo.get(again(warm)).status_code == 200  # in the grace period, cached again
    assert _grant_cached(saldo.api_key)
    time.sleep(1.1)
    assert saldo.get(again(warm)).status_code == 401
    assert last_log().error == "ApiKey is revoked or expired"


def test_a_grant_cached_for_one_environment_does_not_open_the_other(saldo, warm):
    response = saldo.get(again(warm), environment="production")
    assert response.status_code == 401
    assert last_log().error == "ApiKey belongs to the test environment"


def test_a_refused_key_is_not_cached(saldo):
    saldo.get(saldo.headers(ApiKey="slk_test_nope"))
    assert not _grant_cached("slk_test_nope")


def test_a_suspension_committing_while_a_call_fills_the_cache_is_not_undone(saldo):
    """The call read the access row before the suspension committed, and writes the grant
    after the suspension dropped the cache: the mark the suspension left takes it back."""
    real_check = selectors.api_key_check

    def read_then_suspension_commits(**kwargs):
        key = real_check(**kwargs)  # still active
        api_access_suspend(organisation=saldo.organisation, by=None, reason="Samtidig")
        return key

    with mock.patch.object(selectors, "api_key_check", read_then_suspension_commits):
        grant = keycache.key_grant(presented_key=saldo.api_key, environment="test")
    assert grant is not None  # that call was already under way
    assert not _grant_cached(saldo.api_key)
    assert saldo.get().status_code == 401


def test_another_bank_keeps_its_grant_when_one_bank_is_suspended(saldo, client, other_bank):
    api_access_grant(organisation=other_bank, environment="test", by=None)
    _key, plaintext = api_key_issue(organisation=other_bank, environment="test", by=None)
    other = SaldoCaller(client, other_bank, plaintext)
    assert other.get().status_code == 200
    api_access_suspend(organisation=saldo.organisation, by=None, reason="Lekket nøkkel")
    assert _grant_cached(plaintext)
    assert other.get().status_code == 200


# --- Verified tokens ------------------------------------------------------------------------------


class Clock:
    """Stands in for the time module in balances.tokens."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now


@pytest.fixture
def verifications(monkeypatch):
    counted = mock.Mock(wraps=tokens._verify_signed)
    monkeypatch.setattr(tokens, "_verify_signed", counted)
    return counted


def test_a_token_used_again_is_not_verified_again(saldo, verifications):
    headers = saldo.headers()
    assert saldo.get(again(headers)).status_code == 200
    assert saldo.get(again(headers)).status_code == 200
    assert verifications.call_count == 2  # the access token and the consent, once each


def test_a_verified_token_is_remembered_for_two_minutes_at_most(saldo, verifications,
                                                                monkeypatch):
    clock = Clock()
    monkeypatch.setattr(tokens, "time", clock)
    token = testissuer.maskinporten_token(orgnr=saldo.organisation.orgnr,
                                          lifetime=timedelta(minutes=10))
    consent = testissuer.consent_token(fnr=ALL_FOUR_FNR, orgnr=saldo.organisation.orgnr,
                                       lifetime=timedelta(minutes=10))
    headers = saldo.headers(token=token, consent=consent)
    assert saldo.get(again(headers)).status_code == 200
    clock.now += 119
    assert saldo.get(again(headers)).status_code == 200
    assert verifications.call_count == 2
    clock.now += 2
    assert saldo.get(again(headers)).status_code == 200
    assert verifications.call_count == 4  # both tokens verified afresh


def test_a_verified_token_is_not_remembered_past_its_expiry(saldo, verifications, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(tokens, "time", clock)
    token = testissuer.maskinporten_token(orgnr=saldo.organisation.orgnr,
                                          lifetime=timedelta(seconds=60))
    consent = testissuer.consent_token(fnr=ALL_FOUR_FNR, orgnr=saldo.organisation.orgnr,
                                       lifetime=timedelta(minutes=10))
    headers = saldo.headers(token=token, consent=consent)
    assert saldo.get(again(headers)).status_code == 200
    clock.now += 61
    assert saldo.get(again(headers)).status_code == 200
    assert verifications.call_count == 3  # the access token again, not the consent


def test_a_remembered_token_of_one_bank_is_refused_with_another_banks_key(
        saldo, client, other_bank):
    headers = saldo.headers()
    assert saldo.get(again(headers)).status_code == 200
    api_access_grant(organisation=other_bank, environment="test", by=None)
    _key, plaintext = api_key_issue(organisation=other_bank, environment="test", by=None)
    other = SaldoCaller(client, other_bank, plaintext)
    response = other.get(again({**headers, "ApiKey": plaintext}))
    assert response.status_code == 401
    assert json.loads(response.content)["detail"] == (
        "consumer does not match the ApiKey's organisation")


def test_a_remembered_consent_still_names_its_person(saldo):
    headers = saldo.headers()
    assert saldo.get(again(headers)).status_code == 200
    response = saldo.get(again({**headers, "PSU_ID": "02075700329"}))
    assert response.status_code == 403
    assert json.loads(response.content)["detail"] == "consent is given by another person"


def test_a_token_remembered_in_test_is_not_trusted_in_production(saldo, production_key):
    headers = saldo.headers()
    assert saldo.get(again(headers)).status_code == 200
    response = saldo.get(again({**headers, "ApiKey": production_key}),
                         environment="production")
    assert response.status_code == 401
    assert json.loads(response.content)["detail"] == "issuer is not trusted in this environment"


def test_a_refused_token_is_not_remembered(saldo, verifications):
    token = testissuer.maskinporten_token(orgnr=saldo.organisation.orgnr,
                                          overrides={"aud": "https://someone-else.example/"})
    headers = saldo.headers(token=token)
    assert saldo.get(again(headers)).status_code == 401
    assert saldo.get(again(headers)).status_code == 401
    assert verifications.call_count == 2


def test_remembered_tokens_are_bounded(monkeypatch):
    monkeypatch.setattr(tokens, "VERIFIED_MAX_ENTRIES", 3)
    for n in range(5):
        tokens._remember(f"key-{n}", {"exp": time.time() + 60})
    assert list(tokens._verified) == ["key-2", "key-3", "key-4"]


# --- The consent kept -----------------------------------------------------------------------------


def test_the_same_consent_again_is_not_written_again(saldo, warm):
    with mock.patch("balances.services.consent_remember") as remember:
        assert saldo.get(again(warm)).status_code == 200
    remember.assert_not_called()
    assert ConsentCache.objects.count() == 1


def test_a_new_consent_is_kept_in_place_of_the_old_one(saldo, warm):
    first = ConsentCache.objects.get()
    assert saldo.get(saldo.headers()).status_code == 200  # a new consent token
    kept = ConsentCache.objects.get()
    assert kept.consent_id != first.consent_id
    assert saldo.get(saldo.headers(omit=("Consent-ID",))).status_code == 200
    assert last_log().consent_id == kept.consent_id


# --- Settings read on every call ------------------------------------------------------------------


def test_the_trusted_issuers_and_environments_follow_a_changed_setting(settings):
    from balances import conf

    assert conf.environment_served("production")
    assert any(issuer.local for issuer in conf.maskinporten_issuers("test"))
    settings.SALDO_API_ENVIRONMENTS = ["test"]
    settings.SALDO_TEST_ISSUER_ENABLED = False
    assert not conf.environment_served("production")
    assert not any(issuer.local for issuer in conf.maskinporten_issuers("test"))


# --- The PSU_ID ---------------------------------------------------------------------------------


def test_a_valid_psu_id_is_remembered_by_its_hash_and_an_invalid_one_never(saldo, monkeypatch):
    from balances import api
    from balances.fnr import fnr_hash

    monkeypatch.setattr(api, "_valid_psu_ids", set())
    checked = mock.Mock(wraps=api.fnr_is_valid)
    monkeypatch.setattr(api, "fnr_is_valid", checked)
    headers = saldo.headers()
    assert saldo.get(again(headers)).status_code == 200
    assert saldo.get(again(headers)).status_code == 200
    assert checked.call_count == 1
    assert api._valid_psu_ids == {fnr_hash(ALL_FOUR_FNR)}  # the hash, never the fnr
    invalid = {**headers, "PSU_ID": "04125300312"}
    assert saldo.get(again(invalid)).status_code == 400
    assert saldo.get(again(invalid)).status_code == 400
    assert checked.call_count == 3
