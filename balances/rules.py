"""The business rules of the balance engine, kept apart from the flow in ``engine.py``.

Each function answers one question (which rate applies on a day, how a payment is split, when
interest is booked, ...) so that a rule can be read, tested and changed on its own.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

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
from .rates import RateTable

ZERO = Decimal("0")
INTEREST_PRECISION = Decimal("1E-10")  # far below an øre: accrued interest is kept "unrounded"
DAYS_PER_YEAR = 365  # actual/365: every day is 1/365 of the annual rate, also in leap years

# Order in which a repayment settles the sub-accounts; what is left reduces Lån (and may make it
# negative: an overpayment that is to be refunded).
ALLOCATION_ORDER = (OMKOSTNINGER, GEBYR, RENTER)


# --- Interest -------------------------------------------------------------------------------------


def interest_for(principal: Decimal, rate: Decimal, days: int) -> Decimal:
    """Interest on ``principal`` for ``days`` days at ``rate`` percent p.a., actual/365.

    Not rounded to øre: kept to 10 decimals (ROUND_HALF_EVEN), so that sums of period lines are
    exact in any ordinary Decimal context and only booking rounds (to øre, half up).
    """
    exact = principal * rate * days / (100 * DAYS_PER_YEAR)
    return exact.quantize(INTEREST_PRECISION, rounding=ROUND_HALF_EVEN)


def booked_amount(accrued: Decimal) -> Decimal:
    """Accrued interest becomes a booked amount in øre (ROUND_HALF_UP); the rest is dropped."""
    return accrued.quantize(ORE, rounding=ROUND_HALF_UP)


def first_interest_day(interest_start: dt.date) -> dt.date:
    """Interest accrues from the day after support ends."""
    return interest_start + dt.timedelta(days=1)


def principal_bears_interest(principal: Decimal) -> bool:
    """Only a positive loan principal bears interest (not interest, fees, costs or a refund)."""
    return principal > 0


# --- Rate selection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RateChoice:
    rate: Decimal
    kind: str  # "floating" or "fixed3"/"fixed5"/"fixed10"
    last_day: dt.date  # the same choice holds (at least) through this day
    agreement_date: dt.date | None = None


def rate_for_day(
    day: dt.date, agreement: FixedRateAgreement | None, table: RateTable
) -> RateChoice:
    """The rate the borrower pays on ``day``.

    Within a fixed-rate agreement's term: the fixed rate for that term that was in force on the
    agreement date (locked). Otherwise: the floating rate in force on ``day`` itself.
    """
    if agreement is not None and agreement.date <= day < agreement.end:
        return RateChoice(
            rate=table.rate_on(agreement.kind, agreement.date),
            kind=agreement.kind,
            last_day=agreement.end - dt.timedelta(days=1),
            agreement_date=agreement.date,
        )
    period = table.period_on("floating", day)
    return RateChoice(rate=period.rate, kind="floating", last_day=period.valid_to or dt.date.max)


# --- Booking points -----------------------------------------------------------------------------


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def ends_payment_pause(event: Event, interest_start: dt.date | None) -> bool:
    """The payment pause ends at the first repayment, fee or cost dated after support ended."""
    return (
        interest_start is not None
        and isinstance(event, Repayment | Fee | Cost)
        and event.date > interest_start
    )


def books_interest_at(event: Event, pause_over: bool) -> bool:
    """Whether ``event`` first books the interest accrued up to and including the previous day.

    During the payment pause only a repayment, fee or cost books interest (and ends the pause; see
    ``ends_payment_pause``). After the pause every posting to the account (disbursement,
    repayment, fee, cost, conversion) does. Interest start and fixed-rate agreements only change
    the status and never book.
    """
    if isinstance(event, Repayment | Fee | Cost):
        return True
    return pause_over and isinstance(event, Disbursement | ConversionToGrant)


def month_end_booking_applies(pause_over: bool) -> bool:
    """Month-end booking applies from the end of the payment pause on."""
    return pause_over


# --- Postings -----------------------------------------------------------------------------------


def allocate_repayment(amount: Decimal, balances: dict[str, Decimal]) -> dict[str, Decimal]:
    """Split a repayment: omkostninger → gebyr → renter, the rest to lån (may exceed the loan)."""
    parts: dict[str, Decimal] = {}
    left = amount
    for account in ALLOCATION_ORDER:
        part = min(left, max(balances[account], ZERO))
        if part > 0:
            parts[account] = part
            left -= part
    if left > 0:
        parts[LAN] = left
    return parts


def conversion_reduces_loan_by(amount: Decimal, loan: Decimal) -> Decimal:
    """A conversion to grant reduces Lån by ``amount`` but never below 0."""
    return min(amount, max(loan, ZERO))
