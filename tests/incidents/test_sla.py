"""SLA clocks of error reports, worked out by hand.

Targets (casework migration 0002, business minutes):
    critical 30 min / 4 h, high 2 h / 14 h, normal 4 h / 35 h, low 14 h / 70 h.
Bits' opening hours (Europe/Oslo), Mon–Fri, Norwegian public holidays closed:
    winter 15 Sep–14 May 08:00–15:45 (7 h 45 = 465 min a day),
    summer 15 May–14 Sep 08:00–15:00 (7 h = 420 min a day).

Reports are filed through the services with the clock set to a fixed moment, and the selector
is asked with an explicit `now`.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from casework.models import AuditEvent, OpeningHours, SlaTarget
from casework.sla import calendar_get, sla_clocks
from casework.slacase import sla_queue_order
from incidents import services
from incidents.models import ErrorReport

OSLO = ZoneInfo("Europe/Oslo")


def oslo(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


def minutes(n):
    return timedelta(minutes=n)


@pytest.fixture
def clock(monkeypatch):
    """Sets what `timezone.now()` answers, for the services and the models' auto_now."""

    class Clock:
        def set(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


def _report(by, severity):
    return services.incident_report(
        by=by, environment="production", severity=severity, occurred_at=timezone.now(),
        request_ids=["req-1"], summary="Saldo mangler", description="Tom saldo for kunden.")


def _sla(report, now):
    report.refresh_from_db()
    return sla_clocks(case=report, calendar=calendar_get(), now=now)


def test_the_seeded_targets_and_opening_hours_are_the_ones_worked_with_here(db):
    targets = {t.severity: (t.first_response_minutes, t.resolution_minutes)
               for t in SlaTarget.objects.filter(process="incident")}
    assert targets == {"critical": (30, 240), "high": (120, 840), "normal": (240, 2100),
                       "low": (840, 4200)}
    hours = {(o.from_month, o.from_day, o.to_month, o.to_day, o.opens.strftime("%H:%M"),
              o.closes.strftime("%H:%M")) for o in OpeningHours.objects.all()}
    assert hours == {(9, 15, 5, 14, "08:00", "15:45"), (5, 15, 9, 14, "08:00", "15:00")}


# --- due times ---------------------------------------------------------------------------

def test_normal_report_on_friday_afternoon_is_due_after_the_weekend(clock, bank_member):
    # Friday 14 Nov 2025 14:00, normal (240 / 2100 min).
    clock.set(oslo(2025, 11, 14, 14, 0))
    report = _report(bank_member, "normal")
    # First response: Fri 14:00–15:45 = 105 min; 240 − 105 = 135 min left;
    # Sat and Sun closed; Mon 17 Nov 08:00 + 2 h 15 = 10:15.
    assert report.first_response_due == oslo(2025, 11, 17, 10, 15)
    # Resolution: 2100 − 105 (Fri) = 1995; − 465 (Mon) = 1530; − 465 (Tue) = 1065;
    # − 465 (Wed) = 600; − 465 (Thu) = 135; Fri 21 Nov 08:00 + 2 h 15 = 10:15.
    assert report.resolution_due == oslo(2025, 11, 21, 10, 15)


def test_critical_report_before_labour_day_skips_the_holiday_and_the_weekend(
        clock, bank_member):
    # Thursday 30 Apr 2026 15:30, critical (30 / 240 min). Fri 1 May is a public holiday.
    clock.set(oslo(2026, 4, 30, 15, 30))
    report = _report(bank_member, "critical")
    # First response: Thu 15:30–15:45 = 15 min; 15 left; Fri (holiday), Sat, Sun closed;
    # Mon 4 May 08:00 + 15 min = 08:15.
    assert report.first_response_due == oslo(2026, 5, 4, 8, 15)
    # Resolution: 240 − 15 = 225 min = 3 h 45; Mon 4 May 08:00 + 3 h 45 = 11:45.
    assert report.resolution_due == oslo(2026, 5, 4, 11, 45)


def test_report_filed_on_the_last_winter_day_runs_on_summer_hours_from_15_may(
        clock, bank_member):
    # Wednesday 14 May 2025 14:45 (winter: closes 15:45), high (120 / 840 min).
    clock.set(oslo(2025, 5, 14, 14, 45))
    report = _report(bank_member, "high")
    # First response: Wed 14:45–15:45 = 60 min; 60 left; Thu 15 May 08:00 + 1 h = 09:00.
    assert report.first_response_due == oslo(2025, 5, 15, 9, 0)
    # Resolution: 840 − 60 = 780; Thu 15 May is summer: 08:00–15:00 = 420 → 360 left;
    # Fri 16 May 08:00 + 6 h = 14:00. (Winter hours on Thursday would give Fri 13:15.)
    assert report.resolution_due == oslo(2025, 5, 16, 14, 0)


def test_report_filed_on_the_last_summer_friday_runs_on_winter_hours_from_15_september(
        clock, bank_member):
    # Friday 12 Sep 2025 14:00 (summer: closes 15:00), high (120 / 840 min).
    clock.set(oslo(2025, 9, 12, 14, 0))
    report = _report(bank_member, "high")
    # First response: Fri 14:00–15:00 = 60 min; 60 left; Mon 15 Sep 08:00 + 1 h = 09:00.
    assert report.first_response_due == oslo(2025, 9, 15, 9, 0)
    # Resolution: 840 − 60 = 780; Mon 15 Sep is winter: 465 → 315 left;
    # Tue 16 Sep 08:00 + 5 h 15 = 13:15.
    assert report.resolution_due == oslo(2025, 9, 16, 13, 15)


def test_report_filed_at_night_starts_the_clock_at_the_next_opening(clock, bank_member):
    # Tuesday 18 Nov 2025 22:10, low (840 / 4200 min): the clock starts Wed 08:00.
    clock.set(oslo(2025, 11, 18, 22, 10))
    report = _report(bank_member, "low")
    # First response: 840 = 465 (Wed) + 375; Thu 20 Nov 08:00 + 6 h 15 = 14:15.
    assert report.first_response_due == oslo(2025, 11, 20, 14, 15)
    # Resolution: 4200 = 9 × 465 (= 4185: Wed 19 … Mon 1 Dec, nine working days) + 15;
    # Tue 2 Dec 08:00 + 15 min = 08:15.
    assert report.resolution_due == oslo(2025, 12, 2, 8, 15)


def test_reclassifying_moves_the_due_times_from_when_the_report_was_filed(
        clock, bank_member, bits_user):
    # Monday 17 Nov 2025 09:00, normal: first response due 13:00.
    clock.set(oslo(2025, 11, 17, 9, 0))
    report = _report(bank_member, "normal")
    assert report.first_response_due == oslo(2025, 11, 17, 13, 0)
    clock.set(oslo(2025, 11, 17, 9, 10))
    report = services.incident_reclassify(report=report, by=bits_user, severity="critical")
    # Critical counts from 09:00 too: 30 min → 09:30; 240 min → 13:00.
    assert report.first_response_due == oslo(2025, 11, 17, 9, 30)
    assert report.resolution_due == oslo(2025, 11, 17, 13, 0)


# --- a pause while the bank is asked ------------------------------------------------------

def test_waiting_for_the_bank_moves_the_due_times_by_exactly_the_business_time_paused(
        clock, bank_member, bits_user):
    # Monday 17 Nov 2025 09:00, normal (240 / 2100 min).
    clock.set(oslo(2025, 11, 17, 9, 0))
    report = _report(bank_member, "normal")
    # First response: 09:00 + 4 h = Mon 13:00.
    # Resolution: 2100 − 405 (Mon 09:00–15:45) = 1695; − 465 × 3 (Tue, Wed, Thu) = 300;
    # Fri 21 Nov 08:00 + 5 h = 13:00.
    assert report.first_response_due == oslo(2025, 11, 17, 13, 0)
    assert report.resolution_due == oslo(2025, 11, 21, 13, 0)
    original_resolution_due = report.resolution_due

    # Bits asks the bank at Mon 10:00: the clock has run 60 min and now stands still.
    clock.set(oslo(2025, 11, 17, 10, 0))
    report = services.incident_request_info(report=report, by=bits_user, message="Logg?")
    assert report.first_response_at == oslo(2025, 11, 17, 10, 0)

    # Tuesday 11:00, still waiting. Paused so far: Mon 10:00–15:45 = 345 min + Tue
    # 08:00–11:00 = 180 min = 525 min (the night does not count).
    # Resolution due: Fri 21 Nov 13:00 + 525 min = 165 (Fri 13:00–15:45) + 360 →
    # Mon 24 Nov 08:00 + 6 h = 14:00.
    tuesday = oslo(2025, 11, 18, 11, 0)
    sla = _sla(report, tuesday)
    assert sla["resolution"].state == "paused"
    assert sla["resolution"].due == oslo(2025, 11, 24, 14, 0)
    assert sla["first_response"].state == "met"

    # The bank answers at that moment: the 525 paused minutes are added for good.
    clock.set(tuesday)
    report = services.incident_bank_reply(report=report, by=bank_member, message="Her.")
    report.refresh_from_db()
    assert report.paused_seconds == 525 * 60
    assert AuditEvent.objects.filter(verb="bank_replied").get().data == {
        "paused_seconds": 525 * 60}
    assert report.resolution_due == oslo(2025, 11, 24, 14, 0)
    # First response due: Mon 13:00 + 525 = 165 (Mon 13:00–15:45) + 360 → Tue 08:00 + 6 h.
    assert report.first_response_due == oslo(2025, 11, 18, 14, 0)
    calendar = calendar_get()
    assert calendar.between(original_resolution_due, report.resolution_due) == minutes(525)

    # Running again: 2100 − 60 (Mon 09:00–10:00 before the pause) = 2040 min left.
    sla = _sla(report, tuesday)
    assert sla["resolution"].state == "on_track"
    assert sla["resolution"].remaining == minutes(2040)


def test_a_second_pause_adds_to_the_first(clock, bank_member, bits_user):
    clock.set(oslo(2025, 11, 17, 9, 0))
    report = _report(bank_member, "normal")
    clock.set(oslo(2025, 11, 17, 10, 0))
    services.incident_request_info(report=report, by=bits_user, message="Logg?")
    clock.set(oslo(2025, 11, 18, 11, 0))
    services.incident_bank_reply(report=report, by=bank_member, message="Her.")  # 525 min
    # Second pause: Wed 19 Nov 09:00–12:00 = 180 min; 525 + 180 = 705 min in all.
    clock.set(oslo(2025, 11, 19, 9, 0))
    services.incident_request_info(report=report, by=bits_user, message="Mer logg?")
    clock.set(oslo(2025, 11, 19, 12, 0))
    services.incident_bank_reply(report=report, by=bank_member, message="Her igjen.")
    report.refresh_from_db()
    assert report.paused_seconds == 705 * 60
    # Resolution: Mon 24 Nov 14:00 (after the first pause) + 180 min = 105 (14:00–15:45)
    # + 75 → Tue 25 Nov 08:00 + 1 h 15 = 09:15.
    assert report.resolution_due == oslo(2025, 11, 25, 9, 15)


def test_a_pause_over_a_weekend_counts_only_the_opening_hours(clock, bank_member, bits_user):
    # Friday 14 Nov 2025 09:00, high (120 / 840 min): resolution due 840 = 405 (Fri
    # 09:00–15:45) + 435 → Mon 17 Nov 08:00 + 7 h 15 = 15:15.
    clock.set(oslo(2025, 11, 14, 9, 0))
    report = _report(bank_member, "high")
    assert report.resolution_due == oslo(2025, 11, 17, 15, 15)
    # Asked Fri 15:00, answered Mon 09:00: 45 (Fri) + 60 (Mon) = 105 min paused.
    clock.set(oslo(2025, 11, 14, 15, 0))
    services.incident_request_info(report=report, by=bits_user, message="Logg?")
    clock.set(oslo(2025, 11, 17, 9, 0))
    services.incident_bank_reply(report=report, by=bank_member, message="Her.")
    report.refresh_from_db()
    assert report.paused_seconds == 105 * 60
    # Mon 15:15 + 105 min = 30 (15:15–15:45) + 75 → Tue 18 Nov 08:00 + 1 h 15 = 09:15.
    assert report.resolution_due == oslo(2025, 11, 18, 9, 15)


# --- states ------------------------------------------------------------------------------

@pytest.fixture
def critical_report(clock, bank_member):
    # Monday 17 Nov 2025 09:00, critical: first response due 09:30, resolution due 13:00.
    clock.set(oslo(2025, 11, 17, 9, 0))
    return _report(bank_member, "critical")


@pytest.mark.parametrize(("at", "first", "resolution"), [
    # 09:10: 20 of 30 min left (at risk below 7.5); 230 of 240 left (at risk below 60).
    ((9, 10), "on_track", "on_track"),
    # 09:25: 5 min left < 7.5.
    ((9, 25), "at_risk", "on_track"),
    # 09:31: first response overdue; 209 min left to resolve.
    ((9, 31), "breached", "on_track"),
    # 12:30: 30 min left < 60.
    ((12, 30), "breached", "at_risk"),
    # 13:01: both overdue.
    ((13, 1), "breached", "breached"),
], ids=["0910", "0925", "0931", "1230", "1301"])
def test_clock_states_with_no_answer_yet(critical_report, at, first, resolution):
    sla = _sla(critical_report, oslo(2025, 11, 17, *at))
    assert (sla["first_response"].state, sla["resolution"].state) == (first, resolution)


def test_remaining_time_is_business_time(critical_report):
    # Asked at Mon 09:10: 20 min to the first answer, 230 min to resolution.
    sla = _sla(critical_report, oslo(2025, 11, 17, 9, 10))
    assert sla["first_response"].remaining == minutes(20)
    assert sla["resolution"].remaining == minutes(230)
    assert str(sla["first_response"].label) == "I rute"


def test_answer_in_time_is_met_and_stays_met(clock, critical_report, bits_user):
    clock.set(oslo(2025, 11, 17, 9, 20))
    services.incident_take(report=critical_report, by=bits_user)
    services.incident_comment(report=critical_report, by=bits_user, body="Vi ser på det.")
    clock.set(oslo(2025, 11, 17, 11, 0))
    services.incident_resolve(report=critical_report, by=bits_user, guidance="Rettet.")
    sla = _sla(critical_report, oslo(2025, 11, 20, 9, 0))  # days later
    assert (sla["first_response"].state, sla["resolution"].state) == ("met", "met")
    assert sla["first_response"].remaining is None


def test_late_answer_stays_breached(clock, critical_report, bits_user):
    clock.set(oslo(2025, 11, 17, 9, 40))  # ten minutes after 09:30
    services.incident_comment(report=critical_report, by=bits_user, body="Vi ser på det.")
    sla = _sla(critical_report, oslo(2025, 11, 17, 9, 45))
    assert sla["first_response"].state == "breached"
    assert sla["resolution"].state == "on_track"


def test_taking_the_report_is_the_first_response(clock, critical_report, bits_user):
    # The bank is told "Bits behandler feilmeldingen" when Bits takes it: the clock stops.
    clock.set(oslo(2025, 11, 17, 9, 5))
    services.incident_take(report=critical_report, by=bits_user)
    sla = _sla(critical_report, oslo(2025, 11, 17, 9, 31))
    assert sla["first_response"].state == "met"


def test_waiting_for_the_bank_shows_paused_even_near_the_due_time(
        clock, critical_report, bits_user):
    # Asked at 12:50, ten minutes before resolution is due at 13:00.
    clock.set(oslo(2025, 11, 17, 12, 50))
    services.incident_request_info(report=critical_report, by=bits_user, message="Logg?")
    # At 15:00 the due time has moved by the 130 paused minutes (12:50–15:00): still 10 left.
    sla = _sla(critical_report, oslo(2025, 11, 17, 15, 0))
    assert sla["resolution"].state == "paused"
    assert sla["resolution"].remaining == minutes(10)
    assert sla["resolution"].due == oslo(2025, 11, 17, 15, 10)


def test_resolution_after_a_reopen_is_measured_again(clock, critical_report, bits_user,
                                                     bank_member):
    clock.set(oslo(2025, 11, 17, 9, 10))
    services.incident_resolve(report=critical_report, by=bits_user, guidance="Prøv igjen.")
    assert _sla(critical_report, oslo(2025, 11, 17, 9, 15))["resolution"].state == "met"
    clock.set(oslo(2025, 11, 17, 12, 45))
    services.incident_reopen(report=critical_report, by=bank_member, reason="Feiler fortsatt.")
    # Resolution was due at 13:00: 15 min left of 240 is at risk.
    assert _sla(critical_report, oslo(2025, 11, 17, 12, 45))["resolution"].state == "at_risk"


def test_no_clock_for_a_severity_without_targets(clock, critical_report):
    SlaTarget.objects.filter(severity="critical").delete()
    report = ErrorReport.objects.get(pk=critical_report.pk)
    assert sla_clocks(case=report, calendar=calendar_get(),
                      now=oslo(2025, 11, 17, 9, 10)) is None


def test_a_report_waiting_for_the_bank_does_not_jump_the_queue_as_at_risk(
        clock, bank_member, bits_user):
    # Both filed Monday 17 Nov 2025 09:00 and answered at 09:05.
    clock.set(oslo(2025, 11, 17, 9, 0))
    waiting = _report(bank_member, "critical")  # resolution due Mon 13:00
    running = _report(bank_member, "high")  # 840 = 405 (Mon) + 435 → due Tue 15:15
    clock.set(oslo(2025, 11, 17, 9, 5))
    for report in (waiting, running):
        services.incident_take(report=report, by=bits_user)
        services.incident_comment(report=report, by=bits_user, body="Vi ser på det.")
    # The bank is asked at 12:00, an hour before the critical one was due: its clock stops.
    clock.set(oslo(2025, 11, 17, 12, 0))
    services.incident_request_info(report=waiting, by=bits_user, message="Logg?")

    # Tuesday 12:00: the running report is due at 15:15, 195 min away, under a quarter of
    # 840 (210): at risk. The waiting one is paused with 60 min left, although its stored
    # due time (Mon 13:00) has passed.
    now = oslo(2025, 11, 18, 12, 0)
    queue = list(sla_queue_order(ErrorReport.objects.all(), now=now))
    assert queue == [running, waiting]
    assert _sla(waiting, now)["resolution"].state == "paused"
    assert _sla(running, now)["resolution"].state == "at_risk"
