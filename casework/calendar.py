"""Business-hours calendar behind the SLA clocks.

Bits AS promises response and resolution times in *business* time: the clock only
runs while the office is open. Opening hours change with the season and Norwegian
public holidays are closed, so a deadline cannot be computed with plain timedelta
arithmetic. The opening hours are data (``OpeningHoursRule``) so that a change of
hours is a change of configuration, not of the algorithm.

All arithmetic is done on UTC instants and windows are built per *local* date, so
that the 23- and 25-hour days around daylight-saving changes are handled correctly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

# A calendar whose rules never open would make add() loop forever; give up after this.
_MAX_CLOSED_DAYS = 400


@dataclass(frozen=True)
class OpeningHoursRule:
    """Opening hours for a recurring part of the year.

    The validity period is given as inclusive (month, day) pairs so the same rule
    applies every year; a period may wrap over new year (winter hours run from
    15 September to 14 May).
    """

    valid_from_month_day: tuple[int, int]
    valid_to_month_day: tuple[int, int]
    weekdays: frozenset[int]
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("opening hours must close after they open on the same day")
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")

    def applies_to(self, day: date) -> bool:
        if day.weekday() not in self.weekdays:
            return False
        md = (day.month, day.day)
        lo, hi = self.valid_from_month_day, self.valid_to_month_day
        if lo <= hi:
            return lo <= md <= hi
        return md >= lo or md <= hi


_WORKING_DAYS = frozenset(range(5))

# Bits AS: shorter summer hours (15 May - 14 September), otherwise 08:00-15:45, Mon-Fri.
DEFAULT_OPENING_HOURS: tuple[OpeningHoursRule, ...] = (
    OpeningHoursRule((9, 15), (5, 14), _WORKING_DAYS, time(8, 0), time(15, 45)),
    OpeningHoursRule((5, 15), (9, 14), _WORKING_DAYS, time(8, 0), time(15, 0)),
)


class BusinessCalendar:
    """When the SLA clock runs: opening hours minus Norwegian public holidays.

    ``extra_closed_days`` covers days the office is closed although they are not
    public holidays (e.g. Christmas Eve), so they do not count against the SLA.
    """

    def __init__(
        self,
        rules: Sequence[OpeningHoursRule] = DEFAULT_OPENING_HOURS,
        tz: str = "Europe/Oslo",
        extra_closed_days: Iterable[date] = (),
    ) -> None:
        self.rules = tuple(rules)
        self.tz = ZoneInfo(tz)
        self.extra_closed_days = frozenset(extra_closed_days)
        # Sundays are closed through the weekday rules; the holiday set is only for
        # the named public holidays (Norway can optionally list every Sunday).
        self._holidays = holidays.Norway(include_sundays=False)

    # -- helpers -----------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("business-time calculations need timezone-aware datetimes")
        return moment.astimezone(self.tz)

    def _at(self, day: date, clock: time) -> datetime:
        # Round-trip through UTC so a wall time in a DST gap lands on a real instant.
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC).astimezone(self.tz)

    def _utc_window(self, day: date) -> tuple[datetime, datetime] | None:
        window = self.opening_window(day)
        if window is None:
            return None
        return window[0].astimezone(UTC), window[1].astimezone(UTC)

    def is_closed_day(self, day: date) -> bool:
        return self.opening_window(day) is None

    # -- public API --------------------------------------------------------------

    def opening_window(self, day: date) -> tuple[datetime, datetime] | None:
        """Opening and closing instant on a local date, or None when closed all day."""
        if day in self.extra_closed_days or day in self._holidays:
            return None
        for rule in self.rules:  # first matching rule wins
            if rule.applies_to(day):
                return self._at(day, rule.opens), self._at(day, rule.closes)
        return None

    def is_open(self, moment: datetime) -> bool:
        """Whether the SLA clock runs at ``moment`` (opening inclusive, closing exclusive)."""
        local = self._local(moment)
        window = self._utc_window(local.date())
        return window is not None and window[0] <= local.astimezone(UTC) < window[1]

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of business time has elapsed after ``start``.

        Outside opening hours the clock waits for the next opening. A deadline that
        is used up exactly at closing time is due at closing, not at the next opening.
        """
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        local = self._local(start)
        if not duration:
            return local
        cursor, remaining, day, closed_run = local.astimezone(UTC), duration, local.date(), 0
        while True:
            window = self._utc_window(day)
            if window is None:
                closed_run += 1
                if closed_run > _MAX_CLOSED_DAYS:
                    raise ValueError("calendar has no opening hours in the coming year")
            else:
                closed_run = 0
                begin = max(cursor, window[0])
                if begin < window[1]:
                    available = window[1] - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(self.tz)
                    remaining -= available
            day += timedelta(days=1)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from ``start`` to ``end``; zero if ``end`` is not later."""
        local_start, local_end = self._local(start), self._local(end)
        if local_end <= local_start:
            return timedelta(0)
        s, e = local_start.astimezone(UTC), local_end.astimezone(UTC)
        total, day = timedelta(0), local_start.date()
        while day <= local_end.date():
            window = self._utc_window(day)
            if window is not None:
                overlap = min(e, window[1]) - max(s, window[0])
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Same local clock time ``days`` open days later (negative: earlier).

        Used for rules phrased in working days, such as auto-closing a case five
        working days after the customer was asked for information. The start day
        itself is never counted, so a Saturday plus one working day is Monday.
        """
        local = self._local(start)
        step = timedelta(days=1 if days >= 0 else -1)
        day, counted, closed_run = local.date(), 0, 0
        while counted < abs(days):
            day += step
            if self.is_closed_day(day):
                closed_run += 1
                if closed_run > _MAX_CLOSED_DAYS:
                    raise ValueError("calendar has no opening hours in the coming year")
            else:
                counted, closed_run = counted + 1, 0
        return self._at(day, local.time())
