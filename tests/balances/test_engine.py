"""Balance engine: hand-worked examples, property tests and the 17 Saldo test customers.

Most hand-worked examples use a small rate table chosen so that the arithmetic is easy
(actual/365, on a principal of 100 000 kr):

    floating 3,65 %  (2020-01-01 – 2025-03-15): 100 000 × 3,65 % / 365 = 10,00 kr a day
    floating 7,30 %  (2025-03-16 – 2030-12-31): 100 000 × 7,30 % / 365 = 20,00 kr a day
    fixed3   5,475 % (2020-01-01 – 2025-01-31): 15,00 kr a day
    fixed3   9,125 % (2025-02-01 – 2030-12-31): 25,00 kr a day
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balances import testcustomers
from balances.engine import (
    DEFAULT_RATE_TABLE,
    RENTER,
    ConversionToGrant,
    Cost,
    Disbursement,
    Fee,
    FixedRateAgreement,
    InterestStart,
    PeriodLine,
    RateLookupError,
    RatePeriod,
    RateTable,
    Repayment,
    compute_balance,
    payoff_amount,
)
from balances.rules import allocate_repayment, booked_amount

D = Decimal

RATES = RateTable(
    [
        RatePeriod("floating", date(2020, 1, 1), date(2025, 3, 15), D("3.65")),
        RatePeriod("floating", date(2025, 3, 16), date(2030, 12, 31), D("7.30")),
        RatePeriod("fixed3", date(2020, 1, 1), date(2025, 1, 31), D("5.475")),
        RatePeriod("fixed3", date(2025, 2, 1), date(2030, 12, 31), D("9.125")),
    ]
)

LOAN = Disbursement(date(2024, 8, 15), D("100000.00"))
SUPPORT_ENDS = InterestStart(date(2024, 12, 31))  # interest from 2025-01-01


def balance(events, as_of, rates=RATES):
    return compute_balance(events, as_of, rates)


# --- Hand-worked examples -----------------------------------------------------------------------


def test_rate_change_mid_month_and_month_end_booking():
    events = [LOAN, SUPPORT_ENDS, Repayment(date(2025, 2, 15), D("1000.00"))]
    result = balance(events, date(2025, 3, 31))
    # Pause: 01.01–14.02 is 45 days × 10,00 = 450,00, booked by the repayment on 15.02.
    # Repayment 1 000: Renter 450,00 → 0; Lån 100 000 − 550 = 99 450,00.
    # 15.02–28.02: 14 days × (99 450 × 3,65 % / 365 = 9,945) = 139,23, booked 28.02.
    # 01.03–15.03: 15 × 9,945 = 149,175; 16.03–31.03 at 7,30 %: 16 × 19,89 = 318,24;
    # March: 149,175 + 318,24 = 467,415 → 467,42 (half up), booked 31.03.
    assert result.lan == D("99450.00")
    assert result.renter == D("139.23") + D("467.42") == D("606.65")
    assert result.total == D("100056.65")
    assert result.unbooked_interest == 0
    assert result.last_change == date(2025, 3, 31)
    assert [(b.booked_on, b.amount) for b in result.bookings] == [
        (date(2025, 2, 15), D("450.00")),
        (date(2025, 2, 28), D("139.23")),
        (date(2025, 3, 31), D("467.42")),
    ]
    march = [line for line in result.explanation if line.from_date.month == 3]
    assert [(ln.from_date, ln.to_date, ln.days, ln.rate, ln.interest) for ln in march] == [
        (date(2025, 3, 1), date(2025, 3, 15), 15, D("3.65"), D("149.175")),
        (date(2025, 3, 16), date(2025, 3, 31), 16, D("7.30"), D("318.24")),
    ]
    assert march[1].describe() == (
        "16.03.2025–31.03.2025: 16 dager à 7,30 % av 99 450,00 kr = 318,24 kr, bokført 31.03.2025"
    )


def test_payment_on_due_date_books_interest_through_the_day_before():
    events = [LOAN, SUPPORT_ENDS, Repayment(date(2025, 2, 15), D("1000.00"))]
    before = balance(events, date(2025, 2, 14))
    # Still in the pause: 45 days × 10,00 = 450,00 accrued, nothing booked.
    assert (before.lan, before.renter, before.total) == (D("100000.00"), 0, D("100000.00"))
    assert before.unbooked_interest == D("450.00")
    on_due_date = balance(events, date(2025, 2, 15))
    # The repayment books 01.01–14.02 (450,00) first, then pays 450 interest + 550 loan.
    (booking,) = on_due_date.bookings
    assert (booking.from_date, booking.to_date) == (date(2025, 1, 1), date(2025, 2, 14))
    assert (booking.booked_on, booking.amount) == (date(2025, 2, 15), D("450.00"))
    assert on_due_date.renter == 0
    assert on_due_date.lan == D("99450.00")
    # The 15th itself accrues on the new principal: 99 450 × 3,65 % / 365 = 9,945 (unbooked).
    assert on_due_date.unbooked_interest == D("9.945")
    assert on_due_date.explanation[-1].booked_on is None


def test_month_end_books_from_last_booking_through_last_day_of_month():
    events = [LOAN, SUPPORT_ENDS, Repayment(date(2025, 2, 15), D("1000.00"))]
    day_before = balance(events, date(2025, 2, 27))
    # 15.02–27.02: 13 days × 9,945 = 129,285, not booked yet.
    assert day_before.renter == 0
    assert day_before.unbooked_interest == D("129.285")
    month_end = balance(events, date(2025, 2, 28))
    # 15.02–28.02: 14 × 9,945 = 139,23, booked on 28.02.
    assert month_end.renter == D("139.23")
    assert month_end.unbooked_interest == 0
    assert month_end.bookings[-1].booked_on == date(2025, 2, 28)
    assert month_end.explanation[-1].describe() == (
        "15.02.2025–28.02.2025: 14 dager à 3,65 % av 99 450,00 kr = 139,23 kr, bokført 28.02.2025"
    )


def test_allocation_order_costs_fees_interest_loan():
    events = [
        LOAN,
        SUPPORT_ENDS,
        Fee(date(2025, 1, 11), D("100.00")),  # books 01.01–10.01: 10 × 10,00 = 100,00; ends pause
        Cost(date(2025, 1, 21), D("250.00")),  # books 11.01–20.01: 100,00
        Repayment(date(2025, 1, 26), D("400.00")),  # books 21.01–25.01: 50,00
    ]
    result = balance(events, date(2025, 1, 26))
    # Before the payment: Omkostninger 250, Gebyr 100, Renter 250, Lån 100 000.
    # 400 → Omkostninger 250 (150 left) → Gebyr 100 (50 left) → Renter 50 (Renter 200 left).
    assert (result.omkostninger, result.gebyr, result.renter, result.lan) == (
        0,
        0,
        D("200.00"),
        D("100000.00"),
    )
    # A second payment on 31.01 books 26.01–30.01 (50,00 → Renter 250), pays 250 interest and
    # 750 loan (Lån 99 250), then the month end books 31.01: 99 250 × 3,65 % / 365 = 9,925 → 9,93.
    events.append(Repayment(date(2025, 1, 31), D("1000.00")))
    result = balance(events, date(2025, 1, 31))
    assert (result.omkostninger, result.gebyr, result.renter, result.lan) == (
        0,
        0,
        D("9.93"),
        D("99250.00"),
    )
    assert [(b.booked_on, b.amount) for b in result.bookings][-2:] == [
        (date(2025, 1, 31), D("50.00")),
        (date(2025, 1, 31), D("9.93")),
    ]


def test_allocate_repayment_rule_in_isolation():
    balances = {"Omkostninger": D("300"), "Gebyr": D("100"), "Renter": D("50"), "Lån": D("1000")}
    assert allocate_repayment(D("350"), balances) == {"Omkostninger": D("300"), "Gebyr": D("50")}
    assert allocate_repayment(D("2000"), balances) == {
        "Omkostninger": D("300"),
        "Gebyr": D("100"),
        "Renter": D("50"),
        "Lån": D("1550"),  # more than the loan: Lån becomes −550 (refund pending)
    }


def test_payment_pause_interest_keeps_growing_until_first_event():
    events = [LOAN, SUPPORT_ENDS]
    in_pause = balance(events, date(2025, 6, 30))
    # No month-end booking during the pause. 01.01–15.03: 31+28+15 = 74 days × 10,00 = 740,00;
    # 16.03–30.06: 16+30+31+30 = 107 days × 20,00 = 2 140,00; unbooked 2 880,00.
    assert in_pause.renter == 0
    assert in_pause.bookings == []
    assert in_pause.unbooked_interest == D("2880.00")
    assert in_pause.total == D("100000.00")
    assert in_pause.last_change == LOAN.date
    assert all(line.booked_on is None for line in in_pause.explanation)

    events.append(Fee(date(2025, 7, 10), D("50.00")))
    after = balance(events, date(2025, 7, 31))
    # The fee on 10.07 books 2 880 + 01.07–09.07 (9 × 20 = 180) = 3 060,00 and ends the pause;
    # the month end then books 10.07–31.07: 22 × 20 = 440,00.
    assert [(b.booked_on, b.amount) for b in after.bookings] == [
        (date(2025, 7, 10), D("3060.00")),
        (date(2025, 7, 31), D("440.00")),
    ]
    assert (after.renter, after.gebyr, after.lan) == (D("3500.00"), D("50.00"), D("100000.00"))
    assert after.total == D("103550.00")


def test_disbursement_or_conversion_during_pause_does_not_end_it():
    events = [LOAN, SUPPORT_ENDS, ConversionToGrant(date(2025, 2, 1), D("50000.00"))]
    result = balance(events, date(2025, 2, 28))
    # 01.01–31.01: 31 × 10,00 = 310; 01.02–28.02 on 50 000: 28 × 5,00 = 140; all unbooked.
    assert result.renter == 0
    assert result.unbooked_interest == D("450.00")
    assert result.lan == D("50000.00")


def test_leap_day_counts_as_one_365th():
    events = [Disbursement(date(2023, 8, 15), D("100000.00")), InterestStart(date(2023, 12, 31))]
    # 01.01.2024–01.03.2024: 31 + 29 + 1 = 61 days × 10,00 = 610,00.
    assert balance(events, date(2024, 3, 1)).unbooked_interest == D("610.00")


def test_fixed_rate_agreement_locks_the_rate_in_force_on_the_agreement_date():
    events = [
        LOAN,
        SUPPORT_ENDS,
        FixedRateAgreement(date(2025, 1, 20), 3),  # fixed3 on 20.01.2025: 5,475 %
        Repayment(date(2025, 2, 10), D("1000.00")),
    ]
    result = balance(events, date(2025, 3, 31))
    # 01.01–19.01 floating: 19 × 10,00 = 190; 20.01–09.02 fixed: 21 × 15,00 = 315;
    # the repayment books 505,00 and pays 505 interest + 495 loan: Lån 99 505,00.
    # Daily at 5,475 % on 99 505: 99 505 × 0,05475 / 365 = 14,92575.
    # 10.02–28.02: 19 × 14,92575 = 283,58925 → 283,59.
    # March stays 5,475 % although floating (16.03) and fixed3 (01.02) have changed since:
    # 31 × 14,92575 = 462,69825 → 462,70.
    assert [b.amount for b in result.bookings] == [D("505.00"), D("283.59"), D("462.70")]
    assert result.lan == D("99505.00")
    assert result.renter == D("746.29")
    assert {line.rate for line in result.explanation if line.from_date >= date(2025, 1, 20)} == {
        D("5.475")
    }
    assert result.explanation[-1].describe() == (
        "01.03.2025–31.03.2025: 31 dager à 5,475 % (fast 3 år) av 99 505,00 kr = 462,70 kr, "
        "bokført 31.03.2025"
    )


def test_fixed_rate_agreement_returns_to_floating_after_its_term():
    events = [
        LOAN,
        SUPPORT_ENDS,
        FixedRateAgreement(date(2022, 1, 10), 3),  # fixed through 09.01.2025
        Repayment(date(2025, 1, 15), D("1000.00")),
    ]
    result = balance(events, date(2025, 1, 15))
    # 01.01–09.01 fixed 5,475 %: 9 × 15,00 = 135; 10.01–14.01 floating: 5 × 10,00 = 50.
    assert [(ln.from_date, ln.to_date, ln.rate) for ln in result.explanation[:2]] == [
        (date(2025, 1, 1), date(2025, 1, 9), D("5.475")),
        (date(2025, 1, 10), date(2025, 1, 14), D("3.65")),
    ]
    assert result.bookings[0].amount == D("185.00")


def test_conversion_to_grant_reduces_loan_not_below_zero():
    # Still studying (no interest): 100 000 + 50 000 − 40 000 = 110 000.
    studying = [
        LOAN,
        Disbursement(date(2025, 1, 15), D("50000.00")),
        ConversionToGrant(date(2025, 6, 20), D("40000.00")),
    ]
    assert balance(studying, date(2025, 6, 30)).lan == D("110000.00")
    studying.append(ConversionToGrant(date(2025, 7, 1), D("200000.00")))
    result = balance(studying, date(2025, 12, 31))
    assert (result.lan, result.total) == (0, 0)
    assert result.postings[-1].amount == D("-110000.00")  # only what was left


def test_conversion_after_pause_books_interest_first():
    events = [
        LOAN,
        SUPPORT_ENDS,
        Repayment(date(2025, 1, 11), D("1000.00")),  # books 10 × 10,00 = 100; Lån 99 100
        ConversionToGrant(date(2025, 1, 21), D("40000.00")),
    ]
    result = balance(events, date(2025, 1, 31))
    # Conversion books 11.01–20.01: 10 × (99 100 × 3,65 % / 365 = 9,91) = 99,10; Lån 59 100.
    # Month end 21.01–31.01: 11 × 5,91 = 65,01.
    assert [b.amount for b in result.bookings] == [D("100.00"), D("99.10"), D("65.01")]
    assert (result.lan, result.renter) == (D("59100.00"), D("164.11"))
    # With the whole loan converted, no more interest is booked.
    events.append(ConversionToGrant(date(2025, 2, 3), D("100000.00")))
    later = balance(events, date(2025, 12, 31))
    assert later.lan == 0
    assert later.renter == D("164.11") + D("11.82")  # 01.02–02.02: 2 × 5,91 booked 03.02
    assert later.unbooked_interest == 0


def test_overpayment_gives_negative_total_and_no_interest():
    events = [
        Disbursement(date(2024, 8, 15), D("10000.00")),
        SUPPORT_ENDS,
        Repayment(date(2025, 1, 1), D("12000.00")),  # books nothing: interest starts 01.01
    ]
    result = balance(events, date(2025, 6, 30))
    assert result.lan == D("-2000.00")
    assert result.total == D("-2000.00")
    assert result.renter == 0
    assert result.explanation == []
    assert result.unbooked_interest == 0


def test_grant_only_customer_has_zero_balance():
    result = balance([], date(2026, 11, 22))
    assert (result.lan, result.renter, result.gebyr, result.omkostninger) == (0, 0, 0, 0)
    assert result.total == 0
    assert result.last_change is None
    assert result.explanation == []
    assert result.nonzero_accounts() == {}


def test_events_after_as_of_are_ignored_and_rates_chosen_by_date():
    events = [LOAN, SUPPORT_ENDS, Repayment(date(2030, 1, 15), D("500000.00"))]
    result = balance(events, date(2025, 1, 10))
    assert result.lan == D("100000.00")
    assert result.unbooked_interest == D("100.00")  # 10 days at 3,65 %, whatever "today" is


def test_missing_rate_raises_clear_error():
    events = [LOAN, InterestStart(date(2030, 12, 30))]
    balance(events, date(2030, 12, 31))  # 31.12.2030 is still covered
    with pytest.raises(RateLookupError, match="no floating interest rate in force on 2031-01-01"):
        balance(events, date(2031, 1, 1))


def test_payoff_amount_clears_everything():
    events = [LOAN, SUPPORT_ENDS, Fee(date(2025, 2, 3), D("35.00"))]
    amount = payoff_amount(events, date(2025, 3, 20), RATES)
    # Renter booked 03.02 (01.01–02.02: 33 × 10,00) and 28.02 (03.02–28.02: 26 × 10,00) = 590;
    # booked first by the payment on 20.03: 01.03–15.03: 15 × 10 = 150, 16.03–19.03: 4 × 20 = 80.
    assert amount == D("100000.00") + D("35.00") + D("590.00") + D("230.00")
    events.append(Repayment(date(2025, 3, 20), amount))
    assert balance(events, date(2027, 1, 1)).total == 0


def test_ledger_refuses_floats_and_bad_amounts():
    with pytest.raises(TypeError):
        Repayment(date(2025, 1, 1), 100.0)
    with pytest.raises(ValueError):
        Repayment(date(2025, 1, 1), D("100.001"))
    with pytest.raises(ValueError):
        Fee(date(2025, 1, 1), D("-35"))
    with pytest.raises(ValueError):
        FixedRateAgreement(date(2025, 1, 1), 4)
    assert Disbursement(date(2025, 1, 1), 1000).amount == D("1000")
    assert FixedRateAgreement(date(2024, 2, 29), 3).end == date(2027, 2, 28)


def test_describe_singular_day_and_unbooked():
    line = PeriodLine(date(2026, 2, 1), date(2026, 2, 1), D("250000"), D("4.817"), 1, D("32.99315"))
    assert line.describe() == (
        "01.02.2026–01.02.2026: 1 dag à 4,817 % av 250 000,00 kr = 32,99 kr, ikke bokført ennå"
    )


# --- Rate table ---------------------------------------------------------------------------------


def test_rate_table_picks_period_by_date():
    assert RATES.rate_on("floating", date(2025, 3, 15)) == D("3.65")
    assert RATES.rate_on("floating", date(2025, 3, 16)) == D("7.30")
    with pytest.raises(RateLookupError):
        RATES.rate_on("floating", date(2019, 12, 31))
    with pytest.raises(RateLookupError):
        RATES.rate_on("fixed10", date(2025, 1, 1))
    with pytest.raises(ValueError, match="overlapping"):
        RateTable(
            [
                RatePeriod("floating", date(2020, 1, 1), date(2020, 6, 30), D("1")),
                RatePeriod("floating", date(2020, 6, 30), None, D("2")),
            ]
        )


@pytest.mark.parametrize("kind", ["floating", "fixed3", "fixed5", "fixed10"])
def test_default_rate_table_covers_2000_onwards_without_gaps(kind):
    periods = DEFAULT_RATE_TABLE.periods(kind)
    assert periods[0].valid_from == date(2000, 1, 1)
    # The last rate stays in force until a new one is published.
    assert periods[-1].valid_to is None
    assert DEFAULT_RATE_TABLE.rate_on(kind, date(2031, 1, 1)) == periods[-1].rate
    for before, after in zip(periods, periods[1:], strict=False):
        assert before.valid_to + timedelta(days=1) == after.valid_from
    assert all(D("0") < p.rate < D("10") for p in periods)


def test_default_floating_rate_changes_six_times_a_year():
    for year in range(2000, 2028):
        starts = [
            p.valid_from
            for p in DEFAULT_RATE_TABLE.periods("floating")
            if p.valid_from.year == year
        ]
        assert len(starts) == 6


# --- Properties ---------------------------------------------------------------------------------

START, END = date(2015, 1, 1), date(2027, 12, 31)
days = st.dates(min_value=START, max_value=date(2026, 12, 31))
money = st.integers(min_value=1, max_value=30_000_000).map(lambda ore: D(ore) / 100)
small_money = st.integers(min_value=1, max_value=500_000).map(lambda ore: D(ore) / 100)
events_strategy = st.lists(
    st.one_of(
        st.builds(Disbursement, days, money),
        st.builds(Repayment, days, small_money),
        st.builds(Repayment, days, money),
        st.builds(Fee, days, st.just(D("35.00"))),
        st.builds(Cost, days, small_money),
        st.builds(ConversionToGrant, days, money),
        st.builds(InterestStart, days),
        st.builds(FixedRateAgreement, days, st.sampled_from([3, 5, 10])),
    ),
    max_size=25,
)
as_of_dates = st.dates(min_value=START, max_value=END)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _sum(events, kind):
    return sum((e.amount for e in events if isinstance(e, kind)), D(0))


@PROPERTY_SETTINGS
@given(events=events_strategy, as_of=as_of_dates)
def test_total_is_sum_of_sub_accounts_and_money_is_conserved(events, as_of):
    result = compute_balance(events, as_of)
    assert result.total == result.lan + result.renter + result.gebyr + result.omkostninger
    seen = [e for e in events if e.date <= as_of]
    converted = -sum((p.amount for p in result.postings if p.kind == "omgjøring"), D(0))
    assert 0 <= converted <= _sum(seen, ConversionToGrant)
    booked_interest = sum((b.amount for b in result.bookings), D(0))
    assert result.total == (
        _sum(seen, Disbursement)
        + booked_interest
        + _sum(seen, Fee)
        + _sum(seen, Cost)
        - _sum(seen, Repayment)
        - converted
    )
    assert min(result.renter, result.gebyr, result.omkostninger, result.unbooked_interest) >= 0


@PROPERTY_SETTINGS
@given(events=events_strategy, as_of=as_of_dates)
def test_explanation_booked_interest_equals_renter_postings(events, as_of):
    result = compute_balance(events, as_of)
    for booking in result.bookings:
        lines = [
            line
            for line in result.explanation
            if line.booked_on == booking.booked_on
            and booking.from_date <= line.from_date <= line.to_date <= booking.to_date
        ]
        assert sum(line.days for line in lines) == (booking.to_date - booking.from_date).days + 1
        assert booked_amount(sum((line.interest for line in lines), D(0))) == booking.amount
    renter_postings = [p for p in result.postings if p.account == RENTER]
    booked_postings = [p.amount for p in renter_postings if p.kind == "renter"]
    assert sum(booked_postings, D(0)) == sum((b.amount for b in result.bookings), D(0))
    paid = [p.amount for p in renter_postings if p.kind == "innbetaling"]
    assert result.renter == sum(booked_postings, D(0)) + sum(paid, D(0))
    unbooked = [line.interest for line in result.explanation if line.booked_on is None]
    assert sum(unbooked, D(0)) == result.unbooked_interest
    for line in result.explanation:
        assert line.principal > 0
        assert line.days == (line.to_date - line.from_date).days + 1


@PROPERTY_SETTINGS
@given(
    events=events_strategy,
    later=events_strategy,
    as_of=as_of_dates,
    extra_days=st.integers(min_value=1, max_value=800),
)
def test_booked_values_never_depend_on_what_comes_after_as_of(events, later, as_of, extra_days):
    result = compute_balance(events, as_of)
    shifted = [e for e in later if e.date > as_of]
    with_future = compute_balance(events + shifted, as_of)
    assert with_future == result
    # Booking is causal: a later as_of keeps every booking made up to as_of unchanged.
    later_as_of = min(as_of + timedelta(days=extra_days), END)
    later_result = compute_balance(events, later_as_of)
    assert [b for b in later_result.bookings if b.booked_on <= as_of] == result.bookings
    assert [p for p in later_result.postings if p.date <= as_of] == result.postings


# --- The 17 Saldo test customers ----------------------------------------------------------------

CUSTOMERS = testcustomers.load_test_customers()
LEDGERS = testcustomers.test_customer_ledgers()


def test_all_17_test_customers_have_ledgers():
    assert len(CUSTOMERS) == 17
    assert set(LEDGERS) == {customer.fnr for customer in CUSTOMERS}
    assert all(len(fnr) == 11 and fnr.isdigit() for fnr in LEDGERS)
    assert all(e.date <= testcustomers.HISTORY_ENDS for ledger in LEDGERS.values() for e in ledger)


@pytest.mark.parametrize(
    "as_of",
    [
        date(2026, 11, 22),
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 6, 30),
        date(2027, 12, 31),
    ],
)
@pytest.mark.parametrize("customer", CUSTOMERS, ids=lambda c: f"{c.case}-{c.fnr}")
def test_test_customer_has_exactly_the_published_sub_accounts(customer, as_of):
    result = compute_balance(LEDGERS[customer.fnr], as_of)
    expected = {
        "Lån": customer.lan,
        "Renter": customer.renter,
        "Gebyr": customer.gebyr,
        "Omkostninger": customer.omkostninger,
    }
    for account, amount in result.accounts().items():
        if expected[account]:
            assert amount > 0, (account, amount)
        else:
            assert amount == 0, (account, amount)
    assert (result.total > 1_000_000) is customer.total_over_one_million
