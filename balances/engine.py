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

Money is counted in whole øre and accrued interest in units of 10⁻¹⁰ kr, both integers, and days
as ``date.toordinal()`` numbers: the walk along the time line is integer arithmetic, exact by
construction, and amounts become ``Decimal`` kroner only in the result. The period lines, interest
bookings and postings are recorded as plain tuples and turned into ``PeriodLine``,
``InterestBooking`` and ``Posting`` objects when the result's ``explanation``, ``bookings`` or
``postings`` is first read (the Saldo API reads none of them).

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
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cached_property
from operator import attrgetter
from typing import NamedTuple

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
from .rates import DEFAULT_RATE_TABLE, RateLookupError, RatePeriod, RateSpan, RateTable

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
# Turning øre and interest units into kroner is exact in this context, whatever the caller's is.
_CONTEXT = Context(prec=40)


def _kroner(ore: int) -> Decimal:
    return Decimal(ore).scaleb(-2, _CONTEXT)


def _accrued(units: int) -> Decimal:
    return Decimal(units).scaleb(-rules.INTEREST_DECIMALS, _CONTEXT)


_day = dt.date.fromordinal


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


class _Trace(NamedTuple):
    """What the computation did, as plain tuples: days as ordinals, money in øre, interest in
    units of 10⁻¹⁰ kr. The result builds its explanation, bookings and postings from it.

    lines: (first day, last day, principal, rate, days, interest), in time order.
    bookings: (booked on, start, end, accrued, amount) for the lines[start:end].
    postings: (day, account, amount, kind, text); for Renter the text is the booking's index.
    """

    lines: list[tuple[int, int, int, RateSpan, int, int]]
    bookings: list[tuple[int, int, int, int, int]]
    postings: list[tuple[int, str, int, str, str | int]]

    def explanation(self) -> list[PeriodLine]:
        booked_on: list[dt.date | None] = [None] * len(self.lines)
        for day, start, end, _accrued_units, _amount in self.bookings:
            booked_on[start:end] = [_day(day)] * (end - start)
        return [
            PeriodLine(
                from_date=_day(first),
                to_date=_day(last),
                principal=_kroner(principal),
                rate=span.rate,
                days=days,
                interest=_accrued(units),
                booked_on=booked,
                rate_kind=span.kind,
            )
            for (first, last, principal, span, days, units), booked in zip(
                self.lines, booked_on, strict=True
            )
        ]

    def booking(self, index: int) -> InterestBooking:
        day, start, end, accrued, amount = self.bookings[index]
        return InterestBooking(
            booked_on=_day(day),
            from_date=_day(self.lines[start][0]),
            to_date=_day(self.lines[end - 1][1]),
            accrued=_accrued(accrued),
            amount=_kroner(amount),
        )

    def postings_made(self) -> list[Posting]:
        postings = []
        for day, account, amount, kind, text in self.postings:
            if account == RENTER and kind == "renter":
                _booked_on, start, end, _accrued_units, _amount = self.bookings[text]
                first, last = _day(self.lines[start][0]), _day(self.lines[end - 1][1])
                text = f"Renter {format_date(first)}–{format_date(last)}"
            postings.append(Posting(_day(day), account, _kroner(amount), kind, text))
        return postings


@dataclass(frozen=True, eq=False)
class BalanceResult:
    """The booked balance at the end of ``as_of``, and how it came about.

    ``explanation`` (the period lines), ``bookings`` (of interest to Renter) and ``postings`` (to
    the sub-accounts) are built from the computation's trace when first read: the Saldo API needs
    the sub-accounts only. Two results are equal when all of these are.
    """

    as_of: dt.date
    lan: Decimal
    renter: Decimal
    gebyr: Decimal
    omkostninger: Decimal
    unbooked_interest: Decimal  # accrued since the last booking, not rounded, not in the total
    last_change: dt.date | None  # date of the last non-zero booking or posting
    account_last_change: dict[str, dt.date | None]
    _trace: _Trace = field(repr=False)
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        add = _CONTEXT.add
        total = add(add(self.lan, self.renter), add(self.gebyr, self.omkostninger))
        object.__setattr__(self, "total", total)

    @cached_property
    def explanation(self) -> list[PeriodLine]:
        """One line per period of constant rate and principal, booked ones first."""
        return self._trace.explanation()

    @cached_property
    def bookings(self) -> list[InterestBooking]:
        return [self._trace.booking(index) for index in range(len(self._trace.bookings))]

    @cached_property
    def postings(self) -> list[Posting]:
        return self._trace.postings_made()

    def _said(self) -> tuple:
        return (self.as_of, self.lan, self.renter, self.gebyr, self.omkostninger,
                self.unbooked_interest, self.last_change, self.explanation, self.bookings,
                self.postings, self.account_last_change, self.total)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._said() == other._said()

    __hash__ = None  # like the lists it holds

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

_REPAYMENT_TEXT = {account: f"Innbetaling til {account}" for account in ACCOUNTS}
_NO_RATE = RateSpan(0, -1, ZERO, "", (0, 1))  # holds through no day: the first one looks it up


def _walk(ledger: list[Event], as_of: dt.date, rates: RateTable) -> BalanceResult:
    """Applies ``ledger`` (in date order) and accrues through ``as_of``, day by day of status
    change; all decisions are delegated to ``rules``.

    Days are ordinals, money is in øre and interest in units of 10⁻¹⁰ kr, all ints. One function
    with its state in local variables, on purpose: it runs for every month of a borrower's
    history, and CPython runs it markedly faster so than as methods of an object keeping the
    state in attributes (bench/engine.py).
    """
    balances = dict.fromkeys(ACCOUNTS, 0)
    last_change: dict[str, int | None] = dict.fromkeys(ACCOUNTS)  # day of the last posting
    lines: list[tuple[int, int, int, RateSpan, int, int]] = []  # see _Trace
    bookings: list[tuple[int, int, int, int, int]] = []
    postings: list[tuple[int, str, int, str, str | int]] = []
    interest_start: dt.date | None = None  # support ended (only the first InterestStart counts)
    first_interest_day = 0
    agreement: FixedRateAgreement | None = None
    # The rate in force through rate.last, and the last day of the month being walked: the time
    # line only moves forward, so both hold through that day (the rate: unless the agreement
    # changes).
    rate = _NO_RATE
    month_end = 0
    pause_over = False
    cursor: int | None = None  # first day not accrued yet
    unbooked_from = 0  # lines[unbooked_from:] are accrued, not booked
    unbooked_units = 0

    def post(day: int, account: str, amount: int, kind: str, text: str | int) -> None:
        if amount:
            balances[account] += amount
            postings.append((day, account, amount, kind, text))
            last_change[account] = day

    def book(day: int) -> None:
        """Books what accrued since the last booking to Renter, rounded to øre."""
        nonlocal unbooked_from, unbooked_units
        end = len(lines)
        if unbooked_from == end:
            return
        amount = rules.booked_ore(unbooked_units)
        bookings.append((day, unbooked_from, end, unbooked_units, amount))
        unbooked_from, unbooked_units = end, 0
        post(day, RENTER, amount, "renter", len(bookings) - 1)

    def accrue_through(until: int) -> None:
        """Period lines from the cursor through ``until``, split where the month ends (which
        books once the pause is over) and where the rate changes."""
        nonlocal cursor, rate, month_end, unbooked_units
        day = cursor
        if day is None or day > until:
            cursor = until + 1 if day is None else day
            return
        cursor = until + 1
        month_end_books = rules.month_end_booking_applies(pause_over)
        principal = balances[LAN]
        accrues = interest_start is not None and rules.principal_bears_interest(principal)
        if not accrues and not (month_end_books and unbooked_from < len(lines)):
            return  # nothing accrues and nothing is left to book: no need to walk the months
        while day <= until:
            if day > month_end:
                month_end = rules.month_end(day)
            segment_end = until if until < month_end else month_end
            if accrues:
                first = day if day > first_interest_day else first_interest_day
                while first <= segment_end:
                    if first > rate.last:
                        rate = rules.rate_for_day(first, agreement, rates)
                    last = segment_end if segment_end < rate.last else rate.last
                    days = last - first + 1
                    interest = rules.interest_units(principal, rate.exact, days)
                    lines.append((first, last, principal, rate, days, interest))
                    unbooked_units += interest
                    first = last + 1
            if segment_end == month_end and month_end_books:
                book(month_end)
            day = segment_end + 1

    previous_day = None
    for event in ledger:
        day = event.date.toordinal()
        if day != previous_day:  # events of a new day: accrue through the day before
            accrue_through(day - 1)
            previous_day = day
        # Book first if the rules say so, then post.
        if rules.books_interest_at(event, pause_over):
            book(day)
        if not pause_over and rules.ends_payment_pause(event, interest_start):
            pause_over = True
        if isinstance(event, Repayment):
            for account, part in rules.allocate_repayment(event.ore, balances).items():
                post(day, account, -part, "innbetaling", _REPAYMENT_TEXT[account])
        elif isinstance(event, Disbursement):
            post(day, LAN, event.ore, "utbetaling", "Utbetalt lån")
        elif isinstance(event, Fee):
            post(day, GEBYR, event.ore, "gebyr", "Gebyr")
        elif isinstance(event, Cost):
            post(day, OMKOSTNINGER, event.ore, "omkostninger", "Omkostninger")
        elif isinstance(event, ConversionToGrant):
            reduction = rules.conversion_reduces_loan_by(event.ore, balances[LAN])
            post(day, LAN, -reduction, "omgjøring", "Lån omgjort til stipend")
        elif isinstance(event, InterestStart):
            if interest_start is None:
                interest_start = event.date
                first_interest_day = rules.first_interest_day(event.date).toordinal()
        elif isinstance(event, FixedRateAgreement):
            agreement = event
            rate = _NO_RATE
        else:
            raise TypeError(f"not a ledger event: {event!r}")
    accrue_through(as_of.toordinal())

    changes = [day for day in last_change.values() if day is not None]
    return BalanceResult(
        as_of=as_of,
        lan=_kroner(balances[LAN]),
        renter=_kroner(balances[RENTER]),
        gebyr=_kroner(balances[GEBYR]),
        omkostninger=_kroner(balances[OMKOSTNINGER]),
        unbooked_interest=_accrued(unbooked_units) if unbooked_from < len(lines) else ZERO,
        last_change=_day(max(changes)) if changes else None,
        account_last_change={account: None if day is None else _day(day)
                             for account, day in last_change.items()},
        _trace=_Trace(lines, bookings, postings),
    )


_by_date = attrgetter("date")


def compute_balance(
    events: Iterable[Event], as_of: dt.date, rates: RateTable = DEFAULT_RATE_TABLE
) -> BalanceResult:
    """The booked balance at the end of ``as_of``; events after ``as_of`` are ignored.

    Raises ``RateLookupError`` if interest accrues on a day the rate table does not cover.
    """
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise TypeError("as_of must be a datetime.date")
    ledger = sorted((event for event in events if event.date <= as_of), key=_by_date)
    return _walk(ledger, as_of, rates)


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
