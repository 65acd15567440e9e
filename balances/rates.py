"""Interest-rate table with validity periods (pure Python, no Django).

A rate is always chosen by the date it applies to, never by "now": ``RateTable.rate_on(kind, day)``
returns the rate in force on ``day``. Rates are annual nominal rates in percent.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

RATE_KINDS = ("floating", "fixed3", "fixed5", "fixed10")
LAST_DAY = dt.date.max.toordinal()  # the last day of a period in force until further notice


class RateLookupError(LookupError):
    """No rate of the requested kind is in force on the requested date."""


@dataclass(frozen=True)
class RatePeriod:
    kind: str
    valid_from: dt.date
    valid_to: dt.date | None  # inclusive; None = until further notice
    rate: Decimal  # annual nominal rate in percent, e.g. Decimal("4.817")

    def __post_init__(self) -> None:
        if self.kind not in RATE_KINDS:
            raise ValueError(f"unknown rate kind {self.kind!r}; expected one of {RATE_KINDS}")
        if not isinstance(self.rate, Decimal) or not self.rate.is_finite() or self.rate < 0:
            raise ValueError(f"rate must be a non-negative Decimal percentage: {self.rate!r}")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"period ends before it starts: {self.valid_from}–{self.valid_to}")

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class RateSpan(NamedTuple):
    """A stretch of days with one rate, for the engine: days are ``date.toordinal()`` numbers so
    that walking the time line is integer arithmetic, and the rate comes with its exact value as
    a fraction so that interest can be computed in integers (see ``rules.interest_units``)."""

    first: int  # first day (ordinal)
    last: int  # last day (ordinal, inclusive); LAST_DAY for "until further notice"
    rate: Decimal  # percent p.a., as in the table (shown in explanations)
    kind: str
    exact: tuple[int, int]  # ``rate`` as (numerator, denominator)

    @classmethod
    def of(cls, period: RatePeriod) -> RateSpan:
        last = period.valid_to.toordinal() if period.valid_to is not None else LAST_DAY
        return cls(period.valid_from.toordinal(), last, period.rate, period.kind,
                   period.rate.as_integer_ratio())


class RateTable:
    """Rates per kind with non-overlapping validity periods, looked up by date."""

    def __init__(self, periods: Iterable[RatePeriod]):
        by_kind: dict[str, list[RatePeriod]] = {}
        for period in periods:
            by_kind.setdefault(period.kind, []).append(period)
        for kind, items in by_kind.items():
            items.sort(key=lambda p: p.valid_from)
            for before, after in zip(items, items[1:], strict=False):
                if before.valid_to is None or before.valid_to >= after.valid_from:
                    raise ValueError(
                        f"overlapping {kind} rate periods starting {before.valid_from} "
                        f"and {after.valid_from}"
                    )
        self._periods = {kind: tuple(items) for kind, items in by_kind.items()}
        self._starts = {kind: [p.valid_from for p in items] for kind, items in by_kind.items()}
        # The same, by day number, built once per table: the engine looks rates up per period of
        # the time line and must not redo this per borrower.
        self._spans = {kind: [RateSpan.of(p) for p in items] for kind, items in by_kind.items()}
        self._first_days = {kind: [span.first for span in spans]
                            for kind, spans in self._spans.items()}

    def period_on(self, kind: str, day: dt.date) -> RatePeriod:
        """The period of ``kind`` in force on ``day``; RateLookupError if there is none."""
        if kind not in RATE_KINDS:
            raise ValueError(f"unknown rate kind {kind!r}; expected one of {RATE_KINDS}")
        starts = self._starts.get(kind, [])
        index = bisect_right(starts, day) - 1
        if index >= 0:
            period = self._periods[kind][index]
            if period.covers(day):
                return period
        raise RateLookupError(f"no {kind} interest rate in force on {day.isoformat()}")

    def span_on(self, kind: str, day: int) -> RateSpan:
        """``period_on`` for the engine: ``day`` is a ``date.toordinal()`` number."""
        if kind not in RATE_KINDS:
            raise ValueError(f"unknown rate kind {kind!r}; expected one of {RATE_KINDS}")
        index = bisect_right(self._first_days.get(kind, ()), day) - 1
        if index >= 0:
            span = self._spans[kind][index]
            if day <= span.last:
                return span
        date = dt.date.fromordinal(day).isoformat()
        raise RateLookupError(f"no {kind} interest rate in force on {date}")

    def rate_on(self, kind: str, day: dt.date) -> Decimal:
        return self.period_on(kind, day).rate

    def periods(self, kind: str) -> tuple[RatePeriod, ...]:
        return self._periods.get(kind, ())

    def __len__(self) -> int:
        return sum(len(items) for items in self._periods.values())


# --- Default table -------------------------------------------------------------------------------
# Approximations of Lånekassen's published rates (percent p.a.). The floating rate is set six times
# a year for two-month periods starting 1 Jan, 1 Mar, 1 May, 1 Jul, 1 Sep and 1 Nov. Fixed rates
# for new 3-, 5- and 10-year agreements are given per half year (from 1 Jan and 1 Jul).
# The values from 2026 onwards are projections. The last rate of each kind stays in force until
# a new one is published (valid_to None), as in Lånekassen's own table: a balance asked for after
# the last change must not fail.

DEFAULT_TABLE_END: dt.date | None = None

_FLOATING: dict[int, tuple[str, str, str, str, str, str]] = {
    2000: ("6.012", "6.248", "6.731", "7.015", "7.288", "7.506"),
    2001: ("7.612", "7.598", "7.627", "7.514", "7.489", "7.402"),
    2002: ("7.305", "7.381", "7.523", "7.914", "8.012", "7.906"),
    2003: ("7.298", "6.714", "6.108", "5.342", "4.512", "4.017"),
    2004: ("3.312", "2.897", "2.615", "2.598", "2.604", "2.611"),
    2005: ("2.688", "2.715", "2.803", "2.914", "3.022", "3.198"),
    2006: ("3.412", "3.608", "3.815", "4.021", "4.307", "4.598"),
    2007: ("4.905", "5.187", "5.412", "5.718", "6.012", "6.298"),
    2008: ("6.603", "6.815", "7.012", "7.214", "7.398", "6.812"),
    2009: ("5.214", "4.108", "3.397", "3.012", "2.908", "2.911"),
    2010: ("2.914", "2.987", "3.015", "3.098", "3.187", "3.214"),
    2011: ("3.218", "3.305", "3.412", "3.487", "3.502", "3.415"),
    2012: ("3.297", "3.012", "2.814", "2.705", "2.615", "2.598"),
    2013: ("2.543", "2.512", "2.437", "2.412", "2.398", "2.405"),
    2014: ("2.412", "2.398", "2.387", "2.371", "2.298", "2.215"),
    2015: ("2.104", "2.012", "1.915", "1.812", "1.708", "1.611"),
    2016: ("1.521", "1.487", "1.425", "1.398", "1.402", "1.415"),
    2017: ("1.411", "1.398", "1.405", "1.412", "1.398", "1.404"),
    2018: ("1.512", "1.537", "1.612", "1.708", "1.815", "1.903"),
    2019: ("2.008", "2.104", "2.215", "2.312", "2.498", "2.612"),
    2020: ("2.615", "2.503", "1.612", "1.014", "0.915", "0.908"),
    2021: ("0.912", "0.914", "1.012", "1.108", "1.307", "1.498"),
    2022: ("1.702", "1.915", "2.314", "2.708", "3.112", "3.498"),
    2023: ("3.812", "4.015", "4.208", "4.512", "4.815", "5.012"),
    2024: ("5.108", "5.207", "5.215", "5.298", "5.317", "5.304"),
    2025: ("5.212", "5.108", "5.015", "4.912", "4.817", "4.712"),
    2026: ("4.817", "4.615", "4.512", "4.408", "4.387", "4.312"),
    2027: ("4.298", "4.215", "4.187", "4.112", "4.098", "4.015"),
}

# year: ((fixed3, fixed5, fixed10) from 1 Jan, (fixed3, fixed5, fixed10) from 1 Jul)
_FIXED: dict[int, tuple[tuple[str, str, str], tuple[str, str, str]]] = {
    2000: (("7.012", "7.005", "6.912"), ("7.415", "7.308", "7.114")),
    2001: (("7.318", "7.112", "6.915"), ("7.204", "7.015", "6.812")),
    2002: (("7.215", "7.108", "6.905"), ("7.612", "7.315", "7.012")),
    2003: (("6.012", "6.108", "6.215"), ("4.615", "5.012", "5.498")),
    2004: (("3.612", "4.215", "5.008"), ("3.815", "4.412", "5.105")),
    2005: (("3.608", "4.012", "4.415"), ("3.512", "3.815", "4.212")),
    2006: (("4.312", "4.508", "4.615"), ("4.912", "5.015", "5.108")),
    2007: (("5.312", "5.305", "5.298"), ("5.915", "5.812", "5.708")),
    2008: (("6.015", "5.912", "5.815"), ("6.412", "6.215", "6.012")),
    2009: (("4.012", "4.415", "4.912"), ("3.915", "4.412", "4.908")),
    2010: (("3.612", "4.115", "4.608"), ("3.415", "3.912", "4.412")),
    2011: (("3.912", "4.312", "4.715"), ("3.615", "4.012", "4.415")),
    2012: (("2.915", "3.212", "3.615"), ("2.812", "3.108", "3.512")),
    2013: (("2.815", "3.112", "3.615"), ("3.012", "3.415", "3.912")),
    2014: (("2.915", "3.312", "3.815"), ("2.612", "2.915", "3.312")),
    2015: (("2.012", "2.215", "2.512"), ("2.115", "2.312", "2.612")),
    2016: (("1.812", "2.015", "2.312"), ("1.715", "1.912", "2.108")),
    2017: (("2.012", "2.215", "2.512"), ("1.915", "2.212", "2.508")),
    2018: (("2.215", "2.512", "2.815"), ("2.312", "2.615", "2.912")),
    2019: (("2.415", "2.612", "2.815"), ("2.212", "2.315", "2.412")),
    2020: (("2.312", "2.315", "2.412"), ("1.312", "1.415", "1.612")),
    2021: (("1.512", "1.715", "2.012"), ("1.915", "2.212", "2.508")),
    2022: (("2.612", "2.915", "3.112"), ("4.012", "4.115", "4.212")),
    2023: (("4.412", "4.315", "4.215"), ("5.012", "4.812", "4.615")),
    2024: (("4.912", "4.715", "4.612"), ("4.915", "4.712", "4.608")),
    2025: (("4.612", "4.515", "4.508"), ("4.415", "4.412", "4.512")),
    2026: (("4.312", "4.315", "4.412"), ("4.215", "4.312", "4.408")),
    2027: (("4.198", "4.305", "4.415"), ("4.112", "4.215", "4.398")),
}


def _chain(kind: str, starts: list[tuple[dt.date, str]],
           end: dt.date | None) -> list[RatePeriod]:
    """Consecutive periods: each lasts until the day before the next one starts."""
    periods = []
    for index, (start, rate) in enumerate(starts):
        until = starts[index + 1][0] - dt.timedelta(days=1) if index + 1 < len(starts) else end
        periods.append(RatePeriod(kind, start, until, Decimal(rate)))
    return periods


def _default_periods() -> list[RatePeriod]:
    floating = [
        (dt.date(year, month, 1), rate)
        for year, rates in sorted(_FLOATING.items())
        for month, rate in zip((1, 3, 5, 7, 9, 11), rates, strict=True)
    ]
    periods = _chain("floating", floating, DEFAULT_TABLE_END)
    for position, kind in enumerate(("fixed3", "fixed5", "fixed10")):
        fixed = [
            (dt.date(year, month, 1), halves[half][position])
            for year, halves in sorted(_FIXED.items())
            for half, month in ((0, 1), (1, 7))
        ]
        periods += _chain(kind, fixed, DEFAULT_TABLE_END)
    return periods


DEFAULT_RATE_TABLE = RateTable(_default_periods())
