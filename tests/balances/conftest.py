"""Fixtures for the Saldo API: the local test issuer switched on, no network, seeded test
customers, and a bank with keys for both environments."""

import uuid

import httpx
import pytest
from stdnum.no import fodselsnummer

from balances import jwks, testissuer, tokens
from balances.models import TestIssuerKey
from balances.services import (
    api_access_grant,
    api_key_issue,
    borrower_ledger_replace,
    test_customers_seed,
)
from balances.testcustomers import load_test_customers, test_customer_ledgers

ALL_FOUR_FNR = "04125300311"  # HAUK HAUGNES: Lån, Renter, Gebyr and Omkostninger
NO_DEBT_FNR = "02075700329"  # FABIAN JONASSEN: grant only


UNKNOWN_FNR = "15039010043"  # valid check digits, not a test customer
assert fodselsnummer.is_valid(UNKNOWN_FNR)


class NetworkCalls(list):
    """URLs the code tried to fetch; nothing goes to the network in these tests."""


@pytest.fixture(autouse=True)
def saldo_settings(settings, monkeypatch):
    settings.SALDO_API_ENVIRONMENTS = ["test", "production"]
    settings.SALDO_TEST_ISSUER_ENABLED = True
    settings.SALDO_TEST_ISSUER_URL = "https://portal.example/saldo-api/test-issuer"
    settings.SALDO_THROTTLE_RATE = 1000
    settings.SALDO_THROTTLE_WINDOW_SECONDS = 1
    settings.SALDO_FNR_HASH_KEY = "test-fnr-hash-key"
    calls = NetworkCalls()

    def no_network(url):
        calls.append(url)
        raise httpx.ConnectError(f"no network in tests: {url}")

    monkeypatch.setattr(jwks, "http_get_json", no_network)
    jwks.forget()
    tokens.forget()
    yield calls
    jwks.forget()
    tokens.forget()


@pytest.fixture(scope="session")
def _issuer_pem():
    return testissuer._new_private_key_pem()


@pytest.fixture
def issuer_key(db, _issuer_pem):
    """The local issuer's key, generated once per test session (RSA generation is slow)."""
    return TestIssuerKey.objects.create(kid="saldo-test-session", private_key_pem=_issuer_pem)


@pytest.fixture
def seeded(db):
    """All the published test customers and the rate table (the whole seeding command)."""
    return test_customers_seed()


@pytest.fixture
def two_borrowers(db):
    """Just two test customers (seeding all 17 takes a while): HAUK HAUGNES with all four
    sub-accounts and FABIAN JONASSEN with no debt. Rates: the engine's default table."""
    ledgers = test_customer_ledgers()
    customers = {c.fnr: c for c in load_test_customers()}
    return [borrower_ledger_replace(environment="test", fnr=fnr, name=customers[fnr].name,
                                    events=ledgers[fnr], test_case=customers[fnr].case)
            for fnr in (ALL_FOUR_FNR, NO_DEBT_FNR)]


@pytest.fixture
def test_key(bank):
    api_access_grant(organisation=bank, environment="test", by=None)
    _key, plaintext = api_key_issue(organisation=bank, environment="test", by=None)
    return plaintext


@pytest.fixture
def production_key(bank):
    api_access_grant(organisation=bank, environment="production", by=None)
    _key, plaintext = api_key_issue(organisation=bank, environment="production", by=None)
    return plaintext


def to_meta(headers: dict) -> dict:
    return {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}


class SaldoCaller:
    """Calls the API the way a bank does: the five published headers."""

    def __init__(self, client, organisation, api_key):
        self.client = client
        self.organisation = organisation
        self.api_key = api_key

    def headers(self, fnr=ALL_FOUR_FNR, *, token=None, consent=None, omit=(), **replace):
        headers = {
            "ApiKey": self.api_key,
            "Authorization": token if token is not None else testissuer.maskinporten_token(
                orgnr=self.organisation.orgnr),
            "Consent-ID": consent if consent is not None else testissuer.consent_token(
                fnr=fnr, orgnr=self.organisation.orgnr),
            "PSU_ID": fnr,
            "X-Request-Id": str(uuid.uuid4()),
        }
        headers.update(replace)
        for name in omit:
            headers.pop(name, None)
        return headers

    def get(self, headers=None, *, environment="test", fnr=ALL_FOUR_FNR, **header_options):
        headers = headers if headers is not None else self.headers(fnr, **header_options)
        path = "/test/saldo/v1/Accounts" if environment == "test" else "/saldo/v1/Accounts"
        return self.client.get(path, **to_meta(headers))


@pytest.fixture
def saldo(client, bank, test_key, two_borrowers, issuer_key):
    return SaldoCaller(client, bank, test_key)
