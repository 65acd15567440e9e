"""Hand-worked SLA-clock examples for Bits AS opening hours.

Winter (15 Sep - 14 May): Mon-Fri 08:00-15:45 = 7h45 a day.
Summer (15 May - 14 Sep): Mon-Fri 08:00-15:00 = 7h00 a day.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from casework.calendar import DEFAULT_OPENING_HOURS, BusinessCalendar, OpeningHoursRule

OSLO = ZoneInfo("Europe/Oslo")
CAL = BusinessCalendar()


def oslo(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


def hours(h, m=0):
    return timedelta(hours=h, minutes=m)


def test_holiday_dates_assumed_by_these_tests_come_from_the_holidays_package():
    norway = holidays.Norway(years=[2026, 2027])
    for day in (
        date(2026, 4, 2),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 14),
        date(2027, 5, 17),
    ):
        assert day in norway
    # Christmas Eve is not a public holiday in Norway.
    assert date(2026, 12, 24) not in norway


# -- the data: opening-hours rules ---------------------------------------------------------


def test_winter_rule_wraps_over_new_year_and_summer_rule_does_not():
    winter, summer = DEFAULT_OPENING_HOURS
    # 2027-01-01 is a Friday, 2024-02-29 a Thursday: both in the wrapped winter period.
    assert winter.applies_to(date(2027, 1, 1)) and winter.applies_to(date(2024, 2, 29))
    assert winter.applies_to(date(2025, 5, 14)) and not winter.applies_to(date(2025, 5, 15))
    assert summer.applies_to(date(2025, 5, 15)) and summer.applies_to(date(2026, 9, 14))
    assert not summer.applies_to(date(2026, 9, 15)) and winter.applies_to(date(2026, 9, 15))


def test_rule_that_closes_before_it_opens_is_rejected():
    with pytest.raises(ValueError):
        OpeningHoursRule((1, 1), (12, 31), frozenset({0}), time(16), time(8))


def test_weekends_and_public_holidays_have_no_opening_window():
    assert CAL.opening_window(date(2026, 1, 17)) is None  # Saturday
    assert CAL.opening_window(date(2026, 1, 18)) is None  # Sunday
    assert CAL.opening_window(date(2026, 4, 3)) is None  # Good Friday
    assert CAL.opening_window(date(2026, 1, 16)) == (
        oslo(2026, 1, 16, 8),
        oslo(2026, 1, 16, 15, 45),
    )


def test_extra_closed_days_close_the_office():
    cal = BusinessCalendar(extra_closed_days=[date(2026, 12, 24)])  # Christmas Eve, a Thursday
    assert CAL.opening_window(date(2026, 12, 24)) is not None
    assert cal.opening_window(date(2026, 12, 24)) is None


# -- add() ---------------------------------------------------------------------------------


def test_friday_afternoon_report_with_two_hour_target_is_due_monday_morning():
    # Fri 16 Jan 2026 15:00 -> 15:45 uses 0h45; 2h00 - 0h45 = 1h15 left.
    # Sat/Sun closed; Mon 19 Jan 08:00 + 1h15 = 09:15.
    assert CAL.add(oslo(2026, 1, 16, 15), hours(2)) == oslo(2026, 1, 19, 9, 15)


def test_easter_holidays_pause_the_clock():
    # Wed 1 Apr 2026 15:00 -> 15:45 uses 0h45; 1h15 left.
    # Thu 2 (Maundy Thursday), Fri 3 (Good Friday), Sat, Sun, Mon 6 (Easter Monday) closed.
    # Tue 7 Apr 08:00 + 1h15 = 09:15.
    assert CAL.add(oslo(2026, 4, 1, 15), hours(2)) == oslo(2026, 4, 7, 9, 15)


def test_constitution_day_monday_pauses_the_clock_and_summer_hours_follow():
    # Fri 14 May 2027 is still winter: 15:00 -> 15:45 uses 0h45; 1h15 left.
    # Sat 15, Sun 16, Mon 17 May (Constitution Day + Whit Monday) closed.
    # Tue 18 May 08:00 + 1h15 = 09:15.
    assert CAL.add(oslo(2027, 5, 14, 15), hours(2)) == oslo(2027, 5, 18, 9, 15)


def test_fourteenth_of_may_still_closes_at_quarter_to_four():
    # Wed 14 May 2025 (winter): 15:00 -> 15:45 uses 0h45; 0h15 left -> Thu 15 May 08:15.
    assert CAL.is_open(oslo(2025, 5, 14, 15, 30))
    assert CAL.add(oslo(2025, 5, 14, 15), hours(1)) == oslo(2025, 5, 15, 8, 15)


def test_fifteenth_of_may_closes_at_three():
    # Thu 15 May 2025 (summer): 14:30 -> 15:00 uses 0h30; 0h30 left -> Fri 16 May 08:30.
    assert not CAL.is_open(oslo(2025, 5, 15, 15, 30))
    assert CAL.add(oslo(2025, 5, 15, 14, 30), hours(1)) == oslo(2025, 5, 16, 8, 30)


def test_fourteenth_of_september_closes_at_three_and_fifteenth_at_quarter_to_four():
    # Mon 14 Sep 2026 (summer): 14:30 -> 15:00 uses 0h30; 0h30 left -> Tue 15 Sep 08:30.
    assert not CAL.is_open(oslo(2026, 9, 14, 15, 30))
    assert CAL.add(oslo(2026, 9, 14, 14, 30), hours(1)) == oslo(2026, 9, 15, 8, 30)
    # Tue 15 Sep 2026 (winter): 15:00 -> 15:45 uses 0h45; 0h15 left -> Wed 16 Sep 08:15.
    assert CAL.is_open(oslo(2026, 9, 15, 15, 30))
    assert CAL.add(oslo(2026, 9, 15, 15), hours(1)) == oslo(2026, 9, 16, 8, 15)


def test_evening_report_starts_counting_at_next_opening():
    # Tue 20 Jan 2026 20:00 is closed; clock starts Wed 08:00 + 1h = 09:00.
    assert CAL.add(oslo(2026, 1, 20, 20), hours(1)) == oslo(2026, 1, 21, 9)


def test_early_morning_report_starts_counting_at_opening():
    # Wed 21 Jan 2026 06:00 -> clock starts 08:00 + 1h30 = 09:30 the same day.
    assert CAL.add(oslo(2026, 1, 21, 6), hours(1, 30)) == oslo(2026, 1, 21, 9, 30)


def test_weekend_report_starts_counting_on_monday():
    # Sat 17 Jan 2026 10:00 -> Mon 19 Jan 08:00 + 1h = 09:00.
    assert CAL.add(oslo(2026, 1, 17, 10), hours(1)) == oslo(2026, 1, 19, 9)


def test_target_used_up_exactly_at_closing_is_due_at_closing():
    # Fri 16 Jan 2026 15:00 + 0h45 = 15:45, the closing time (not Monday 08:00).
    assert CAL.add(oslo(2026, 1, 16, 15), hours(0, 45)) == oslo(2026, 1, 16, 15, 45)
    assert not CAL.is_open(oslo(2026, 1, 16, 15, 45))  # closing instant itself is closed


def test_zero_duration_returns_start_unchanged_even_outside_hours():
    start = oslo(2026, 1, 17, 10)  # Saturday
    assert CAL.add(start, timedelta(0)) == start


def test_multi_day_target_counts_full_days():
    # Mon 19 Jan 2026 08:00 + 16h: Mon 7h45, Tue 7h45 = 15h30; 0h30 left -> Wed 08:30.
    assert CAL.add(oslo(2026, 1, 19, 8), hours(16)) == oslo(2026, 1, 21, 8, 30)


def test_add_across_spring_dst_change_returns_summer_time_offset():
    # Fri 27 Mar 2026 15:00 CET (+01:00): 0h45 used, 1h15 left. Clocks go forward Sun 29 Mar.
    # Mon 30 Mar 08:00 CEST + 1h15 = 09:15 CEST = 07:15 UTC.
    due = CAL.add(oslo(2026, 3, 27, 15), hours(2))
    assert due == datetime(2026, 3, 30, 7, 15, tzinfo=UTC)
    assert due.utcoffset() == hours(2)


def test_accepts_any_timezone_and_returns_calendar_timezone():
    # 14:00 UTC on Fri 16 Jan 2026 is 15:00 in Oslo -> due Mon 09:15 Oslo (see first example).
    due = CAL.add(datetime(2026, 1, 16, 14, tzinfo=UTC), hours(2))
    assert due == oslo(2026, 1, 19, 9, 15)
    assert due.tzinfo == OSLO


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError):
        CAL.add(datetime(2026, 1, 16, 15), hours(1))
    with pytest.raises(ValueError):
        CAL.between(datetime(2026, 1, 16, 15), oslo(2026, 1, 19))
    with pytest.raises(ValueError):
        CAL.is_open(datetime(2026, 1, 16, 15))


def test_negative_duration_is_rejected():
    with pytest.raises(ValueError):
        CAL.add(oslo(2026, 1, 16, 10), -hours(1))


# -- between() -----------------------------------------------------------------------------


def test_between_across_a_weekend():
    # Fri 16 Jan 2026 15:00 -> 15:45 = 0h45; Mon 19 Jan 08:00 -> 09:15 = 1h15. Total 2h00.
    assert CAL.between(oslo(2026, 1, 16, 15), oslo(2026, 1, 19, 9, 15)) == hours(2)


def test_between_across_spring_dst_change():
    # Fri 27 Mar 2026 14:00 CET -> 15:45 = 1h45; Sat, Sun 29 Mar (DST) closed;
    # Mon 30 Mar 08:00 CEST -> 10:00 = 2h00. Total 3h45, although the wall clock shows 68h
    # and only 67h really passed.
    start, end = oslo(2026, 3, 27, 14), oslo(2026, 3, 30, 10)
    assert CAL.between(start, end) == hours(3, 45)
    # The same instants expressed in UTC (13:00Z and 08:00Z) give the same answer.
    assert CAL.between(start.astimezone(UTC), end.astimezone(UTC)) == hours(3, 45)


def test_between_across_autumn_dst_change():
    # Fri 23 Oct 2026 15:00 CEST -> 15:45 = 0h45; Sun 25 Oct clocks go back;
    # Mon 26 Oct 08:00 CET -> 08:30 = 0h30. Total 1h15.
    assert CAL.between(oslo(2026, 10, 23, 15), oslo(2026, 10, 26, 8, 30)) == hours(1, 15)


def test_between_skips_public_holidays():
    # Wed 1 Apr 2026 15:00 -> 15:45 = 0h45; 2, 3, 6 Apr holidays; Tue 7 Apr 08:00-09:15 = 1h15.
    assert CAL.between(oslo(2026, 4, 1, 15), oslo(2026, 4, 7, 9, 15)) == hours(2)


def test_between_is_zero_when_end_is_not_after_start():
    assert CAL.between(oslo(2026, 1, 19, 10), oslo(2026, 1, 19, 9)) == timedelta(0)
    assert CAL.between(oslo(2026, 1, 19, 10), oslo(2026, 1, 19, 10)) == timedelta(0)


def test_between_outside_hours_is_zero():
    # Fri 16 Jan 2026 16:00 -> Mon 19 Jan 07:00: nothing open in between.
    assert CAL.between(oslo(2026, 1, 16, 16), oslo(2026, 1, 19, 7)) == timedelta(0)


@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    offset_minutes=st.integers(min_value=0, max_value=7 * 60 + 44),
    duration_minutes=st.integers(min_value=0, max_value=40 * 60),
)
def test_between_undoes_add_for_starts_inside_opening_hours(day, offset_minutes, duration_minutes):
    window = CAL.opening_window(day)
    assume(window is not None)
    start = window[0] + timedelta(minutes=offset_minutes)
    assume(start < window[1])  # summer days are only 7h long
    duration = timedelta(minutes=duration_minutes)
    assert CAL.between(start, CAL.add(start, duration)) == duration


# -- add_working_days() --------------------------------------------------------------------


def test_add_working_days_skips_weekend():
    # Thu 15 Jan 2026 + 5: Fri 16 (1), Mon 19 (2), Tue 20 (3), Wed 21 (4), Thu 22 (5).
    assert CAL.add_working_days(oslo(2026, 1, 15, 10), 5) == oslo(2026, 1, 22, 10)


def test_add_working_days_skips_easter_holidays():
    # Wed 1 Apr 2026 + 5: Thu 2, Fri 3, Sat, Sun, Mon 6 closed; Tue 7 (1), Wed 8 (2),
    # Thu 9 (3), Fri 10 (4), Mon 13 (5).
    assert CAL.add_working_days(oslo(2026, 4, 1, 10), 5) == oslo(2026, 4, 13, 10)


def test_add_working_days_keeps_local_clock_time_across_dst():
    # Thu 26 Mar 2026 10:00 CET + 2: Fri 27 (1), Mon 30 (2) -> 10:00 CEST (08:00Z).
    result = CAL.add_working_days(oslo(2026, 3, 26, 10), 2)
    assert result == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert result.utcoffset() == hours(2)


def test_add_working_days_from_a_weekend_counts_monday_as_first():
    # Sat 17 Jan 2026 + 1: Sun closed, Mon 19 (1).
    assert CAL.add_working_days(oslo(2026, 1, 17, 12), 1) == oslo(2026, 1, 19, 12)


def test_add_working_days_backwards():
    # Tue 7 Apr 2026 - 1: Mon 6 (Easter Monday), Sun, Sat, Fri 3, Thu 2 closed; Wed 1 (1).
    assert CAL.add_working_days(oslo(2026, 4, 7, 10), -1) == oslo(2026, 4, 1, 10)
