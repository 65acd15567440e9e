"""The management commands: seeding the test customers and printing demo headers."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from balances.engine import DEFAULT_RATE_TABLE, compute_balance
from balances.models import ApiKey, Borrower, InterestRate, LedgerEvent, LookupLog
from balances.rates import RATE_KINDS, RatePeriod
from balances.selectors import borrower_balance, borrower_events, rate_table_current
from balances.services import api_access_grant, api_access_suspend, interest_rates_load
from balances.testcustomers import test_customer_ledgers
from tests.balances.conftest import ALL_FOUR_FNR, NO_DEBT_FNR, to_meta

pytestmark = pytest.mark.django_db


def test_seed_gives_17_test_customers_whose_ledgers_round_trip(db):
    call_command("seed_saldo_test_customers", stdout=io.StringIO())
    assert Borrower.objects.filter(environment="test").count() == 17
    ledgers = test_customer_ledgers()
    for borrower in Borrower.objects.all():
        assert borrower_events(borrower=borrower) == ledgers[borrower.fnr]
    assert InterestRate.objects.count() == len(DEFAULT_RATE_TABLE)


def test_seed_is_idempotent(db):
    call_command("seed_saldo_test_customers", quiet=True)
    events = LedgerEvent.objects.count()
    call_command("seed_saldo_test_customers", quiet=True)
    assert Borrower.objects.count() == 17 and LedgerEvent.objects.count() == events


def test_rates_from_the_database_give_the_engines_answer(db):
    call_command("seed_saldo_test_customers", quiet=True)
    borrower = Borrower.objects.get(fnr=ALL_FOUR_FNR)
    as_of = timezone.localdate()
    assert rate_table_current() is not DEFAULT_RATE_TABLE
    expected = compute_balance(test_customer_ledgers()[ALL_FOUR_FNR], as_of)
    assert borrower_balance(borrower=borrower, as_of=as_of).accounts() == expected.accounts()


def test_a_rate_change_in_the_database_is_picked_up(db, django_capture_on_commit_callbacks):
    call_command("seed_saldo_test_customers", quiet=True)
    borrower = Borrower.objects.get(fnr=ALL_FOUR_FNR)
    as_of = timezone.localdate()
    before = borrower_balance(borrower=borrower, as_of=as_of).renter
    doubled = [RatePeriod(p.kind, p.valid_from, p.valid_to, p.rate * 2)
               for kind in RATE_KINDS for p in DEFAULT_RATE_TABLE.periods(kind)]
    with django_capture_on_commit_callbacks(execute=True):
        interest_rates_load(periods=doubled)
    after = borrower_balance(borrower=borrower, as_of=as_of).renter
    assert after > before > Decimal("0")


def run_demo_headers(*args):
    out = io.StringIO()
    call_command("saldo_demo_headers", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def demo_bank(bank, two_borrowers, issuer_key):
    api_access_grant(organisation=bank, environment="test", by=None)
    return bank


def test_demo_headers_make_a_valid_call(client, demo_bank):
    headers = run_demo_headers("--orgnr", demo_bank.orgnr, "--fnr", ALL_FOUR_FNR)
    assert set(headers) == {"ApiKey", "Authorization", "Consent-ID", "PSU_ID", "X-Request-Id"}
    response = client.get("/test/saldo/v1/Accounts", **to_meta(headers))
    assert response.status_code == 200
    assert len(response.json()["Accounts"]) == 4


def test_demo_key_is_created_once_and_reused(client, demo_bank):
    first = run_demo_headers("--orgnr", demo_bank.orgnr, "--fnr", ALL_FOUR_FNR)
    second = run_demo_headers("--orgnr", demo_bank.orgnr, "--fnr", NO_DEBT_FNR)
    assert first["ApiKey"] == second["ApiKey"]
    assert ApiKey.objects.filter(organisation=demo_bank).count() == 1
    assert client.get("/test/saldo/v1/Accounts", **to_meta(second)).status_code == 200


@pytest.mark.parametrize("options, status", [
    (["--expired"], 401),
    (["--wrong-scope"], 401),
    (["--consent-for", NO_DEBT_FNR], 403),
    (["--altinn3"], 200),
    (["--altinn3", "--consent-for", NO_DEBT_FNR], 403),
])
def test_demo_header_options_give_the_error_paths(client, demo_bank, options, status):
    headers = run_demo_headers("--orgnr", demo_bank.orgnr, "--fnr", ALL_FOUR_FNR, *options)
    response = client.get("/test/saldo/v1/Accounts", **to_meta(headers))
    assert response.status_code == status
    assert LookupLog.objects.get().status == status


def test_demo_headers_take_a_given_api_key(demo_bank):
    headers = run_demo_headers("--orgnr", demo_bank.orgnr, "--fnr", ALL_FOUR_FNR,
                               "--api-key", "slk_test_mine")
    assert headers["ApiKey"] == "slk_test_mine"
    assert not ApiKey.objects.exists()


def test_demo_headers_refuse_when_the_test_issuer_is_disabled(demo_bank, settings):
    settings.SALDO_TEST_ISSUER_ENABLED = False
    with pytest.raises(CommandError, match="disabled"):
        run_demo_headers("--orgnr", demo_bank.orgnr, "--fnr", ALL_FOUR_FNR)


def test_demo_headers_refuse_a_bank_without_test_access(bank, issuer_key):
    with pytest.raises(CommandError, match="testmiljøet"):
        run_demo_headers("--orgnr", bank.orgnr, "--fnr", ALL_FOUR_FNR)


def test_demo_headers_refuse_a_suspended_bank(demo_bank):
    api_access_suspend(organisation=demo_bank, by=None, reason="test")
    with pytest.raises(CommandError):
        run_demo_headers("--orgnr", demo_bank.orgnr, "--fnr", ALL_FOUR_FNR)


@pytest.mark.parametrize("args", [["--fnr", "123"], ["--consent-for", "999"],
                                  ["--orgnr", "999999999"]])
def test_demo_headers_check_their_input(demo_bank, args):
    base = {"--orgnr": demo_bank.orgnr, "--fnr": ALL_FOUR_FNR}
    base[args[0]] = args[1]
    with pytest.raises(CommandError):
        run_demo_headers(*[part for pair in base.items() for part in pair])
