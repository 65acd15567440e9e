"""Balance engine for Norwegian student loans (Lånekassen), pure Python (no Django).

``compute_balance(events, as_of)`` returns the booked ("closingBooked") sub-accounts Lån, Renter,
Gebyr and Omkostninger of one borrower at the end of ``as_of``, and explains itself line by line.

How it works (after Lånekassen's own rules engine: rules apart from flow, periods of constant
status, rates chosen by the date in the input):

1. The time line up to ``as_of`` is split into periods of constant status — constant principal and
   rate. Boundaries are the ledger events, rate changes (floating-rate periods, start and end of a
   fixed-rate agreement) and month ends.
2. Each period is computed in isolation: ``principal × rate × days / 365`` (actual/365), not
   rounded to øre (kept to 10 decimals), and only for days after ``InterestStart`` while the
   principal is positive.
3. Post-processing books the accrued periods to Renter (rounded to øre, ROUND_HALF_UP) at the
   booking points; see "Booking" below.

Booking (as Lånekassen does it)
-------------------------------
* An event books first: a repayment on the 15th books the interest accrued up to and including the
  14th (booked on the 15th), and only then is the payment posted (omkostninger → gebyr → renter →
  lån). Interest for the 15th itself accrues on the new principal.
* Month end: at the end of each month the interest accrued since the last booking up to and
  including the month's last day is booked, on that last day.
* Payment pause: after support ends (``InterestStart``) nothing is booked — interest accrues but
  stays unbooked and keeps growing — until the first repayment, fee or cost dated after the
  interest start. That event books all of it and ends the pause; from then on month-end booking
  applies, and every posting (disbursement, repayment, fee, cost, conversion) books first.
  During the pause a disbursement or conversion does not book (it only changes the principal);
  interest start and fixed-rate agreements never book.
* Within one day events are applied in the order given.
* The API shows booked amounts only; interest accrued since the last booking is reported
  separately as ``unbooked_interest`` (not rounded to øre).

The rules themselves (rate lookup, allocation order, booking points, rounding) live in
``rules.py``, the rate table in ``rates.py``, the event types in ``ledger.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from itertools import groupby

from . import rules
from .ledger import (
    ACCOUNTS,
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
    InterestStart,
    Repayment,
    to_money,
)
from .rates import DEFAULT_RATE_TABLE, RateLookupError, RatePeriod, RateTable

__all__ = [
    "ACCOUNTS",
    "DEFAULT_RATE_TABLE",
    "GEBYR",
    "LAN",
    "OMKOSTNINGER",
    "RENTER",
    "BalanceResult",
    "ConversionToGrant",
    "Cost",
    "Disbursement",
    "Event",
    "Fee",
    "FixedRateAgreement",
    "InterestBooking",
    "InterestStart",
    "PeriodLine",
    "Posting",
    "RateLookupError",
    "RatePeriod",
    "RateTable",
    "Repayment",
    "compute_balance",
    "format_date",
    "format_kroner",
    "payoff_amount",
    "to_money",
]

ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
_CONTEXT = Context(prec=40)  # ample for interest to 10 decimals; independent of the caller's


# --- Formatting (Norwegian) -----------------------------------------------------------------------


def format_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def format_kroner(amount: Decimal) -> str:
    """``Decimal("250000")`` → ``"250 000,00 kr"``."""
    text = f"{amount.quantize(ORE, rounding=ROUND_HALF_UP):,.2f}"
    return text.replace(",", " ").replace(".", ",") + " kr"


def format_rate(rate: Decimal) -> str:
    return f"{rate:f}".replace(".", ",") + " %"


_KIND_TEXT = {"fixed3": "fast 3 år", "fixed5": "fast 5 år", "fixed10": "fast 10 år"}


# --- Results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodLine:
    """One period of constant rate and principal, and the interest it accrued."""

    from_date: dt.date
    to_date: dt.date  # inclusive
    principal: Decimal
    rate: Decimal  # percent p.a.
    days: int
    interest: Decimal  # not rounded to øre (kept to 10 decimals)
    booked_on: dt.date | None = None  # None: accrued, not booked yet
    rate_kind: str = "floating"

    def describe(self) -> str:
        """E.g. "01.02.2026–14.02.2026: 14 dager à 4,817 % av 250 000,00 kr = 461,90 kr,
        bokført 15.02.2026"."""
        days = "1 dag" if self.days == 1 else f"{self.days} dager"
        rate = format_rate(self.rate)
        if self.rate_kind in _KIND_TEXT:
            rate += f" ({_KIND_TEXT[self.rate_kind]})"
        booked = f"bokført {format_date(self.booked_on)}" if self.booked_on else "ikke bokført ennå"
        return (
            f"{format_date(self.from_date)}–{format_date(self.to_date)}: {days} à {rate} av "
            f"{format_kroner(self.principal)} = {format_kroner(self.interest)}, {booked}"
        )


@dataclass(frozen=True)
class InterestBooking:
    """Interest accrued ``from_date``–``to_date`` (inclusive), booked to Renter on ``booked_on``."""

    booked_on: dt.date
    from_date: dt.date
    to_date: dt.date
    accrued: Decimal  # sum of the period lines, not rounded to øre
    amount: Decimal  # booked, in øre


@dataclass(frozen=True)
class Posting:
    """One change to one sub-account (signed amount), with a readable text."""

    date: dt.date
    account: str
    amount: Decimal
    kind: str  # utbetaling, innbetaling, gebyr, omkostninger, omgjøring, renter
    text: str


@dataclass(frozen=True)
class BalanceResult:
    as_of: dt.date
    lan: Decimal
    renter: Decimal
    gebyr: Decimal
    omkostninger: Decimal
    unbooked_interest: Decimal  # accrued since the last booking, not rounded, not in the total
    last_change: dt.date | None  # date of the last non-zero booking or posting
    explanation: list[PeriodLine]
    bookings: list[InterestBooking] = field(default_factory=list)
    postings: list[Posting] = field(default_factory=list)
    account_last_change: dict[str, dt.date | None] = field(default_factory=dict)
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", self.lan + self.renter + self.gebyr + self.omkostninger)

    def accounts(self) -> dict[str, Decimal]:
        """All four sub-accounts by API name, in API order."""
        return {
            LAN: self.lan,
            RENTER: self.renter,
            GEBYR: self.gebyr,
            OMKOSTNINGER: self.omkostninger,
        }

    def nonzero_accounts(self) -> dict[str, Decimal]:
        return {name: amount for name, amount in self.accounts().items() if amount != 0}

    def describe(self) -> list[str]:
        """The explanation as readable Norwegian lines."""
        return [line.describe() for line in self.explanation]


# --- The flow -------------------------------------------------------------------------------------


class _Computation:
    """Walks the ledger day by day of status change; all decisions are delegated to ``rules``."""

    def __init__(self, rates: RateTable):
        self.rates = rates
        self.balances = {account: Decimal("0.00") for account in ACCOUNTS}
        self.interest_start: dt.date | None = None
        self.agreement: FixedRateAgreement | None = None
        self.pause_over = False
        self.cursor: dt.date | None = None  # first day not yet accrued
        self.lines: list[PeriodLine] = []  # booked
        self.pending: list[PeriodLine] = []  # accrued, not booked
        self.bookings: list[InterestBooking] = []
        self.postings: list[Posting] = []
        self.last_change: dict[str, dt.date | None] = {account: None for account in ACCOUNTS}

    # Accrual: split [cursor, until] into periods of constant status and book at month ends.
    def accrue_through(self, until: dt.date) -> None:
        if self.cursor is None:
            self.cursor = until + ONE_DAY
            return
        day = self.cursor
        while day <= until:
            month_end = rules.month_end(day)
            segment_end = min(until, month_end)
            self._accrue_segment(day, segment_end)
            if segment_end == month_end and rules.month_end_booking_applies(self.pause_over):
                self.book(month_end)
            day = segment_end + ONE_DAY
        self.cursor = max(self.cursor, until + ONE_DAY)

    def _accrue_segment(self, start: dt.date, end: dt.date) -> None:
        principal = self.balances[LAN]
        if self.interest_start is None or not rules.principal_bears_interest(principal):
            return
        day = max(start, rules.first_interest_day(self.interest_start))
        while day <= end:
            choice = rules.rate_for_day(day, self.agreement, self.rates)
            last = min(end, choice.last_day)
            days = (last - day).days + 1
            self.pending.append(
                PeriodLine(
                    from_date=day,
                    to_date=last,
                    principal=principal,
                    rate=choice.rate,
                    days=days,
                    interest=rules.interest_for(principal, choice.rate, days),
                    rate_kind=choice.kind,
                )
            )
            day = last + ONE_DAY

    def book(self, booked_on: dt.date) -> None:
        if not self.pending:
            return
        accrued = sum((line.interest for line in self.pending), ZERO)
        amount = rules.booked_amount(accrued)
        self.bookings.append(
            InterestBooking(
                booked_on=booked_on,
                from_date=self.pending[0].from_date,
                to_date=self.pending[-1].to_date,
                accrued=accrued,
                amount=amount,
            )
        )
        self.lines += [replace(line, booked_on=booked_on) for line in self.pending]
        self.pending = []
        text = (
            f"Renter {format_date(self.bookings[-1].from_date)}–"
            f"{format_date(self.bookings[-1].to_date)}"
        )
        self.post(booked_on, RENTER, amount, "renter", text)

    def post(self, day: dt.date, account: str, amount: Decimal, kind: str, text: str) -> None:
        if amount == 0:
            return
        self.balances[account] += amount
        self.postings.append(Posting(day, account, amount, kind, text))
        self.last_change[account] = day

    # Events: book first if the rules say so, then post.
    def apply(self, event: Event) -> None:
        if rules.books_interest_at(event, self.pause_over):
            self.book(event.date)
        if not self.pause_over and rules.ends_payment_pause(event, self.interest_start):
            self.pause_over = True

        day = event.date
        if isinstance(event, Disbursement):
            self.post(day, LAN, event.amount, "utbetaling", "Utbetalt lån")
        elif isinstance(event, Repayment):
            parts = rules.allocate_repayment(event.amount, self.balances)
            for account, part in parts.items():
                self.post(day, account, -part, "innbetaling", f"Innbetaling til {account}")
        elif isinstance(event, Fee):
            self.post(day, GEBYR, event.amount, "gebyr", "Gebyr")
        elif isinstance(event, Cost):
            self.post(day, OMKOSTNINGER, event.amount, "omkostninger", "Omkostninger")
        elif isinstance(event, ConversionToGrant):
            reduction = rules.conversion_reduces_loan_by(event.amount, self.balances[LAN])
            self.post(day, LAN, -reduction, "omgjøring", "Lån omgjort til stipend")
        elif isinstance(event, InterestStart):
            if self.interest_start is None:
                self.interest_start = day
        elif isinstance(event, FixedRateAgreement):
            self.agreement = event
        else:
            raise TypeError(f"not a ledger event: {event!r}")

    def result(self, as_of: dt.date) -> BalanceResult:
        changes = [day for day in self.last_change.values() if day is not None]
        return BalanceResult(
            as_of=as_of,
            lan=self.balances[LAN],
            renter=self.balances[RENTER],
            gebyr=self.balances[GEBYR],
            omkostninger=self.balances[OMKOSTNINGER],
            unbooked_interest=sum((line.interest for line in self.pending), ZERO),
            last_change=max(changes, default=None),
            explanation=self.lines + self.pending,
            bookings=list(self.bookings),
            postings=list(self.postings),
            account_last_change=dict(self.last_change),
        )


def compute_balance(
    events: Iterable[Event], as_of: dt.date, rates: RateTable = DEFAULT_RATE_TABLE
) -> BalanceResult:
    """The booked balance at the end of ``as_of``; events after ``as_of`` are ignored.

    Raises ``RateLookupError`` if interest accrues on a day the rate table does not cover.
    """
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise TypeError("as_of must be a datetime.date")
    ledger = sorted((event for event in events if event.date <= as_of), key=lambda e: e.date)
    with localcontext(_CONTEXT):
        computation = _Computation(rates)
        for day, same_day in groupby(ledger, key=lambda e: e.date):
            computation.accrue_through(day - ONE_DAY)
            for event in same_day:
                computation.apply(event)
        computation.accrue_through(as_of)
        return computation.result(as_of)


def payoff_amount(
    events: Iterable[Event], on: dt.date, rates: RateTable = DEFAULT_RATE_TABLE
) -> Decimal:
    """What a repayment on ``on`` (as the first event that day) must be to bring the total to 0.

    That is the booked total at the end of the previous day plus the interest the repayment books
    first (accrued through the previous day, rounded to øre). Events dated ``on`` or later are
    ignored.
    """
    before = [event for event in events if event.date < on]
    balance = compute_balance(before, on - ONE_DAY, rates)
    return balance.total + rules.booked_amount(balance.unbooked_interest)
