"""GET /saldo/v1/Accounts and /test/saldo/v1/Accounts: the contract, every error code, hostile
tokens, consent caching, throttling and the lookup log."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from balances import jwks, testissuer
from balances.models import ConsentCache, LookupLog
from balances.services import (
    api_access_offboard,
    api_access_suspend,
    api_key_revoke,
    borrower_ledger_replace,
)
from balances.testcustomers import load_test_customers, test_customer_ledgers
from tests.balances.conftest import ALL_FOUR_FNR, NO_DEBT_FNR, UNKNOWN_FNR, SaldoCaller

pytestmark = pytest.mark.django_db


def body(response):
    return json.loads(response.content, parse_float=Decimal)


def last_log():
    return LookupLog.objects.order_by("-pk").first()


# --- The contract ---------------------------------------------------------------------------------


def test_valid_call_returns_the_four_sub_accounts_as_published(saldo):
    response = saldo.get()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    data = body(response)
    assert [a["Name"] for a in data["Accounts"]] == ["Lån", "Renter", "Gebyr", "Omkostninger"]
    for account in data["Accounts"]:
        assert account["Bban"] == ALL_FOUR_FNR
        [balance] = account["Balances"]
        assert balance["BalanceType"] == "closingBooked"
        assert balance["BalanceAmount"]["currency"] == "NOK"
        assert balance["LastChangeDateTime"][:2] == "20"
    amounts = [a["Balances"][0]["BalanceAmount"]["amount"] for a in data["Accounts"]]
    assert data["TotalAmount"] == sum(amounts)
    # Money is written as the exact øre amount, not via float.
    assert b'"amount": 70.00' in response.content  # two reminder fees of 35,00


def test_response_echoes_the_request_id(saldo):
    headers = saldo.headers()
    response = saldo.get(headers)
    assert response["X-Request-Id"] == headers["X-Request-Id"]


def _contract_problems(customer, response):
    if response.status_code != 200:
        return [f"status {response.status_code}"]
    data = body(response)
    expected = [name for name, flag in [("Lån", customer.lan), ("Renter", customer.renter),
                                        ("Gebyr", customer.gebyr),
                                        ("Omkostninger", customer.omkostninger)] if flag]
    amounts = [a["Balances"][0]["BalanceAmount"]["amount"] for a in data["Accounts"]]
    checks = {
        "sub-accounts": [a["Name"] for a in data["Accounts"]] == expected,
        "non-zero amounts in øre": all(
            amount != 0 and amount == amount.quantize(Decimal("0.01")) for amount in amounts),
        "Bban is the fnr": all(a["Bban"] == customer.fnr for a in data["Accounts"]),
        "total is the sum": data["TotalAmount"] == sum(amounts, Decimal("0")),
        "over one million": (data["TotalAmount"] > 1_000_000)
        == customer.total_over_one_million,
    }
    return [name for name, ok in checks.items() if not ok]


def test_contract_for_every_published_test_customer(seeded, saldo):
    """The bank's integration test runs unchanged: each of the 17 published test customers
    gives exactly its combination of sub-accounts (all 17 in one test: seeding is slow)."""
    customers = load_test_customers()
    assert len(customers) == 17
    problems = {f"{c.case} {c.fnr} {c.name}": _contract_problems(c, saldo.get(fnr=c.fnr))
                for c in customers}
    assert {who: p for who, p in problems.items() if p} == {}


def test_grant_only_customer_has_no_accounts_and_total_zero(saldo):
    response = saldo.get(fnr=NO_DEBT_FNR)
    assert response.status_code == 200
    assert response.content == b'{"Accounts": [], "TotalAmount": 0.00}'


def test_bearer_prefix_is_tolerated(saldo):
    token = "Bearer " + testissuer.maskinporten_token(orgnr=saldo.organisation.orgnr)
    assert saldo.get(token=token).status_code == 200


def test_altinn3_consent_inside_the_access_token_needs_no_consent_id(saldo):
    details = [testissuer.altinn3_consent(fnr=ALL_FOUR_FNR, orgnr=saldo.organisation.orgnr)]
    token = testissuer.maskinporten_token(orgnr=saldo.organisation.orgnr,
                                          authorization_details=details)
    response = saldo.get(saldo.headers(token=token, omit=("Consent-ID",)))
    assert response.status_code == 200
    assert last_log().consent_source == "altinn3"
    assert last_log().consent_id == details[0]["id"]


# --- Consent caching ------------------------------------------------------------------------------


def test_consent_is_cached_after_a_200_so_later_calls_may_omit_it(saldo):
    assert saldo.get(saldo.headers(omit=("Consent-ID",))).status_code == 403
    assert saldo.get().status_code == 200
    response = saldo.get(saldo.headers(omit=("Consent-ID",)))
    assert response.status_code == 200
    assert last_log().consent_source == "cache"


def test_cached_consent_is_for_that_bank_and_person_only(saldo, client, other_bank):
    from balances.services import api_access_grant, api_key_issue

    assert saldo.get().status_code == 200
    # Same bank, another person: no consent cached for them.
    other_person = saldo.get(saldo.headers(NO_DEBT_FNR, omit=("Consent-ID",)))
    assert other_person.status_code == 403
    # Another bank, same person.
    api_access_grant(organisation=other_bank, environment="test", by=None)
    _key, plaintext = api_key_issue(organisation=other_bank, environment="test", by=None)
    other = SaldoCaller(client, other_bank, plaintext)
    assert other.get(other.headers(omit=("Consent-ID",))).status_code == 403


def test_cached_consent_ends_when_the_consent_expires(saldo):
    assert saldo.get().status_code == 200
    ConsentCache.objects.update(valid_to=timezone.now() - timedelta(seconds=1))
    assert saldo.get(saldo.headers(omit=("Consent-ID",))).status_code == 403


def test_a_refused_call_caches_no_consent(saldo):
    assert saldo.get(fnr=UNKNOWN_FNR).status_code == 404
    assert not ConsentCache.objects.exists()


# --- 400: headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["ApiKey", "Authorization", "PSU_ID", "X-Request-Id"])
def test_missing_header_is_400(saldo, header):
    response = saldo.get(saldo.headers(omit=(header,)))
    assert response.status_code == 400
    data = body(response)
    assert data["status"] == 400 and data["title"] == "One or more headers are invalid"
    assert data["requestId"]


@pytest.mark.parametrize("psu_id", ["0412530031", "041253003111", "04125300312", "abcdefghijk",
                                    "04125 00311", "'; drop table --"])
def test_malformed_psu_id_is_400(saldo, psu_id):
    response = saldo.get(saldo.headers(PSU_ID=psu_id))
    assert response.status_code == 400
    assert "PSU_ID" in body(response)["detail"]


@pytest.mark.parametrize("request_id", ["has space", "x" * 101, "ære", "a/b"])
def test_malformed_request_id_is_400_with_a_server_request_id(saldo, request_id):
    response = saldo.get(saldo.headers(**{"X-Request-Id": request_id}))
    assert response.status_code == 400
    assert body(response)["requestId"].startswith("srv-")
    assert last_log().request_id == body(response)["requestId"]


def test_huge_header_is_400_not_500(saldo):
    response = saldo.get(saldo.headers(**{"Consent-ID": "x" * 20_000}))
    assert response.status_code == 400


# --- 401: ApiKey ----------------------------------------------------------------------------------


def test_unknown_api_key_is_401(saldo):
    response = saldo.get(saldo.headers(ApiKey="slk_test_nope"))
    assert response.status_code == 401
    assert body(response)["title"] == "Authorization token is invalid"
    assert last_log().error == "unknown ApiKey" and last_log().organisation is None


def test_test_key_in_production_is_401(saldo):
    response = saldo.get(environment="production")
    assert response.status_code == 401
    log = last_log()
    assert log.environment == "production" and log.organisation == saldo.organisation
    assert log.error == "ApiKey belongs to the test environment"


def test_production_key_in_test_is_401(saldo, production_key):
    response = saldo.get(saldo.headers(ApiKey=production_key))
    assert response.status_code == 401
    assert last_log().error == "ApiKey belongs to the production environment"


def test_revoked_key_is_401(saldo):
    from balances.models import ApiKey

    api_key_revoke(key=ApiKey.objects.get(organisation=saldo.organisation), by=None)
    assert saldo.get().status_code == 401
    assert last_log().error == "ApiKey is revoked or expired"


def test_suspended_bank_is_refused_at_once(saldo):
    assert saldo.get().status_code == 200
    api_access_suspend(organisation=saldo.organisation, by=None, reason="Lekket nøkkel")
    response = saldo.get()
    assert response.status_code == 401
    assert last_log().error == "bank is suspended"


def test_offboarded_bank_is_401(saldo):
    api_access_offboard(organisation=saldo.organisation, by=None)
    assert saldo.get().status_code == 401


# --- 401: the Maskinporten token (hostile tokens) -------------------------------------------------


def _b64(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _claims(orgnr, **overrides):
    now = int(timezone.now().timestamp())
    claims = {"iss": "https://portal.example/saldo-api/test-issuer/maskinporten/",
              "aud": "https://ekstern01.api.test.lanekassen.no/",
              "scope": "lanekassen:lan/v1/saldoopplysninger",
              "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{orgnr}"},
              "iat": now, "exp": now + 120}
    claims.update(overrides)
    return claims


def alg_none(orgnr):
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(orgnr))}."


def hs256_with_public_key(orgnr):
    kid = testissuer.signing_key().kid
    signing_input = f"{_b64({'alg': 'HS256', 'kid': kid, 'typ': 'JWT'})}.{_b64(_claims(orgnr))}"
    signature = hmac.new(testissuer.public_key_pem(), signing_input.encode(),
                         hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def bad_signature(orgnr):
    token = testissuer.maskinporten_token(orgnr=orgnr)
    head, payload, signature = token.split(".")
    forged_payload = _b64(_claims(orgnr, scope="lanekassen:lan/v1/saldoopplysninger admin"))
    return f"{head}.{forged_payload}.{signature}"


def unknown_kid(orgnr):
    token = testissuer.maskinporten_token(orgnr=orgnr)
    _head, payload, signature = token.split(".")
    return f"{_b64({'alg': 'RS256', 'kid': 'not-a-key', 'typ': 'JWT'})}.{payload}.{signature}"


HOSTILE_TOKENS = {
    "alg_none": (alg_none, "algorithm 'none' is not accepted"),
    "hs256_signed_with_public_key": (hs256_with_public_key, "algorithm 'HS256' is not accepted"),
    "bad_signature": (bad_signature, "bad signature"),
    "unknown_kid": (unknown_kid, "unknown kid"),
    "wrong_iss": (lambda o: testissuer.maskinporten_token(
        orgnr=o, overrides={"iss": "https://evil.example/"}),
        "issuer is not trusted in this environment"),
    "wrong_aud": (lambda o: testissuer.maskinporten_token(
        orgnr=o, overrides={"aud": "https://someone-else.example/"}), "wrong audience"),
    "no_aud": (lambda o: testissuer.maskinporten_token(orgnr=o, drop=("aud",)),
               "claim aud is missing"),
    "missing_scope": (lambda o: testissuer.maskinporten_token(orgnr=o, drop=("scope",)),
                      "scope lanekassen:lan/v1/saldoopplysninger is missing"),
    "wrong_scope": (lambda o: testissuer.maskinporten_token(orgnr=o, scope="lanekassen:lan/v1"),
                    "scope lanekassen:lan/v1/saldoopplysninger is missing"),
    "scope_as_prefix_only": (lambda o: testissuer.maskinporten_token(
        orgnr=o, scope="lanekassen:lan/v1/saldoopplysningerX"),
        "scope lanekassen:lan/v1/saldoopplysninger is missing"),
    "expired": (lambda o: testissuer.maskinporten_token(
        orgnr=o, issued_at=timezone.now() - timedelta(minutes=5)), "token has expired"),
    "issued_in_the_future": (lambda o: testissuer.maskinporten_token(
        orgnr=o, issued_at=timezone.now() + timedelta(minutes=5)),
        "token is issued in the future"),
    "no_exp": (lambda o: testissuer.maskinporten_token(orgnr=o, drop=("exp",)),
               "claim exp is missing"),
    "no_consumer": (lambda o: testissuer.maskinporten_token(orgnr=o, drop=("consumer",)),
                    "consumer is missing"),
    "consumer_of_another_bank": (lambda o: testissuer.maskinporten_token(orgnr="920000002"),
                                 "consumer does not match the ApiKey's organisation"),
    "not_a_jwt": (lambda o: "not.a.jwt", "token is not a well-formed JWT"),
    "garbage": (lambda o: "\u00e6\u00f8\u00e5" * 10, "token is not a well-formed JWT"),
}


@pytest.mark.parametrize("name", list(HOSTILE_TOKENS))
def test_hostile_access_token_is_401(saldo, name):
    make, reason = HOSTILE_TOKENS[name]
    response = saldo.get(token=make(saldo.organisation.orgnr))
    assert response.status_code == 401
    data = body(response)
    assert data["title"] == "Authorization token is invalid"
    assert data["detail"] == reason
    assert last_log().status == 401 and last_log().error == reason


def test_unknown_kid_refetches_the_keys_once_after_a_key_rotation(saldo, monkeypatch):
    assert saldo.get().status_code == 200
    fetches = []
    real_fetch = jwks.fetch_jwks
    monkeypatch.setattr(jwks, "fetch_jwks", lambda url: fetches.append(url) or real_fetch(url))
    testissuer.key_rotate()
    # The new key is not in the cached set: the unknown kid makes one refetch.
    assert saldo.get().status_code == 200
    assert len(fetches) == 1
    # A made-up kid right after does not fetch again.
    assert saldo.get(token=unknown_kid(saldo.organisation.orgnr)).status_code == 401
    assert len(fetches) == 1


def test_keys_that_cannot_be_fetched_give_500(saldo, settings, saldo_settings):
    settings.SALDO_MASKINPORTEN = {**settings.SALDO_MASKINPORTEN, "test": {
        "issuer": "https://test.maskinporten.no/", "jwks_url": "https://test.maskinporten.no/jwk"}}
    token = testissuer.maskinporten_token(orgnr=saldo.organisation.orgnr,
                                          overrides={"iss": "https://test.maskinporten.no/"})
    response = saldo.get(token=token)
    assert response.status_code == 500
    assert body(response)["title"].startswith("Unknown error")
    assert saldo_settings == ["https://test.maskinporten.no/jwk"]
    assert last_log().error == "issuer keys could not be fetched"


# --- 403: consent ---------------------------------------------------------------------------------


def _consent(saldo, **kwargs):
    args = {"fnr": ALL_FOUR_FNR, "orgnr": saldo.organisation.orgnr, **kwargs}
    return testissuer.consent_token(**args)


HOSTILE_CONSENTS = {
    "for_another_person": (lambda s: _consent(s, fnr=NO_DEBT_FNR),
                           "consent is given by another person"),
    "for_another_bank": (lambda s: _consent(s, orgnr="920000002"),
                         "consent is given to another organisation"),
    "expired_consent": (lambda s: _consent(s, valid_to=timezone.now() - timedelta(days=1)),
                        "consent has expired"),
    "expired_consent_token": (lambda s: _consent(
        s, issued_at=timezone.now() - timedelta(minutes=5)), "token has expired"),
    "another_service_code": (lambda s: _consent(s, services=["4629_2"]),
                             "consent does not cover service 5498_1"),
    "no_services": (lambda s: _consent(s, overrides={"Services": None}),
                    "consent does not cover service 5498_1"),
    "no_valid_to": (lambda s: _consent(s, overrides={"ValidToDate": "snart"}),
                    "consent has no valid ValidToDate"),
    "not_valid_yet": (lambda s: _consent(s, overrides={
        "ValidFromDate": (timezone.now() + timedelta(days=2)).isoformat()}),
        "consent is not valid yet"),
    "wrong_issuer": (lambda s: _consent(s, overrides={"iss": "https://evil.example"}),
                     "issuer is not trusted in this environment"),
    "maskinporten_token_as_consent": (
        lambda s: testissuer.maskinporten_token(orgnr=s.organisation.orgnr),
        "issuer is not trusted in this environment"),
    "alg_none": (lambda s: alg_none(s.organisation.orgnr), "algorithm 'none' is not accepted"),
    "garbage": (lambda s: "samtykke", "token is not a well-formed JWT"),
}


@pytest.mark.parametrize("name", list(HOSTILE_CONSENTS))
def test_bad_consent_is_403(saldo, name):
    make, reason = HOSTILE_CONSENTS[name]
    response = saldo.get(consent=make(saldo))
    assert response.status_code == 403
    assert body(response)["title"] == "Consent token is invalid"
    assert body(response)["detail"] == reason
    assert not ConsentCache.objects.exists()


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_consent_id_is_400_even_with_a_cached_consent(saldo, empty):
    """Sent but empty is not left out: the published pattern refuses it, and a bank whose
    consent came out empty must hear so rather than be served from an earlier consent."""
    assert saldo.get().status_code == 200
    response = saldo.get(saldo.headers(consent=empty))
    assert response.status_code == 400
    assert body(response)["detail"] == ("Consent-ID is empty: send the consent token or leave "
                                        "the header out")
    assert saldo.get(saldo.headers(omit=("Consent-ID",))).status_code == 200


def test_missing_consent_without_a_cached_one_is_403(saldo):
    response = saldo.get(saldo.headers(omit=("Consent-ID",)))
    assert response.status_code == 403
    assert body(response)["detail"] == "Consent-ID is missing and no valid consent is cached"


@pytest.mark.parametrize("quoted", ['"{}"', "'{}'", ' "{}"\n'])
def test_consent_token_in_quote_marks_is_accepted(saldo, quoted):
    response = saldo.get(consent=quoted.format(_consent(saldo)))
    assert response.status_code == 200


def test_consent_services_as_objects_are_understood(saldo):
    consent = _consent(saldo, services=[{"ServiceCode": "5498", "ServiceEditionCode": 1}])
    assert saldo.get(consent=consent).status_code == 200


@pytest.mark.parametrize("detail_change, reason", [
    ({"from": "urn:altinn:person:identifier-no:02075700329"},
     "consent is given by another person"),
    ({"to": {"authority": "iso6523-actorid-upis", "ID": "0192:920000002"}},
     "consent is given to another organisation"),
    ({"validTo": "2020-01-01T00:00:00+00:00"}, "consent has expired"),
    ({"consentRights": [{"action": ["consent"], "resource": [
        {"type": "urn:altinn:resource", "value": "skd-inntekt"}]}]},
     "consent does not cover resource lk-saldo-studielan"),
])
def test_bad_altinn3_consent_is_403(saldo, detail_change, reason):
    detail = {**testissuer.altinn3_consent(fnr=ALL_FOUR_FNR, orgnr=saldo.organisation.orgnr),
              **detail_change}
    token = testissuer.maskinporten_token(orgnr=saldo.organisation.orgnr,
                                          authorization_details=[detail])
    response = saldo.get(saldo.headers(token=token, omit=("Consent-ID",)))
    assert response.status_code == 403
    assert body(response)["detail"] == reason


# --- 404, 405, 429, 500 ---------------------------------------------------------------------------


def test_unknown_but_valid_fnr_is_404(saldo):
    response = saldo.get(fnr=UNKNOWN_FNR)
    assert response.status_code == 404
    assert body(response)["title"] == "Requested PSU_ID does not exist"


def test_test_customers_do_not_exist_in_production(saldo, production_key, settings, monkeypatch):
    _trust_fake_production_issuers(settings, monkeypatch)
    headers = _production_headers(saldo, production_key, ALL_FOUR_FNR)
    assert saldo.get(headers, environment="production").status_code == 404


def test_production_borrower_is_served_with_production_issuers(saldo, production_key, settings,
                                                               monkeypatch):
    """The real path: keys fetched over 'HTTP' (faked), Altinn via its OAuth metadata."""
    fetched = _trust_fake_production_issuers(settings, monkeypatch)
    borrower_ledger_replace(environment="production", fnr=UNKNOWN_FNR, name="PROD PERSON",
                            events=test_customer_ledgers()[ALL_FOUR_FNR])
    headers = _production_headers(saldo, production_key, UNKNOWN_FNR)
    response = saldo.get(headers, environment="production")
    assert response.status_code == 200
    assert len(body(response)["Accounts"]) == 4
    assert fetched == ["https://maskinporten.example/jwk",
                       "https://altinn.example/.well-known/oauth-authorization-server",
                       "https://altinn.example/jwks"]


def test_local_test_issuer_is_never_trusted_in_production(saldo, production_key, settings,
                                                          monkeypatch):
    _trust_fake_production_issuers(settings, monkeypatch)
    response = saldo.get(saldo.headers(ApiKey=production_key), environment="production")
    assert response.status_code == 401
    assert body(response)["detail"] == "issuer is not trusted in this environment"


def _trust_fake_production_issuers(settings, monkeypatch):
    settings.SALDO_MASKINPORTEN = {**settings.SALDO_MASKINPORTEN, "production": {
        "issuer": "https://maskinporten.example/", "jwks_url": "https://maskinporten.example/jwk"}}
    settings.SALDO_ALTINN = {**settings.SALDO_ALTINN, "production": {
        "issuer": "https://altinn.example",
        "jwks_url": "https://altinn.example/.well-known/oauth-authorization-server"}}
    fetched = []

    def fake_http(url):
        fetched.append(url)
        if url.endswith("oauth-authorization-server"):
            return {"issuer": "https://altinn.example", "jwks_uri": "https://altinn.example/jwks"}
        return testissuer.jwks()

    monkeypatch.setattr(jwks, "http_get_json", fake_http)
    return fetched


def _production_headers(saldo, production_key, fnr):
    orgnr = saldo.organisation.orgnr
    token = testissuer.maskinporten_token(
        orgnr=orgnr, environment="production", overrides={"iss": "https://maskinporten.example/"})
    consent = testissuer.consent_token(fnr=fnr, orgnr=orgnr,
                                       overrides={"iss": "https://altinn.example"})
    return saldo.headers(fnr, token=token, consent=consent, ApiKey=production_key)


def test_post_is_405_with_json(saldo):
    response = saldo.client.post("/test/saldo/v1/Accounts")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert body(response)["status"] == 405


def test_environment_not_served_is_404(saldo, settings):
    headers = saldo.headers()
    settings.SALDO_API_ENVIRONMENTS = ["production"]
    response = saldo.get(headers)
    assert response.status_code == 404
    assert not LookupLog.objects.exists()


def test_unexpected_error_is_500_with_the_request_id_and_logged(saldo, monkeypatch):
    from balances import selectors

    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "borrower_get", broken)
    headers = saldo.headers()
    response = saldo.get(headers)
    assert response.status_code == 500
    assert body(response) == {"status": 500, "title": "Unknown error. Contact support if the "
                              "error persists", "detail": "",
                              "requestId": headers["X-Request-Id"]}
    assert last_log().status == 500 and last_log().error == "internal error"


def test_a_balance_that_cannot_be_logged_is_not_sent(saldo, monkeypatch):
    from balances import services

    def broken(**kwargs):
        raise RuntimeError("log table locked")

    monkeypatch.setattr(services, "lookup_log_write", broken)
    response = saldo.get()
    assert response.status_code == 500
    assert b"Accounts" not in response.content
    assert not ConsentCache.objects.exists()


def test_throttle_per_bank_gives_429_with_retry_after(saldo, settings, client, other_bank):
    from balances.services import api_access_grant, api_key_issue

    settings.SALDO_THROTTLE_RATE = 2
    settings.SALDO_THROTTLE_WINDOW_SECONDS = 60
    assert saldo.get().status_code == 200
    assert saldo.get().status_code == 200
    response = saldo.get()
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert body(response)["title"] == "Too busy"
    assert last_log().status == 429
    # Another bank has its own allowance.
    api_access_grant(organisation=other_bank, environment="test", by=None)
    _key, plaintext = api_key_issue(organisation=other_bank, environment="test", by=None)
    assert SaldoCaller(client, other_bank, plaintext).get().status_code == 200


# --- The lookup log -------------------------------------------------------------------------------


def test_every_call_is_logged_without_the_fnr_in_clear(saldo, settings):
    headers = saldo.headers()
    saldo.get(headers)
    saldo.get(saldo.headers(PSU_ID="04125300312"))  # malformed: still hashed, never in clear
    saldo.get(fnr=UNKNOWN_FNR)
    logs = list(LookupLog.objects.order_by("pk"))
    assert [log.status for log in logs] == [200, 400, 404]
    ok = logs[0]
    assert ok.organisation == saldo.organisation
    assert ok.environment == "test"
    assert ok.request_id == headers["X-Request-Id"]
    assert ok.consent_source == "altinn2" and ok.consent_id
    assert ok.api_key_prefix == saldo.api_key[:21]
    assert ok.latency_ms > 0
    expected = hmac.new(b"test-fnr-hash-key", ALL_FOUR_FNR.encode(), hashlib.sha256).hexdigest()
    assert ok.fnr_hash == expected
    for log in logs:
        row = " ".join(str(value) for value in LookupLog.objects.filter(pk=log.pk).values()[0]
                       .values())
        for fnr in (ALL_FOUR_FNR, "04125300312", UNKNOWN_FNR):
            assert fnr not in row


def test_405_does_not_echo_a_hostile_request_id(saldo):
    response = saldo.client.post("/test/saldo/v1/Accounts",
                                 HTTP_X_REQUEST_ID="abc\r\nSet-Cookie: x=1")
    assert response.status_code == 405
    assert "X-Request-Id" not in response and body(response)["requestId"] == ""
