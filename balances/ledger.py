"""Ledger events for a Lånekassen borrower (pure Python, no Django).

Each event is an immutable fact with a ``date``. Money is always ``Decimal`` in kroner with at most
two decimals (øre); floats are refused so that no binary rounding can sneak into a balance. The
engine counts in whole øre (``to_ore``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

ORE = Decimal("0.01")

# Sub-account names, exactly as the Saldo API spells them.
LAN = "Lån"
RENTER = "Renter"
GEBYR = "Gebyr"
OMKOSTNINGER = "Omkostninger"
ACCOUNTS = (LAN, RENTER, GEBYR, OMKOSTNINGER)

FIXED_TERMS = (3, 5, 10)


def to_money(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a positive Decimal amount in kroner with at most two decimals."""
    if isinstance(value, bool | float):
        raise TypeError(f"money must be Decimal, int or str, never float: {value!r}")
    if not isinstance(value, Decimal | int | str):
        raise TypeError(f"money must be Decimal, int or str, not {type(value).__name__}")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"amount must be a positive, finite number of kroner: {value!r}")
    if amount != amount.quantize(ORE):
        raise ValueError(f"amount has more than two decimals (øre): {value!r}")
    return amount


def _check_date(value: object) -> None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"event date must be a datetime.date, not {type(value).__name__}")


@dataclass(frozen=True)
class _Event:
    date: dt.date

    def __post_init__(self) -> None:
        _check_date(self.date)


def to_ore(amount: Decimal) -> int:
    """An amount from ``to_money`` as a whole number of øre."""
    numerator, denominator = amount.as_integer_ratio()
    return numerator * 100 // denominator


@dataclass(frozen=True)
class _MoneyEvent(_Event):
    """An event with an ``amount`` in kroner; ``ore`` is the same amount in øre (an int, not a
    field: it is derived), so that the engine counts money in integers without converting it
    again on every computation."""

    amount: Decimal

    def __post_init__(self) -> None:
        super().__post_init__()
        amount = to_money(self.amount)
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "ore", to_ore(amount))


@dataclass(frozen=True)
class Disbursement(_MoneyEvent):
    """Loan paid out to the borrower (utbetaling); adds to Lån."""


@dataclass(frozen=True)
class Repayment(_MoneyEvent):
    """Payment from the borrower (innbetaling); allocated omkostninger → gebyr → renter → lån."""


@dataclass(frozen=True)
class Fee(_MoneyEvent):
    """A fee, e.g. a reminder fee (purregebyr); adds to Gebyr."""


@dataclass(frozen=True)
class Cost(_MoneyEvent):
    """Collection costs (inkasso-/omkostninger); adds to Omkostninger."""


@dataclass(frozen=True)
class ConversionToGrant(_MoneyEvent):
    """Conversion of loan to grant (omgjøring av lån til stipend); reduces Lån, never below 0."""


@dataclass(frozen=True)
class InterestStart(_Event):
    """Support ends: interest accrues from the day AFTER this date (only the first one counts)."""


@dataclass(frozen=True)
class FixedRateAgreement(_Event):
    """Fixed-rate agreement (fastrenteavtale) for ``years`` = 3, 5 or 10.

    From ``date`` until the day before the same date ``years`` later, the borrower pays the fixed
    rate for that term that was in force on ``date``; afterwards the floating rate applies again.
    A later agreement replaces an earlier one from its own date.
    """

    years: int

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.years, bool) or self.years not in FIXED_TERMS:
            raise ValueError(f"fixed-rate term must be {FIXED_TERMS} years, not {self.years!r}")

    @property
    def kind(self) -> str:
        return f"fixed{self.years}"

    @property
    def end(self) -> dt.date:
        """First day after the fixed period (29 February falls back to 28 February)."""
        year = self.date.year + self.years
        try:
            return self.date.replace(year=year)
        except ValueError:
            return self.date.replace(year=year, day=28)


Event = (
    Disbursement | Repayment | Fee | Cost | ConversionToGrant | InterestStart | FixedRateAgreement
)
