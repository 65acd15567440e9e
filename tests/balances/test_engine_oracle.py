"""The engine gives exactly the answers of the old Decimal engine (tests/balances/reference_engine):
the same sub-accounts to the øre, the same unbooked interest, the same period lines, bookings and
postings, the same texts, and the same error where the rate table has a hole."""

import pickle
from datetime import date, timedelta
from decimal import Decimal, localcontext

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from balances import testcustomers
from balances.engine import (
    DEFAULT_RATE_TABLE,
    ConversionToGrant,
    Cost,
    Disbursement,
    Fee,
    FixedRateAgreement,
    InterestStart,
    RateLookupError,
    RatePeriod,
    RateTable,
    Repayment,
    compute_balance,
    payoff_amount,
)
from tests.balances.reference_engine import reference_balance, reference_payoff_amount

D = Decimal

# A small table with holes (floating: none in July 2022, none after 2030; fixed3 and fixed5 only,
# fixed5 with a hole in 2021) and rates written with unusual exponents.
HOLES = RateTable(
    [
        RatePeriod("floating", date(2018, 1, 1), date(2020, 2, 29), D("3.65")),
        RatePeriod("floating", date(2020, 3, 1), date(2022, 6, 30), D("5")),
        RatePeriod("floating", date(2022, 8, 1), date(2025, 3, 15), D("4.8170")),
        RatePeriod("floating", date(2025, 3, 16), date(2030, 12, 31), D("7.3")),
        RatePeriod("fixed3", date(2018, 1, 1), date(2024, 1, 31), D("5.475")),
        RatePeriod("fixed3", date(2024, 2, 1), None, D("9.125")),
        RatePeriod("fixed5", date(2018, 1, 1), date(2020, 12, 31), D("2.1")),
        RatePeriod("fixed5", date(2022, 1, 1), None, D("3.3333")),
    ]
)
# Rates that make round numbers (on 100 000 kr: 10,00, 20,00, 15,00 and 25,00 kr a day), so that
# bookings often end in exactly half an øre; and a tiny fixed10 rate, so that period lines often
# end in exactly half of their 10th decimal: both roundings meet their ties.
ROUND = RateTable(
    [
        RatePeriod("floating", date(2018, 1, 1), date(2025, 3, 15), D("3.65")),
        RatePeriod("floating", date(2025, 3, 16), None, D("7.30")),
        RatePeriod("fixed3", date(2018, 1, 1), date(2025, 1, 31), D("5.475")),
        RatePeriod("fixed3", date(2025, 2, 1), None, D("9.125")),
        RatePeriod("fixed10", date(2018, 1, 1), None, D("0.0000365")),
    ]
)
TABLES = [DEFAULT_RATE_TABLE, HOLES, ROUND]

START, END = date(2018, 1, 1), date(2031, 6, 30)
# Dates anywhere, and dates from a small pool, so that many events share a day, a month end, a
# leap day or a rate change.
POOL = [date(2019, 1, 31), date(2020, 2, 29), date(2020, 3, 1), date(2021, 12, 31),
        date(2022, 7, 15), date(2022, 8, 1), date(2025, 3, 16), date(2030, 12, 31)]
days = st.one_of(st.dates(min_value=START, max_value=END), st.sampled_from(POOL))
money = st.one_of(
    st.integers(min_value=1, max_value=30_000_000).map(lambda ore: D(ore) / 100),
    st.integers(min_value=1, max_value=50_000).map(lambda ore: D(ore) / 100),
    st.integers(min_value=1, max_value=200_000),  # whole kroner as int
    st.sampled_from([D("100000.00"), D("99450.00"), D("1000.00"), D("550"), D("0.05"), D("0.25")]),
)
events_strategy = st.lists(
    st.one_of(
        st.builds(Disbursement, days, money),
        st.builds(Repayment, days, money),
        st.builds(Fee, days, st.just(D("35.00"))),
        st.builds(Cost, days, money),
        st.builds(ConversionToGrant, days, money),
        st.builds(InterestStart, days),
        st.builds(FixedRateAgreement, days, st.sampled_from([3, 5, 10])),
    ),
    max_size=40,
)
ORACLE_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def assert_same_as_reference(events, as_of, rates):
    try:
        expected = reference_balance(events, as_of, rates)
    except RateLookupError as exc:
        with pytest.raises(RateLookupError) as raised:
            compute_balance(events, as_of, rates)
        assert str(raised.value) == str(exc)
        return
    result = compute_balance(events, as_of, rates)
    assert result.accounts() == {"Lån": expected.lan, "Renter": expected.renter,
                                 "Gebyr": expected.gebyr, "Omkostninger": expected.omkostninger}
    assert result.total == expected.total
    assert result.unbooked_interest == expected.unbooked_interest
    assert result.last_change == expected.last_change
    assert result.account_last_change == expected.account_last_change
    assert result.explanation == expected.explanation
    assert result.bookings == expected.bookings
    assert result.postings == expected.postings
    assert result.describe() == [line.describe() for line in expected.explanation]
    # What the balance cache stores and gives back.
    assert pickle.loads(pickle.dumps(compute_balance(events, as_of, rates))) == result


@ORACLE_SETTINGS
@given(events=events_strategy, as_of=st.dates(min_value=START, max_value=END),
       rates=st.sampled_from(TABLES))
@example(events=[Disbursement(date(2019, 8, 15), D("100000")), InterestStart(date(2019, 12, 31)),
                 FixedRateAgreement(date(2021, 3, 1), 5)],
         as_of=date(2021, 3, 2), rates=HOLES)  # the fixed5 rate on the agreement date is missing
@example(events=[Disbursement(date(2019, 8, 15), D("0.25")), InterestStart(date(2019, 12, 31)),
                 FixedRateAgreement(date(2020, 1, 1), 10)],
         as_of=date(2020, 1, 1), rates=ROUND)  # 2,5 × 10⁻¹⁰ kr: half to even
@example(events=[Disbursement(date(2024, 8, 15), D("100000")), InterestStart(date(2024, 12, 31)),
                 Repayment(date(2025, 2, 15), D("1000.00"))],
         as_of=date(2025, 3, 31), rates=ROUND)  # 467,415 kr booked: half up
def test_engine_gives_the_reference_engines_answers(events, as_of, rates):
    assert_same_as_reference(events, as_of, rates)


@ORACLE_SETTINGS
@given(events=events_strategy, on=st.dates(min_value=START, max_value=END))
def test_payoff_amount_is_the_reference_engines(events, on):
    assert payoff_amount(events, on) == reference_payoff_amount(events, on, DEFAULT_RATE_TABLE)


def _long_history():
    """The 25-year borrower of bench/engine.py."""
    events = [Disbursement(date(year, month, 15), D("9800.00"))
              for year in range(2001, 2006) for month in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12)]
    events += [InterestStart(date(2006, 6, 15)), FixedRateAgreement(date(2012, 3, 1), 5)]
    day = date(2007, 1, 15)
    while day < date(2026, 1, 1):
        events.append(Repayment(day, D("2100.00")))
        if day.month == 6 and day.year % 4 == 0:
            events.append(Fee(day + timedelta(days=14), D("35.00")))
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 15)
    return events


LEDGERS = testcustomers.test_customer_ledgers()


@pytest.mark.parametrize("as_of", [date(2012, 3, 1), date(2020, 2, 29), date(2026, 1, 31),
                                   date(2026, 11, 22), date(2027, 12, 31)])
@pytest.mark.parametrize("name", ["25-year history", *sorted(LEDGERS)])
def test_test_customers_and_the_long_history_match_the_reference(name, as_of):
    events = _long_history() if name == "25-year history" else LEDGERS[name]
    assert_same_as_reference(events, as_of, DEFAULT_RATE_TABLE)


def test_the_callers_decimal_context_changes_nothing():
    events = LEDGERS[sorted(LEDGERS)[0]] + _long_history()
    expected = compute_balance(events, date(2026, 11, 22))
    with localcontext() as context:
        context.prec = 3
        assert compute_balance(events, date(2026, 11, 22)) == expected
