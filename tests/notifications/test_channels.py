"""The channels are generic over what is announced: any model can be the subject of a fan-out
to organisations (e-mail to contact points, in the portal, webhooks) and of acknowledgements
with reminders — as a breach at Lånekassen (C.3) will be. Here the subject is an arbitrary row
(an organisation), so nothing of notices is involved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ContactPoint
from notifications import registry, services
from notifications.models import Acknowledgement, Delivery, FanoutJob, Notification, OutboxMessage
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def banks(db):
    banks = [OrganisationFactory(name=f"Bank {i}", orgnr=f"98000000{i}") for i in range(3)]
    for org in banks:
        ContactPoint.objects.create(organisation=org, kind=ContactPoint.Kind.SECURITY,
                                    name="Sikkerhet", email=f"sikkerhet@{org.orgnr}.example.com")
        member_of(org, email=f"leder@{org.orgnr}.example.com")
    return banks


@pytest.fixture
def subject(db):
    return OrganisationFactory(name="Lånekassen", orgnr="960885406", kind="lanekassen")


def announce(subject, banks, key="breach:1"):
    return services.fanout_start(
        subject=subject, event="breach.reported", key=key,
        organisation_ids=[b.pk for b in banks], title="SB-2026-0001: Sikkerhetsbrudd",
        url="/sikkerhetsbrudd/SB-2026-0001/", email_subject="Sikkerhetsbrudd hos Lånekassen",
        email_body="Lånekassen har oppdaget et sikkerhetsbrudd.",
        webhook_payload='{"event":"breach.reported"}')


def test_any_subject_fans_out_to_each_organisations_contact_points_and_users_once(
        subject, banks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = announce(subject, banks)
        assert announce(subject, banks) == job  # the same key: the same announcement

    job.refresh_from_db()
    assert job.subject == subject and job.finished_at is not None
    assert sorted(OutboxMessage.objects.values_list("to", flat=True)) == sorted(
        f"sikkerhet@{b.orgnr}.example.com" for b in banks)
    assert all(m.body.startswith("Til Bank ") and "sikkerhetsbrudd" in m.body
               for m in OutboxMessage.objects.all())
    assert Notification.objects.filter(title="SB-2026-0001: Sikkerhetsbrudd").count() == 3
    assert Delivery.objects.filter(job=job).count() == 6
    assert FanoutJob.objects.count() == 1


def test_acknowledgements_for_any_subject_are_recorded_once_and_unanswered_are_reminded(
        subject, banks, settings):
    settings.NOTIFICATIONS_ACK_REMINDER_WORKING_HOURS = 1
    reminded = []
    registry.reminder_register(registry.AcknowledgementReminder(
        model=type(subject), working_hours=2,
        remind=lambda *, subject_id, organisation_ids, now: reminded.append(
            (subject_id, sorted(organisation_ids))) or len(organisation_ids)))
    monday = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))
    try:
        assert services.acknowledgements_request(
            subject=subject, organisation_ids=[b.pk for b in banks], at=monday) == 3
        assert services.acknowledgements_request(
            subject=subject, organisation_ids=[banks[0].pk], at=monday) == 0
        user = banks[0].memberships.get().user
        row, recorded = services.acknowledgement_record(subject=subject, organisation=banks[0],
                                                        by=user)
        assert recorded and row.acknowledged_at is not None
        assert services.acknowledgement_record(subject=subject, organisation=banks[0],
                                               by=user)[1] is False

        # This subject's reminder comes after two working hours, not the default one.
        assert services.acknowledgement_reminders_due(now=monday + timedelta(hours=1)) == 0
        assert services.acknowledgement_reminders_due(now=monday + timedelta(hours=2)) == 2
        assert reminded == [(subject.pk, sorted([banks[1].pk, banks[2].pk]))]

        services.acknowledgements_close(subject=subject)
        assert services.acknowledgement_reminders_due(now=monday + timedelta(days=7)) == 0
        assert Acknowledgement.objects.filter(closed_at__isnull=True).count() == 0
    finally:
        registry._reminders.pop(type(subject)._meta.label_lower, None)
