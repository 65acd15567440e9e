"""The breach clocks, worked by hand: 72 elapsed hours across both DST changes in
Europe/Oslo and over a weekend, a late notice needs a reason, DORA's deadlines."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from casework.errors import DomainError
from incidents.breaches import clocks, services
from tests.incidents.breaches.conftest import report

OSLO = ZoneInfo("Europe/Oslo")
pytestmark = pytest.mark.django_db


def _breach(aware_at, **extra):
    fields = {"aware_at": aware_at, "authority_notified_at": None,
              "authority_decided_at": None, "dora_major": False, "dora_classified_at": None}
    return SimpleNamespace(**{**fields, **extra})


def _report(phase, at):
    return SimpleNamespace(phase=phase, submitted_at=at)


def test_72_hours_across_spring_forward_end_an_hour_later_on_the_wall_clock():
    # 28 March 2026 12:00 CET (UTC+1) = 11:00Z; +72 h = 31 March 11:00Z = 13:00 CEST.
    due = clocks.gdpr_due(_breach(datetime(2026, 3, 28, 12, 0, tzinfo=OSLO)))
    assert due == datetime(2026, 3, 31, 11, 0, tzinfo=UTC)
    assert due.astimezone(OSLO).hour == 13


def test_72_hours_across_fall_back_end_an_hour_earlier_on_the_wall_clock():
    # 24 October 2026 12:00 CEST (UTC+2) = 10:00Z; +72 h = 27 October 10:00Z = 11:00 CET.
    due = clocks.gdpr_due(_breach(datetime(2026, 10, 24, 12, 0, tzinfo=OSLO)))
    assert due == datetime(2026, 10, 27, 10, 0, tzinfo=UTC)
    assert due.astimezone(OSLO).hour == 11


def test_72_hours_run_through_the_weekend():
    # Friday 8 May 2026 16:00 → Monday 11 May 16:00: calendar hours, not business hours.
    due = clocks.gdpr_due(_breach(datetime(2026, 5, 8, 16, 0, tzinfo=OSLO)))
    assert due.astimezone(OSLO) == datetime(2026, 5, 11, 16, 0, tzinfo=OSLO)


def test_gdpr_states_on_track_due_soon_overdue_met_late():
    aware = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    state = lambda b, now: clocks.breach_clocks(b, [], now=now)[0]["state"]  # noqa: E731
    assert state(_breach(aware), aware + timedelta(hours=10)) == clocks.ON_TRACK
    assert state(_breach(aware), aware + timedelta(hours=60)) == clocks.DUE_SOON
    assert state(_breach(aware), aware + timedelta(hours=73)) == clocks.OVERDUE
    late = _breach(aware, authority_notified_at=aware + timedelta(hours=80))
    assert state(late, aware + timedelta(hours=90)) == clocks.MET_LATE
    on_time = _breach(aware, authority_notified_at=aware + timedelta(hours=70))
    assert state(on_time, aware + timedelta(hours=90)) == clocks.MET


def test_dora_initial_is_four_hours_from_classification_but_never_past_24_hours():
    aware = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    soon = _breach(aware, dora_major=True, dora_classified_at=aware + timedelta(hours=2))
    rows = {r["key"]: r for r in clocks.breach_clocks(soon, [], now=aware)}
    assert rows["dora_initial"]["due"] == aware + timedelta(hours=6)
    late = _breach(aware, dora_major=True, dora_classified_at=aware + timedelta(hours=22))
    rows = {r["key"]: r for r in clocks.breach_clocks(late, [], now=aware)}
    assert rows["dora_initial"]["due"] == aware + timedelta(hours=24)


def test_dora_intermediate_72_hours_after_initial_and_final_a_month_after_last_intermediate():
    aware = datetime(2026, 1, 29, 8, 0, tzinfo=UTC)
    breach = _breach(aware, dora_major=True, dora_classified_at=aware)
    initial = aware + timedelta(hours=3)
    reports = [_report("initial", initial), _report("intermediate", aware + timedelta(days=1)),
               _report("intermediate", datetime(2026, 1, 31, 9, 0, tzinfo=UTC))]
    rows = {r["key"]: r for r in clocks.breach_clocks(breach, reports, now=aware)}
    assert rows["dora_initial"]["state"] == clocks.MET
    assert rows["dora_intermediate"]["due"] == initial + timedelta(hours=72)
    assert rows["dora_intermediate"]["state"] == clocks.MET
    # One month after 31 January is the last day of February.
    assert rows["dora_final"]["due"] == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)


def test_dora_clocks_do_not_run_until_the_bank_classifies():
    keys = [r["key"] for r in clocks.breach_clocks(_breach(timezone.now()), [])]
    assert keys == ["gdpr_33"]


def test_every_clock_names_its_legal_source():
    assert all(c.source and c.relative_to for c in clocks.CLOCKS)


def test_notice_after_72_hours_requires_a_reason_for_the_delay(security_contact, lk_user):
    breach = report(security_contact, aware_at=timezone.now() - timedelta(hours=80))
    with pytest.raises(DomainError) as exc:
        services.breach_authority_record(breach=breach, by=lk_user, notified=True,
                                         at=timezone.now(), reference="DT-1")
    assert exc.value.field == "delay_reason"
    breach.refresh_from_db()
    assert breach.authority_notified_at is None
    services.breach_authority_record(breach=breach, by=lk_user, notified=True,
                                     at=timezone.now(), reference="DT-1",
                                     delay_reason="Omfanget var uklart.")
    breach.refresh_from_db()
    assert breach.authority_reference == "DT-1"
    assert breach.authority_delay_reason == "Omfanget var uklart."


def test_notice_within_72_hours_needs_no_reason(security_contact):
    breach = report(security_contact)
    services.breach_authority_record(breach=breach, by=security_contact, notified=True,
                                     at=timezone.now(), reference="DT-2")
    breach.refresh_from_db()
    assert breach.authority_recorded


def test_decision_not_to_notify_must_be_reasoned(security_contact):
    breach = report(security_contact)
    with pytest.raises(DomainError) as exc:
        services.breach_authority_record(breach=breach, by=security_contact, notified=False)
    assert exc.value.field == "reason"
