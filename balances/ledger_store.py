"""Between the database rows (LedgerEvent, InterestRate) and the pure engine's types."""

from __future__ import annotations

from collections.abc import Iterable

from .engine import (
    ConversionToGrant,
    Cost,
    Disbursement,
    Event,
    Fee,
    FixedRateAgreement,
    InterestStart,
    RatePeriod,
    RateTable,
    Repayment,
)
from .models import InterestRate, LedgerEvent

Kind = LedgerEvent.Kind

_MONEY_EVENTS = {
    Kind.DISBURSEMENT: Disbursement,
    Kind.REPAYMENT: Repayment,
    Kind.FEE: Fee,
    Kind.COST: Cost,
    Kind.CONVERSION: ConversionToGrant,
}
_KIND_OF = {cls: kind for kind, cls in _MONEY_EVENTS.items()}


def event_from_row(row: LedgerEvent) -> Event:
    if row.kind in _MONEY_EVENTS:
        return _MONEY_EVENTS[row.kind](row.date, row.amount)
    if row.kind == Kind.INTEREST_START:
        return InterestStart(row.date)
    if row.kind == Kind.FIXED_RATE:
        return FixedRateAgreement(row.date, row.years)
    raise ValueError(f"unknown ledger event kind {row.kind!r}")


def events_from_rows(rows: Iterable[LedgerEvent]) -> list[Event]:
    """Engine events in ledger order (date, then the order they were entered that day)."""
    return [event_from_row(row) for row in sorted(rows, key=lambda r: (r.date, r.sequence))]


def row_values(event: Event) -> dict:
    """The LedgerEvent fields for an engine event (without borrower and sequence)."""
    if isinstance(event, InterestStart):
        return {"date": event.date, "kind": Kind.INTEREST_START}
    if isinstance(event, FixedRateAgreement):
        return {"date": event.date, "kind": Kind.FIXED_RATE, "years": event.years}
    return {"date": event.date, "kind": _KIND_OF[type(event)], "amount": event.amount}


def rate_table_from_rows(rows: Iterable[InterestRate]) -> RateTable:
    return RateTable(RatePeriod(r.kind, r.valid_from, r.valid_to, r.rate.normalize())
                     for r in rows)
