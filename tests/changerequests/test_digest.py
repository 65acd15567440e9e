"""Notifications without noise: every bank user gets one weekly digest of the requests opened
to all banks and the decisions recorded that week — once per week, whatever the beat does."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from changerequests import services, tasks
from changerequests.services.digest import digest_week
from notifications.models import OutboxMessage
from tests.changerequests import builders as b

pytestmark = pytest.mark.django_db


def _next_monday_morning():
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, datetime.min.time(), tzinfo=timezone.get_current_timezone()
                            ).replace(hour=7)


def _digests():
    return OutboxMessage.objects.filter(key__startswith="changerequests:digest:")


def test_digest_week_is_the_previous_iso_week():
    label, start, end = digest_week(datetime(2026, 2, 2, 7, tzinfo=timezone.get_current_timezone()))
    assert label == "2026-W05"
    assert (start.date().isoformat(), end.date().isoformat()) == ("2026-01-26", "2026-02-02")


def test_every_bank_user_gets_one_digest_a_week_with_new_requests_and_decisions(p):
    opened = b.opened(p, title="Åpnet denne uken")
    decided = b.recommended(p)
    b.submitted(p, title="Ikke åpnet ennå")
    monday = _next_monday_morning()

    assert services.digest_send_weekly(now=monday) == 3  # bank member, bank admin, other bank
    assert services.digest_send_weekly(now=monday + timedelta(hours=5)) == 0  # same week: once
    digests = _digests()
    assert sorted(digests.values_list("to", flat=True)) == sorted(
        [p["bank_member"].email, p["bank_admin"].email, p["other_bank"].email])
    body = digests.get(to=p["other_bank"].email).body
    assert opened.reference in body and "Åpnet denne uken" in body
    assert f"{decided.reference}: Fagutvalget – Anbefalt" in body
    assert "Ikke åpnet ennå" not in body


def test_a_quiet_week_sends_nothing(p):
    b.submitted(p)
    assert services.digest_send_weekly(now=_next_monday_morning()) == 0
    assert services.digest_send_weekly(now=_next_monday_morning() + timedelta(days=7)) == 0
    assert not _digests().exists()


def test_the_beat_task_sends_the_digest(p):
    b.opened(p)
    assert tasks.weekly_digest.apply().get() == 0  # this week's requests wait for Monday


def test_each_bank_user_reads_the_digest_in_their_own_language(p):
    b.opened(p, title="Åpnet denne uken")
    english, norwegian = p["bank_admin"], p["bank_member"]
    english.language = "en"
    english.save(update_fields=["language"])
    label, _start, _end = digest_week(_next_monday_morning())

    services.digest_send_weekly(now=_next_monday_morning())

    to_english = _digests().get(to=english.email)
    assert to_english.subject == f"Change requests: weekly digest {label}"
    assert f"This is what happened to the change requests in week {label}." in to_english.body
    assert "Dette skjedde" not in to_english.body and "Hilsen" not in to_english.body
    to_norwegian = _digests().get(to=norwegian.email)
    assert to_norwegian.subject == f"Endringsønsker: ukeoversikt {label}"
    assert f"Dette skjedde med endringsønskene i uke {label}." in to_norwegian.body
    assert "This is what happened" not in to_norwegian.body
