"""Ledgers for the 17 published synthetic test customers of the Saldo service (pure Python).

``balances/data/saldo_test_customers.csv`` lists, per test fødselsnummer, which sub-accounts are
non-zero and whether the total is over one million kroner. ``test_customer_ledgers()`` gives each
of them a realistic history — study years with monthly disbursements (some with tuition loans
abroad), conversion of part of the loan to grant, support ending, a payment pause, monthly
repayments across many rate changes, fixed-rate agreements, reminder fees and collection costs —
that produces exactly that combination with the default rate table.

The histories end before 2026-11-22 and are built so that nothing changes sign afterwards: any
``as_of`` from 2026-11-22 to 2027-12-31 gives the same combination. In particular:

* Lån > 0 with Renter = 0 is a borrower still studying (no ``InterestStart``), so no interest.
* Renter > 0 with Lån > 0 is a borrower in repayment whose payments stopped (deferment or
  default) at least one month end before 2026-11-22, so month-end booking keeps Renter positive.
* Lån = 0 with something else left is a loan paid off exactly (``payoff_amount``) or whose
  remainder was converted to grant; with no principal no more interest accrues.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .engine import (
    ConversionToGrant,
    Cost,
    Disbursement,
    Event,
    Fee,
    FixedRateAgreement,
    InterestStart,
    Repayment,
    compute_balance,
    payoff_amount,
)
from .ledger import ORE

CSV_PATH = Path(__file__).resolve().parent / "data" / "saldo_test_customers.csv"
HISTORY_ENDS = dt.date(2026, 11, 22)  # no test-customer event after this date

REMINDER_FEE = Decimal("35.00")  # purregebyr
NOTICE_COSTS = Decimal("700.00")  # omkostninger ved inkassovarsel/betalingsoppfordring


@dataclass(frozen=True)
class SaldoTestCustomer:
    fnr: str
    name: str
    case: str
    lan: bool
    renter: bool
    gebyr: bool
    omkostninger: bool
    total_over_one_million: bool
    description: str


def load_test_customers(path: Path = CSV_PATH) -> list[SaldoTestCustomer]:
    """The rows of the test-customer CSV (fnr kept as a string: leading zeros matter)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            SaldoTestCustomer(
                fnr=row["fnr"],
                name=row["name"],
                case=row["case"],
                lan=row["lan"] == "1",
                renter=row["renter"] == "1",
                gebyr=row["gebyr"] == "1",
                omkostninger=row["omkostninger"] == "1",
                total_over_one_million=row["total_over_one_million"] == "1",
                description=row["description"],
            )
            for row in csv.DictReader(handle)
        ]


# --- History building blocks ----------------------------------------------------------------------


def _money(value: str | Decimal) -> Decimal:
    return Decimal(value).quantize(ORE)


def _studies(
    first_autumn: int,
    last_spring: int,
    monthly: str,
    *,
    tuition: str | None = None,
    until: dt.date = HISTORY_ENDS,
) -> list[Event]:
    """Loan paid out on the 15th, August–December and January–May of each study year, plus a
    tuition loan (skolepengelån) on 15 August and 15 January when studying abroad."""
    events: list[Event] = []
    for autumn in range(first_autumn, last_spring):
        months = [(autumn, month) for month in range(8, 13)]
        months += [(autumn + 1, month) for month in range(1, 6)]
        for year, month in months:
            day = dt.date(year, month, 15)
            if day > until:
                return events
            if tuition is not None and month in (1, 8):
                events.append(Disbursement(day, _money(tuition)))
            events.append(Disbursement(day, _money(monthly)))
    return events


def _converted_share(events: list[Event], on: dt.date, share: str = "0.40") -> ConversionToGrant:
    """Omgjøring: ``share`` of the ordinary (non-tuition) loan paid out becomes a grant."""
    ordinary = sum(
        (e.amount for e in events if isinstance(e, Disbursement) and e.amount < 50_000),
        Decimal(0),
    )
    return ConversionToGrant(on, _money(ordinary * Decimal(share)))


def _monthly_repayments(first: dt.date, last: dt.date, amount: str) -> list[Event]:
    """Terminbeløp paid on the 15th of each month from ``first`` through ``last``."""
    events: list[Event] = []
    year, month = first.year, first.month
    while dt.date(year, month, 15) <= last:
        events.append(Repayment(dt.date(year, month, 15), _money(amount)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return events


def _payoff(events: list[Event], on: dt.date) -> Repayment:
    """Innfrielse: a repayment of exactly everything owed on ``on``."""
    return Repayment(on, payoff_amount(events, on))


def _remaining_loan_to_grant(events: list[Event], on: dt.date) -> ConversionToGrant:
    """Conversion of the whole remaining loan principal to grant (e.g. ettergivelse/omgjøring)."""
    loan = compute_balance(events, on - dt.timedelta(days=1)).lan
    return ConversionToGrant(on, loan)


def _repayment_phase(
    studies: list[Event],
    interest_start: dt.date,
    first_due: dt.date,
    last_due: dt.date,
    amount: str,
    *,
    conversion_on: dt.date | None = None,
) -> list[Event]:
    """Studies, support ends, optional 40 % conversion during the pause, monthly repayments."""
    events = [*studies, InterestStart(interest_start)]
    if conversion_on is not None:
        events.append(_converted_share(studies, conversion_on))
    return events + _monthly_repayments(first_due, last_due, amount)


# --- One history per test case --------------------------------------------------------------------

D = dt.date


def _case_1a() -> list[Event]:  # loan only, under one million: still studying
    return _studies(2023, 2027, "13615.00")


def _case_1b() -> list[Event]:  # loan only, over one million: long studies abroad with tuition
    events = _studies(2020, 2027, "13150.00", tuition="118500.00")
    bachelor = [event for event in events if event.date < D(2023, 6, 1)]
    events.append(_converted_share(bachelor, D(2023, 9, 1)))  # bachelor completed
    return events


def _case_2() -> list[Event]:  # no debt: loan partly converted, rest paid off
    events = _repayment_phase(
        _studies(2015, 2019, "10250.00"),
        D(2019, 6, 15),
        D(2020, 1, 15),
        D(2023, 2, 15),
        "2200.00",
        conversion_on=D(2019, 10, 15),
    )
    return [*events, _payoff(events, D(2023, 3, 15))]


def _case_3a() -> list[Event]:  # loan and interest, under one million; deferment from Nov 2026
    return _repayment_phase(
        _studies(2011, 2016, "9500.00"),
        D(2016, 6, 15),
        D(2017, 1, 15),
        D(2026, 10, 15),
        "2400.00",
        conversion_on=D(2016, 11, 1),
    )


def _case_3b() -> list[Event]:  # loan and interest, over one million; deferment from Oct 2026
    return _repayment_phase(
        _studies(2008, 2014, "9000.00", tuition="95000.00"),
        D(2014, 6, 15),
        D(2015, 1, 15),
        D(2026, 9, 15),
        "4500.00",
        conversion_on=D(2014, 10, 20),
    )


def _case_4a() -> list[Event]:  # all but costs, under one million; missed Sep and Oct 2026
    events = _repayment_phase(
        _studies(2014, 2019, "10500.00"),
        D(2019, 6, 15),
        D(2020, 1, 15),
        D(2026, 8, 15),
        "2700.00",
        conversion_on=D(2019, 11, 5),
    )
    events.append(FixedRateAgreement(D(2023, 3, 1), 5))
    return [*events, Fee(D(2026, 9, 29), REMINDER_FEE), Fee(D(2026, 10, 28), REMINDER_FEE)]


def _case_4b() -> list[Event]:  # all but costs, over one million; missed Aug and Sep 2026
    events = _repayment_phase(
        _studies(2009, 2015, "9800.00", tuition="110000.00"),
        D(2015, 6, 15),
        D(2016, 1, 15),
        D(2026, 7, 15),
        "5200.00",
        conversion_on=D(2015, 10, 1),
    )
    events.append(FixedRateAgreement(D(2019, 1, 20), 10))
    return [*events, Fee(D(2026, 8, 30), REMINDER_FEE), Fee(D(2026, 9, 29), REMINDER_FEE)]


def _case_5() -> list[Event]:  # loan and fee: student with a reminder on a reclaim of support
    return [*_studies(2022, 2027, "12800.00"), Fee(D(2025, 3, 10), REMINDER_FEE)]


def _case_6() -> list[Event]:  # all but fee: reminder paid, later payments stop, notice costs
    events = _repayment_phase(
        _studies(2013, 2017, "10000.00"),
        D(2017, 6, 15),
        D(2018, 1, 15),
        D(2026, 6, 15),
        "2250.00",
        conversion_on=D(2017, 10, 2),
    )
    events.append(FixedRateAgreement(D(2018, 2, 1), 3))
    return [
        *events,
        Fee(D(2026, 7, 29), REMINDER_FEE),
        Repayment(D(2026, 8, 15), _money("2250.00")),  # covers the fee and the interest
        Cost(D(2026, 10, 8), NOTICE_COSTS),
    ]


def _case_7() -> list[Event]:  # all four: payments stop in June 2026, reminders, then costs
    events = _repayment_phase(
        _studies(2016, 2020, "11000.00"),
        D(2020, 6, 15),
        D(2021, 1, 15),
        D(2026, 5, 15),
        "3000.00",
        conversion_on=D(2020, 10, 12),
    )
    return [
        *events,
        Fee(D(2026, 6, 29), REMINDER_FEE),
        Fee(D(2026, 7, 29), REMINDER_FEE),
        Cost(D(2026, 9, 10), NOTICE_COSTS),
    ]


def _case_8() -> list[Event]:  # interest and fee: a reminder, then the rest of the loan forgiven
    events = _repayment_phase(
        _studies(2010, 2014, "8500.00"),
        D(2014, 6, 15),
        D(2015, 1, 15),
        D(2026, 2, 15),
        "1500.00",
        conversion_on=D(2014, 10, 6),
    )
    events.append(Fee(D(2026, 3, 30), REMINDER_FEE))
    return [*events, _remaining_loan_to_grant(events, D(2026, 4, 20))]


def _case_9() -> list[Event]:  # interest only: the rest of the loan converted to grant
    events = _repayment_phase(
        _studies(2012, 2017, "9000.00"),
        D(2017, 6, 15),
        D(2018, 1, 15),
        D(2025, 11, 15),
        "2500.00",
        conversion_on=D(2017, 11, 1),
    )
    events.append(FixedRateAgreement(D(2022, 1, 10), 3))
    return [*events, _remaining_loan_to_grant(events, D(2026, 1, 20))]


def _case_10() -> list[Event]:  # loan and costs: student with collection costs on a reclaim
    return [*_studies(2021, 2027, "12400.00"), Cost(D(2024, 5, 10), NOTICE_COSTS)]


def _case_11() -> list[Event]:  # fee only: paid off late, the reminder fee came afterwards
    events = _repayment_phase(
        _studies(2014, 2018, "9500.00"),
        D(2018, 6, 15),
        D(2019, 1, 15),
        D(2025, 5, 15),
        "2600.00",
        conversion_on=D(2018, 10, 1),
    )
    events.append(_payoff(events, D(2025, 6, 16)))
    return [*events, Fee(D(2025, 6, 25), REMINDER_FEE)]


def _case_12() -> list[Event]:  # costs only: paid off, the collection costs came afterwards
    events = _repayment_phase(
        _studies(2013, 2017, "9800.00"),
        D(2017, 6, 15),
        D(2018, 1, 15),
        D(2024, 4, 15),
        "2800.00",
        conversion_on=D(2017, 10, 16),
    )
    events.append(_payoff(events, D(2024, 6, 17)))
    return [*events, Cost(D(2024, 6, 28), NOTICE_COSTS)]


def _case_13() -> list[Event]:  # all but interest: student with a fee and collection costs
    return [
        *_studies(2022, 2027, "13100.00"),
        Fee(D(2025, 10, 10), REMINDER_FEE),
        Cost(D(2025, 11, 20), NOTICE_COSTS),
    ]


def _case_14() -> list[Event]:  # all but loan: reminder, costs, then the rest of the loan forgiven
    events = _repayment_phase(
        _studies(2011, 2015, "9200.00"),
        D(2015, 6, 15),
        D(2016, 1, 15),
        D(2025, 12, 15),
        "1800.00",
        conversion_on=D(2015, 10, 19),
    )
    events += [Fee(D(2026, 1, 29), REMINDER_FEE), Cost(D(2026, 3, 12), NOTICE_COSTS)]
    return [*events, _remaining_loan_to_grant(events, D(2026, 5, 4))]


_BUILDERS: dict[str, Callable[[], list[Event]]] = {
    "1a": _case_1a,
    "1b": _case_1b,
    "2": _case_2,
    "3a": _case_3a,
    "3b": _case_3b,
    "4a": _case_4a,
    "4b": _case_4b,
    "5": _case_5,
    "6": _case_6,
    "7": _case_7,
    "8": _case_8,
    "9": _case_9,
    "10": _case_10,
    "11": _case_11,
    "12": _case_12,
    "13": _case_13,
    "14": _case_14,
}


def test_customer_ledgers() -> dict[str, list[Event]]:
    """Ledger per test fødselsnummer, in date order, for all customers in the CSV."""
    ledgers = {}
    for customer in load_test_customers():
        try:
            builder = _BUILDERS[customer.case]
        except KeyError:
            raise LookupError(f"no ledger for test case {customer.case!r}") from None
        ledgers[customer.fnr] = sorted(builder(), key=lambda event: event.date)
    return ledgers


test_customer_ledgers.__test__ = False  # not a pytest test, despite the name
