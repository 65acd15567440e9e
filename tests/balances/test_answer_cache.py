"""The Saldo API's kept answer: a warm call reads neither the borrower nor the ledger from the
database, and still never gives an answer computed from a ledger or a rate table that has been
replaced (``selectors.answer_kept``: the ledger generation and the rate table's version)."""

import html
import json
import pickle
import uuid
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from balances import api, selectors, services
from balances.engine import DEFAULT_RATE_TABLE, Disbursement, Fee, RatePeriod
from balances.fnr import fnr_hash
from balances.models import InterestRate, LookupLog
from balances.services import api_access_grant, borrower_ledger_replace, interest_rates_load
from tests.balances.conftest import ALL_FOUR_FNR, UNKNOWN_FNR

pytestmark = pytest.mark.django_db

NEW_LEDGER = [Disbursement(date(2020, 8, 15), Decimal("1000.00")),
              Fee(date(2021, 1, 10), Decimal("70.00"))]


def again(headers):
    return {**headers, "X-Request-Id": str(uuid.uuid4())}


def amounts(response):
    data = json.loads(response.content, parse_float=Decimal)
    return {account["Name"]: account["Balances"][0]["BalanceAmount"]["amount"]
            for account in data["Accounts"]}


@pytest.fixture
def warm(saldo):
    headers = saldo.headers()
    assert saldo.get(again(headers)).status_code == 200
    return headers


@pytest.fixture
def computing():
    with mock.patch("balances.selectors.compute_balance",
                    wraps=selectors.compute_balance) as compute:
        yield compute


def generation_key(fnr=ALL_FOUR_FNR):
    return selectors.ledger_generation_key(environment="test", fnr_hash=fnr_hash(fnr))


def answer_key(fnr=ALL_FOUR_FNR):
    return selectors.answer_cache_names(environment="test", fnr_hash=fnr_hash(fnr),
                                        as_of=date.today())[2]


def replace_ledger(events=NEW_LEDGER):
    return borrower_ledger_replace(environment="test", fnr=ALL_FOUR_FNR, name="HAUK HAUGNES",
                                   events=events)


# --- Kept -----------------------------------------------------------------------------------------


def test_a_warm_call_neither_reads_the_borrower_nor_computes(saldo, warm, computing,
                                                             django_assert_num_queries):
    with mock.patch.object(selectors, "borrower_get", wraps=selectors.borrower_get) as reads:
        with django_assert_num_queries(1):  # the lookup log
            assert saldo.get(again(warm)).status_code == 200
    reads.assert_not_called()
    computing.assert_not_called()


def test_the_kept_answer_is_byte_for_byte_the_computed_one(saldo, warm):
    kept = saldo.get(again(warm))
    cache.delete(answer_key())
    computed = saldo.get(again(warm))
    assert kept.content == computed.content
    assert b'"amount": 70.00' in kept.content  # money to the øre, not through float


def test_the_kept_answer_holds_no_fnr_in_clear(saldo, warm):
    kept = cache.get(answer_key())
    assert kept is not None
    assert ALL_FOUR_FNR.encode() not in pickle.dumps(kept)
    assert ALL_FOUR_FNR not in answer_key() and ALL_FOUR_FNR not in generation_key()


def test_an_answer_is_kept_per_day(saldo, warm, computing):
    with mock.patch("balances.api.timezone.localdate", return_value=date(2026, 12, 24)):
        response = saldo.get(again(warm))
    assert computing.call_count == 1
    borrower = selectors.borrower_get(environment="test", fnr=ALL_FOUR_FNR)
    expected = selectors.borrower_balance(borrower=borrower, as_of=date(2026, 12, 24))
    assert amounts(response) == {name: amount for name, amount in expected.accounts().items()
                                 if amount}


# --- Not kept past a change -----------------------------------------------------------------------


def test_a_replaced_ledger_is_answered_afresh_by_the_next_call(saldo, warm):
    before = amounts(saldo.get(again(warm)))
    replace_ledger()
    after = amounts(saldo.get(again(warm)))
    assert after != before
    assert after == {"Lån": Decimal("1000.00"), "Gebyr": Decimal("70.00")}


def test_a_replaced_ledger_is_answered_afresh_after_its_commit(
        saldo, warm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        replace_ledger()
    assert callbacks  # the generation is replaced again once the ledger is committed
    assert amounts(saldo.get(again(warm))) == {"Lån": Decimal("1000.00"),
                                               "Gebyr": Decimal("70.00")}


def test_a_ledger_replaced_while_a_call_computes_does_not_leave_the_old_answer(
        saldo, warm, django_capture_on_commit_callbacks):
    """The call read the old ledger; the new one commits (and replaces the generation) before
    the call keeps its answer: the answer is kept under the old generation, never used."""
    cache.delete(answer_key())
    real = selectors.borrower_balance_versioned

    def computed_then_the_ledger_is_replaced(**kwargs):
        old = real(**kwargs)
        with django_capture_on_commit_callbacks(execute=True):
            replace_ledger()
        return old

    with mock.patch.object(selectors, "borrower_balance_versioned",
                           computed_then_the_ledger_is_replaced):
        old = amounts(saldo.get(again(warm)))  # that call was already under way
    assert "Renter" in old
    assert amounts(saldo.get(again(warm))) == {"Lån": Decimal("1000.00"),
                                               "Gebyr": Decimal("70.00")}


def test_a_new_rate_table_is_used_by_the_next_call(saldo, warm,
                                                   django_capture_on_commit_callbacks):
    before = amounts(saldo.get(again(warm)))
    lower = [RatePeriod(p.kind, p.valid_from, p.valid_to, p.rate / 2)
             for kind in ("floating", "fixed3", "fixed5", "fixed10")
             for p in DEFAULT_RATE_TABLE.periods(kind)]
    with django_capture_on_commit_callbacks(execute=True):
        interest_rates_load(periods=lower)
    after = amounts(saldo.get(again(warm)))
    assert after["Renter"] < before["Renter"]


def test_a_generation_that_ended_sends_the_next_call_to_the_database(
        saldo, warm, django_assert_num_queries):
    expected = saldo.get(again(warm)).content
    cache.delete(generation_key())  # as when LEDGER_GENERATION_SECONDS have passed
    with django_assert_num_queries(2):  # the borrower with its ledger version, and the log
        assert saldo.get(again(warm)).content == expected
    assert cache.get(generation_key()) is not None
    with django_assert_num_queries(1):
        assert saldo.get(again(warm)).content == expected


def test_a_generation_started_by_another_call_at_the_same_moment_is_used(saldo, warm):
    cache.delete(generation_key())
    names = selectors.answer_cache_names(environment="test", fnr_hash=fnr_hash(ALL_FOUR_FNR),
                                         as_of=date.today())
    cache.set(names[1], "theirs")  # after this call read the cache, before it started one
    assert selectors.ledger_generation_for_keeping(names=names, found={}) == "theirs"


def test_an_unknown_person_is_never_kept(saldo, two_borrowers, django_assert_num_queries):
    headers = saldo.headers(UNKNOWN_FNR)
    assert saldo.get(again(headers)).status_code == 404
    with django_assert_num_queries(2):  # asked again: the borrower, and the log
        assert saldo.get(again(headers)).status_code == 404
    assert cache.get(answer_key(UNKNOWN_FNR)) is None
    borrower_ledger_replace(environment="test", fnr=UNKNOWN_FNR, name="NY PERSON",
                            events=NEW_LEDGER)
    assert saldo.get(again(headers)).status_code == 200


def test_a_ledger_replaced_while_the_cache_is_unreachable_still_stands(two_borrowers,
                                                                       monkeypatch, caplog):
    class Unreachable:
        def set(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(services, "cache", Unreachable())
    borrower = replace_ledger()
    assert borrower.events.count() == len(NEW_LEDGER)
    assert "could not be replaced" in caplog.text


# --- The rate table's version ---------------------------------------------------------------------


def test_a_rate_table_loaded_while_its_version_is_counted_keeps_its_own_version(db, monkeypatch):
    cache.delete(selectors.RATES_VERSION_KEY)
    real = InterestRate.objects.aggregate

    def counted_then_a_new_table_is_loaded(**kwargs):
        counted = real(**kwargs)
        cache.set(selectors.RATES_VERSION_KEY, "new-table", None)  # its bump after the commit
        return counted

    monkeypatch.setattr(InterestRate.objects, "aggregate", counted_then_a_new_table_is_loaded)
    selectors.rate_table_current()
    assert cache.get(selectors.RATES_VERSION_KEY) == "new-table"


# --- The lookup log and the portal ----------------------------------------------------------------


def test_the_log_insert_names_every_column_of_the_model():
    columns = {field.name for field in LookupLog._meta.concrete_fields if not field.primary_key}
    assert set(services._LOOKUP_LOG_COLUMNS) == columns


def test_the_log_row_of_a_warm_call_is_complete(saldo, warm):
    headers = again(warm)
    saldo.get(headers)
    row = LookupLog.objects.order_by("-pk").first()
    assert (row.organisation, row.environment, row.request_id, row.status, row.error) == (
        saldo.organisation, "test", headers["X-Request-Id"], 200, "")
    assert row.fnr_hash == fnr_hash(ALL_FOUR_FNR) and row.consent_source == "altinn2"
    assert row.created_at is not None and row.latency_ms > 0


def test_the_sandbox_shows_the_kept_answer_with_money_to_the_ore(client_for, bank_member, bank,
                                                                 saldo, warm):
    api_access_grant(organisation=bank, environment="test", by=None)
    response = client_for(bank_member).post(reverse("balances:sandbox"),
                                            {"customer": ALL_FOUR_FNR, "consent_form": "altinn2"})
    content = html.unescape(response.content.decode())
    assert "Svar: HTTP 200" in content and '"amount": 70.00' in content
    assert api.pretty(api.answer_text(cache.get(answer_key())[2], ALL_FOUR_FNR)) in content
