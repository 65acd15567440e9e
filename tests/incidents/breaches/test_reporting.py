"""C.2 reporting: bad input is refused on its field with nothing saved; Lånekassen and Bits
told at once; receipt reminders every 30 minutes, once per slot; phases as versions."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from casework.errors import DomainError
from casework.models import AuditEvent
from incidents.breaches import reminders, selectors, services
from incidents.breaches.models import Breach, BreachReport
from tests.incidents.breaches.conftest import FINAL_FACTS, facts, report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("overrides", "field"), [
    ({"aware_at": timezone.now() + timedelta(days=1)}, "aware_at"),
    ({"occurred_to": timezone.now() - timedelta(days=5)}, "occurred_to"),
    ({"persons_approx": -1}, "persons_approx"),
    ({"records_approx": -5}, "records_approx"),
    ({"nature": []}, "nature"),
    ({"main_cause": "other", "cause_other": ""}, "cause_other"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(security_contact, overrides,
                                                               field):
    with pytest.raises(DomainError) as exc:
        report(security_contact, **overrides)
    assert exc.value.field == field
    assert not Breach.objects.exists()


def test_unknown_period_is_accepted(security_contact):
    breach = report(security_contact, occurred_unknown=True, occurred_from=None)
    assert breach.occurred_from is None and breach.occurred_unknown


def test_ordinary_member_cannot_report(bank_member):
    with pytest.raises(DomainError):
        report(bank_member)


def test_report_gets_sb_reference_and_tells_lanekassen_and_bits_at_once(
        security_contact, bank_member, bits_user, lk_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        breach = report(security_contact)
    assert breach.reference.startswith(f"SB-{timezone.localtime().year}-")
    assert sorted(to for m in mail.outbox for to in m.to) == sorted([bits_user.email,
                                                                     lk_user.email])
    assert BreachReport.objects.get(breach=breach).phase == "initial"


def test_receipt_reminder_every_30_minutes_once_per_slot(security_contact, lk_user):
    breach = report(security_contact)
    start = breach.created_at
    assert reminders.breach_receipt_reminders_due(now=start + timedelta(minutes=20)) == 0
    assert reminders.breach_receipt_reminders_due(now=start + timedelta(minutes=31)) == 1
    assert reminders.breach_receipt_reminders_due(now=start + timedelta(minutes=45)) == 0
    assert reminders.breach_receipt_reminders_due(now=start + timedelta(minutes=61)) == 1
    events = AuditEvent.objects.filter(verb="receipt_reminded", object_id=breach.pk)
    assert [e.data["slot"] for e in events] == [1, 2]
    assert all(e.actor is None for e in events)
    services.breach_confirm_receipt(breach=breach, by=lk_user)
    assert reminders.breach_receipt_reminders_due(now=start + timedelta(minutes=200)) == 0


def test_reminder_interval_follows_the_setting(settings, security_contact):
    settings.BREACH_RECEIPT_REMINDER_MINUTES = 10
    breach = report(security_contact)
    assert reminders.breach_receipt_reminders_due(
        now=breach.created_at + timedelta(minutes=11)) == 1


def test_phase_versions_are_kept_with_what_changed(security_contact, lk_user):
    base = facts()
    breach = services.breach_report(by=security_contact, facts=base)
    services.breach_report_intermediate(breach=breach, by=security_contact,
                                        facts={**base, "persons_approx": 55})
    services.breach_report_final(breach=breach, by=security_contact,
                                 facts={**base, "persons_approx": 55, **FINAL_FACTS})
    versions = selectors.breach_versions(breach=breach)
    assert [v.phase for v in versions] == ["initial", "intermediate", "final"]
    assert versions[1].changed == {"persons_approx"}
    assert {"consequences", "measures_taken"} <= versions[2].changed
    assert versions[0].facts["persons_approx"] == 40


def test_final_report_requires_consequences_and_measures(security_contact):
    breach = report(security_contact)
    with pytest.raises(DomainError) as exc:
        services.breach_report_final(breach=breach, by=security_contact, facts=facts())
    assert exc.value.field == "consequences"
    breach.refresh_from_db()
    assert breach.status == "reported"


def test_close_requires_the_notice_to_datatilsynet(security_contact, lk_user):
    breach = report(security_contact)
    services.breach_report_final(breach=breach, by=security_contact,
                                 facts=facts(**FINAL_FACTS))
    with pytest.raises(DomainError):
        services.breach_close(breach=breach, by=lk_user)
    services.breach_authority_record(breach=breach, by=lk_user, notified=False,
                                     reason="Lav risiko: nøkkelen ble aldri brukt.")
    services.breach_close(breach=breach, by=lk_user)
    breach.refresh_from_db()
    assert breach.status == "closed"
