"""The business rules of the balance engine, kept apart from the flow in ``engine.py``.

Each function answers one question (which rate applies on a day, how a payment is split, when
interest is booked, ...) so that a rule can be read, tested and changed on its own.
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_right
from decimal import ROUND_HALF_UP, Decimal

from .ledger import (
    GEBYR,
    LAN,
    OMKOSTNINGER,
    ORE,
    RENTER,
    ConversionToGrant,
    Cost,
    Disbursement,
    Event,
    Fee,
    FixedRateAgreement,
    Repayment,
)
from .rates import RateSpan, RateTable

DAYS_PER_YEAR = 365  # actual/365: every day is 1/365 of the annual rate, also in leap years

# Money is counted in øre (integers) and accrued interest in units of 10⁻¹⁰ kr, far below an øre
# ("unrounded"), so that the sums are exact and nothing but two roundings ever happens: each
# period's interest to 10 decimals, and each booking to øre.
INTEREST_DECIMALS = 10
UNITS_PER_ORE = 10**8
_UNITS_PER_PERCENT_ORE = 10**6  # 1 øre × 1 % = 10⁻⁴ kr = 10⁶ units

# Order in which a repayment settles the sub-accounts; what is left reduces Lån (and may make it
# negative: an overpayment that is to be refunded).
ALLOCATION_ORDER = (OMKOSTNINGER, GEBYR, RENTER)


# --- Interest -------------------------------------------------------------------------------------


def interest_units(principal_ore: int, exact_rate: tuple[int, int], days: int) -> int:
    """Interest on ``principal_ore`` for ``days`` days at a rate of ``numerator / denominator``
    percent p.a. (``exact_rate``), actual/365, in units of 10⁻¹⁰ kr.

    That is ``principal × rate × days / 365`` computed exactly and rounded once, half to even, to
    10 decimals of a krone: the sum of period lines is then exact, and only booking rounds (to
    øre, half up).
    """
    numerator, denominator = exact_rate
    divisor = denominator * DAYS_PER_YEAR
    units, rest = divmod(principal_ore * numerator * days * _UNITS_PER_PERCENT_ORE, divisor)
    if 2 * rest > divisor or (2 * rest == divisor and units & 1):
        units += 1
    return units


def booked_ore(accrued_units: int) -> int:
    """Accrued interest becomes a booked amount in øre (half up); the rest is dropped."""
    return (accrued_units + UNITS_PER_ORE // 2) // UNITS_PER_ORE


def booked_amount(accrued: Decimal) -> Decimal:
    """``booked_ore`` for an amount in kroner (ROUND_HALF_UP to øre)."""
    return accrued.quantize(ORE, rounding=ROUND_HALF_UP)


def first_interest_day(interest_start: dt.date) -> dt.date:
    """Interest accrues from the day after support ends."""
    return interest_start + dt.timedelta(days=1)


def principal_bears_interest(principal: Decimal | int) -> bool:
    """Only a positive loan principal bears interest (not interest, fees, costs or a refund)."""
    return principal > 0


# --- Rate selection -----------------------------------------------------------------------------


def rate_for_day(day: int, agreement: FixedRateAgreement | None, table: RateTable) -> RateSpan:
    """The rate the borrower pays on ``day`` (a ``date.toordinal()`` number), and through which
    day that same choice holds (at least).

    Within a fixed-rate agreement's term: the fixed rate for that term that was in force on the
    agreement date (locked). Otherwise: the floating rate in force on ``day`` itself.
    """
    if agreement is not None:
        first, end = agreement.date.toordinal(), agreement.end.toordinal()
        if first <= day < end:
            fixed = table.span_on(agreement.kind, first)
            return fixed._replace(first=first, last=end - 1)
    return table.span_on("floating", day)


# --- Booking points -----------------------------------------------------------------------------


# Repayments, fees and costs always book first (and end the payment pause); disbursements and
# conversions book first only after the pause.
_PAYMENTS_AND_CHARGES = (Repayment, Fee, Cost)
_OTHER_POSTINGS = (Disbursement, ConversionToGrant)

# First days of the months 1900–2200 (ordinals), so that finding a month's end is one bisection.
_MONTH_STARTS = [dt.date(year, month, 1).toordinal()
                 for year in range(1900, 2201) for month in range(1, 13)]
_MONTH_STARTS.append(dt.date(2201, 1, 1).toordinal())


def month_end(day: int) -> int:
    """The last day of the month of ``day`` (both ``date.toordinal()`` numbers)."""
    if _MONTH_STARTS[0] <= day < _MONTH_STARTS[-1]:
        return _MONTH_STARTS[bisect_right(_MONTH_STARTS, day)] - 1
    date = dt.date.fromordinal(day)
    return day + calendar.monthrange(date.year, date.month)[1] - date.day


def ends_payment_pause(event: Event, interest_start: dt.date | None) -> bool:
    """The payment pause ends at the first repayment, fee or cost dated after support ended."""
    return (
        interest_start is not None
        and isinstance(event, _PAYMENTS_AND_CHARGES)
        and event.date > interest_start
    )


def books_interest_at(event: Event, pause_over: bool) -> bool:
    """Whether ``event`` first books the interest accrued up to and including the previous day.

    During the payment pause only a repayment, fee or cost books interest (and ends the pause; see
    ``ends_payment_pause``). After the pause every posting to the account (disbursement,
    repayment, fee, cost, conversion) does. Interest start and fixed-rate agreements only change
    the status and never book.
    """
    if isinstance(event, _PAYMENTS_AND_CHARGES):
        return True
    return pause_over and isinstance(event, _OTHER_POSTINGS)


def month_end_booking_applies(pause_over: bool) -> bool:
    """Month-end booking applies from the end of the payment pause on."""
    return pause_over


# --- Postings -----------------------------------------------------------------------------------


def allocate_repayment(
    amount: Decimal | int, balances: dict[str, Decimal] | dict[str, int]
) -> dict[str, Decimal] | dict[str, int]:
    """Split a repayment: omkostninger → gebyr → renter, the rest to lån (may exceed the loan).

    Amounts are all in kroner (Decimal) or all in øre (int)."""
    parts = {}
    left = amount
    for account in ALLOCATION_ORDER:
        owed = balances[account]
        if owed > 0 and left > 0:
            part = left if left <= owed else owed  # min(left, owed), without a call per account
            parts[account] = part
            left -= part
    if left > 0:
        parts[LAN] = left
    return parts


def conversion_reduces_loan_by(amount: Decimal | int, loan: Decimal | int) -> Decimal | int:
    """A conversion to grant reduces Lån by ``amount`` but never below 0 (kroner or øre)."""
    return min(amount, max(loan, 0))
