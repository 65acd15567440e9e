"""The computed balance is cached per borrower, date, ledger version and rate-table version."""

from datetime import date
from decimal import Decimal
from unittest import mock

from balances import selectors
from balances.engine import DEFAULT_RATE_TABLE, Disbursement, Fee, RatePeriod
from balances.services import borrower_ledger_replace, interest_rates_load
from tests.balances.conftest import ALL_FOUR_FNR

AS_OF = date(2026, 11, 22)


def _computing():
    return mock.patch("balances.selectors.compute_balance", wraps=selectors.compute_balance)


def test_the_second_call_for_the_same_date_is_not_computed_again(two_borrowers):
    borrower = two_borrowers[0]
    with _computing() as compute:
        first = selectors.borrower_balance(borrower=borrower, as_of=AS_OF)
        second = selectors.borrower_balance(borrower=borrower, as_of=AS_OF)
        selectors.borrower_balance(borrower=borrower, as_of=date(2026, 11, 23))
    assert compute.call_count == 2  # once per date
    assert (second.lan, second.renter, second.total) == (first.lan, first.renter, first.total)


def test_a_replaced_ledger_is_computed_afresh(two_borrowers):
    borrower = two_borrowers[0]
    before = selectors.borrower_balance(borrower=borrower, as_of=AS_OF)
    borrower_ledger_replace(environment="test", fnr=ALL_FOUR_FNR, name=borrower.name,
                            events=[Disbursement(date(2020, 8, 15), Decimal("1000.00")),
                                    Fee(date(2021, 1, 10), Decimal("70.00"))])
    after = selectors.borrower_balance(borrower=borrower, as_of=AS_OF)
    assert after.total != before.total
    assert (after.lan, after.gebyr) == (Decimal("1000.00"), Decimal("70.00"))


def test_a_new_rate_table_is_used_at_once(two_borrowers, django_capture_on_commit_callbacks):
    borrower = two_borrowers[0]
    before = selectors.borrower_balance(borrower=borrower, as_of=AS_OF)
    # Every rate at half its level, loaded through the service.
    lower = [RatePeriod(p.kind, p.valid_from, p.valid_to, p.rate / 2)
             for kind in ("floating", "fixed3", "fixed5", "fixed10")
             for p in DEFAULT_RATE_TABLE.periods(kind)]
    with django_capture_on_commit_callbacks(execute=True):
        interest_rates_load(periods=lower)
    after = selectors.borrower_balance(borrower=borrower, as_of=AS_OF)
    assert after.renter < before.renter
