"""The balance engine as it was before it counted in integers: the oracle for test_engine_oracle.

This is the old flow of ``balances/engine.py`` and the old rules of ``balances/rules.py``, copied
unchanged except that the one-line rules are written out in place: Decimal kroner throughout
(interest quantized to 10 decimals per period line, each booking rounded to øre), dates as
``datetime.date``, one object per period line, booking and posting, made eagerly. It is slow and
plain on purpose; do not speed it up, and do not change it when the engine changes: the engine
must keep giving its answers.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from itertools import groupby

from balances.engine import InterestBooking, PeriodLine, Posting, format_date
from balances.ledger import (
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
)
from balances.rates import RateTable

ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
_CONTEXT = Context(prec=40)
INTEREST_PRECISION = Decimal("1E-10")
DAYS_PER_YEAR = 365
ALLOCATION_ORDER = (OMKOSTNINGER, GEBYR, RENTER)


# --- The old rules ------------------------------------------------------------------------------


def interest_for(principal: Decimal, rate: Decimal, days: int) -> Decimal:
    exact = principal * rate * days / (100 * DAYS_PER_YEAR)
    return exact.quantize(INTEREST_PRECISION, rounding=ROUND_HALF_EVEN)


def booked_amount(accrued: Decimal) -> Decimal:
    return accrued.quantize(ORE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RateChoice:
    rate: Decimal
    kind: str
    last_day: dt.date
    agreement_date: dt.date | None = None


def rate_for_day(
    day: dt.date, agreement: FixedRateAgreement | None, table: RateTable
) -> RateChoice:
    if agreement is not None and agreement.date <= day < agreement.end:
        return RateChoice(
            rate=table.rate_on(agreement.kind, agreement.date),
            kind=agreement.kind,
            last_day=agreement.end - dt.timedelta(days=1),
            agreement_date=agreement.date,
        )
    period = table.period_on("floating", day)
    return RateChoice(rate=period.rate, kind="floating", last_day=period.valid_to or dt.date.max)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def ends_payment_pause(event: Event, interest_start: dt.date | None) -> bool:
    return (
        interest_start is not None
        and isinstance(event, Repayment | Fee | Cost)
        and event.date > interest_start
    )


def books_interest_at(event: Event, pause_over: bool) -> bool:
    if isinstance(event, Repayment | Fee | Cost):
        return True
    return pause_over and isinstance(event, Disbursement | ConversionToGrant)


def allocate_repayment(amount: Decimal, balances: dict[str, Decimal]) -> dict[str, Decimal]:
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


# --- The old flow -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceResult:
    as_of: dt.date
    lan: Decimal
    renter: Decimal
    gebyr: Decimal
    omkostninger: Decimal
    unbooked_interest: Decimal
    last_change: dt.date | None
    explanation: list[PeriodLine]
    bookings: list[InterestBooking] = field(default_factory=list)
    postings: list[Posting] = field(default_factory=list)
    account_last_change: dict[str, dt.date | None] = field(default_factory=dict)
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", self.lan + self.renter + self.gebyr + self.omkostninger)


class _Computation:
    def __init__(self, rates: RateTable):
        self.rates = rates
        self.balances = {account: Decimal("0.00") for account in ACCOUNTS}
        self.interest_start: dt.date | None = None
        self.agreement: FixedRateAgreement | None = None
        self.pause_over = False
        self.cursor: dt.date | None = None
        self.lines: list[PeriodLine] = []
        self.pending: list[PeriodLine] = []
        self.bookings: list[InterestBooking] = []
        self.postings: list[Posting] = []
        self.last_change: dict[str, dt.date | None] = {account: None for account in ACCOUNTS}

    def accrue_through(self, until: dt.date) -> None:
        if self.cursor is None:
            self.cursor = until + ONE_DAY
            return
        day = self.cursor
        while day <= until:
            segment_end = min(until, month_end(day))
            self._accrue_segment(day, segment_end)
            if segment_end == month_end(day) and self.pause_over:
                self.book(segment_end)
            day = segment_end + ONE_DAY
        self.cursor = max(self.cursor, until + ONE_DAY)

    def _accrue_segment(self, start: dt.date, end: dt.date) -> None:
        principal = self.balances[LAN]
        if self.interest_start is None or not principal > 0:
            return
        day = max(start, self.interest_start + ONE_DAY)
        while day <= end:
            choice = rate_for_day(day, self.agreement, self.rates)
            last = min(end, choice.last_day)
            days = (last - day).days + 1
            self.pending.append(
                PeriodLine(
                    from_date=day,
                    to_date=last,
                    principal=principal,
                    rate=choice.rate,
                    days=days,
                    interest=interest_for(principal, choice.rate, days),
                    rate_kind=choice.kind,
                )
            )
            day = last + ONE_DAY

    def book(self, booked_on: dt.date) -> None:
        if not self.pending:
            return
        accrued = sum((line.interest for line in self.pending), ZERO)
        amount = booked_amount(accrued)
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

    def apply(self, event: Event) -> None:
        if books_interest_at(event, self.pause_over):
            self.book(event.date)
        if not self.pause_over and ends_payment_pause(event, self.interest_start):
            self.pause_over = True

        day = event.date
        if isinstance(event, Disbursement):
            self.post(day, LAN, event.amount, "utbetaling", "Utbetalt lån")
        elif isinstance(event, Repayment):
            parts = allocate_repayment(event.amount, self.balances)
            for account, part in parts.items():
                self.post(day, account, -part, "innbetaling", f"Innbetaling til {account}")
        elif isinstance(event, Fee):
            self.post(day, GEBYR, event.amount, "gebyr", "Gebyr")
        elif isinstance(event, Cost):
            self.post(day, OMKOSTNINGER, event.amount, "omkostninger", "Omkostninger")
        elif isinstance(event, ConversionToGrant):
            reduction = min(event.amount, max(self.balances[LAN], ZERO))
            self.post(day, LAN, -reduction, "omgjøring", "Lån omgjort til stipend")
        elif isinstance(event, InterestStart):
            if self.interest_start is None:
                self.interest_start = day
        elif isinstance(event, FixedRateAgreement):
            self.agreement = event
        else:
            raise TypeError(f"not a ledger event: {event!r}")

    def result(self, as_of: dt.date) -> ReferenceResult:
        changes = [day for day in self.last_change.values() if day is not None]
        return ReferenceResult(
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


def reference_balance(events: Iterable[Event], as_of: dt.date, rates: RateTable) -> ReferenceResult:
    ledger = sorted((event for event in events if event.date <= as_of), key=lambda e: e.date)
    with localcontext(_CONTEXT):
        computation = _Computation(rates)
        for day, same_day in groupby(ledger, key=lambda e: e.date):
            computation.accrue_through(day - ONE_DAY)
            for event in same_day:
                computation.apply(event)
        computation.accrue_through(as_of)
        return computation.result(as_of)


def reference_payoff_amount(events: Iterable[Event], on: dt.date, rates: RateTable) -> Decimal:
    before = [event for event in events if event.date < on]
    balance = reference_balance(before, on - ONE_DAY, rates)
    return balance.total + booked_amount(balance.unbooked_interest)
