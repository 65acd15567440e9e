"""Notices (B.1): writing, publishing, fan-out, the lifecycle, acknowledgements and reminders.

Who may run each transition, its audit event and that a rollback sends nothing are in
test_transitions.py (the shared matrix); these are what notices adds: the recipients, the
announcement's fan-out job and what it delivers."""

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from casework.errors import DomainError
from casework.models import AuditEvent
from notices import services
from notices.models import Notice, NoticeEvent, NoticeRecipient, Status
from notifications import services as channels
from notifications.models import Acknowledgement, Delivery, FanoutJob, Notification, OutboxMessage
from tests.factories import OrganisationFactory
from tests.support.fanout import fanout_finish

from .conftest import add_contact_points, deliveries_of, grant, jobs_of

pytestmark = pytest.mark.django_db


def audit_verbs(notice):
    return list(AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Notice), object_id=notice.pk)
        .values_list("verb", flat=True))


run_fanout = fanout_finish  # a job to the end, the way the worker runs it


# --- validation: clear messages, nothing saved or published -----------------------------------

@pytest.mark.parametrize("overrides, message", [
    ({"environments": []}, "Velg minst ett miljø."),
    ({"components": []}, "Velg minst én berørt komponent."),
    ({"kind": "maintenance", "window_start": timezone.now() + timedelta(hours=3),
      "window_end": timezone.now() + timedelta(hours=1)},
     "Vedlikeholdet må slutte etter at det starter."),
    ({"kind": "maintenance", "window_start": None}, "Oppgi når vedlikeholdet starter."),
    ({"kind": "change", "effective_production": None},
     "Oppgi datoen endringen gjelder fra i produksjon."),
])
def test_invalid_notice_is_refused_with_a_clear_message_and_nothing_saved(
        make_notice, overrides, message):
    with pytest.raises(DomainError) as exc:
        make_notice(**overrides)
    assert exc.value.message == message
    assert not Notice.objects.exists()


def test_schedule_in_the_past_is_refused_and_nothing_is_published(
        make_notice, lk_user, receiving_banks):
    notice = make_notice()
    with pytest.raises(DomainError, match="allerede vært"):
        services.notice_schedule(notice=notice, by=lk_user,
                                 publish_at=timezone.now() - timedelta(minutes=1))
    notice.refresh_from_db()
    assert notice.status == Status.DRAFT
    assert not NoticeEvent.objects.exists()
    assert not NoticeRecipient.objects.exists()


def test_maintenance_whose_window_is_over_cannot_be_published(make_notice, lk_user,
                                                              receiving_banks):
    start = timezone.now() - timedelta(hours=3)
    notice = make_notice(kind="maintenance", window_start=start,
                         window_end=start + timedelta(hours=1))
    with pytest.raises(DomainError, match="allerede over"):
        services.notice_publish(notice=notice, by=lk_user)
    notice.refresh_from_db()
    assert notice.status == Status.DRAFT
    assert not FanoutJob.objects.exists()


def test_only_lanekassen_writes_notices(make_notice, bits_user, bank_admin):
    for user in (bits_user, bank_admin):
        with pytest.raises(DomainError, match="Bare Lånekassen"):
            make_notice(by=user)


# --- publishing ---------------------------------------------------------------------------------

def test_publishing_fixes_recipients_as_bits_and_banks_with_access_to_an_affected_environment(
        make_notice, lk_user, receiving_banks, bits_org, other_bank):
    grant(other_bank, "test")  # test only: not affected by a production notice
    offboarded = OrganisationFactory(name="Gammelbank", orgnr="950000005")
    grant(offboarded, "production")
    offboarded.api_access.update(offboarded_at=timezone.now())
    notice = make_notice()

    services.notice_publish(notice=notice, by=lk_user)

    notice.refresh_from_db()
    assert notice.status == Status.PUBLISHED
    assert notice.requires_ack  # critical
    assert audit_verbs(notice) == ["created", "published"]
    event = notice.events.get()
    assert event.kind == NoticeEvent.Kind.PUBLISHED
    job = event.fanout
    assert job.finished_at is None
    assert (job.key, job.event, job.subject) == (f"notice:{event.pk}", "notice.published", notice)
    assert job.batch_hooks == [services.RECIPIENTS_HOOK]
    names = dict(Organisation.objects.values_list("pk", "name"))
    assert {names[pk] for pk in job.organisation_ids} == {
        "Testbank A", "Nordbank", "Sørbank", "Bits AS"}

    # The worker records them as recipients, batch by batch, and asks the banks (not Bits) to
    # acknowledge as of the time the notice was published.
    run_fanout(job.pk)
    recipients = set(notice.recipients.values_list("organisation__name", flat=True))
    assert recipients == {"Testbank A", "Nordbank", "Sørbank", "Bits AS"}
    assert job.organisation_ids == sorted(notice.recipients.values_list("organisation_id",
                                                                         flat=True))
    asked = Acknowledgement.objects.filter(notice=notice)
    assert set(asked.values_list("organisation__name", flat=True)) == {
        "Testbank A", "Nordbank", "Sørbank"}
    assert set(asked.values_list("requested_at", flat=True)) == {notice.published_at}


def test_the_request_records_no_recipient_and_a_bank_sees_the_notice_when_its_batch_is_sent(
        published_unsent, bank_member, settings, django_capture_on_commit_callbacks):
    from notices.selectors import notice_list_for_user

    settings.NOTIFICATIONS_FANOUT_BATCH_SIZE = 1
    notice, job = published_unsent()
    assert not notice.recipients.exists()
    assert not Acknowledgement.objects.filter(notice=notice).exists()
    # Not yet told, and not yet shown: the two happen in the same batch.
    assert notice not in notice_list_for_user(user=bank_member)
    bank = bank_member.membership.organisation
    while bank.pk not in notice.recipients.values_list("organisation_id", flat=True):
        with django_capture_on_commit_callbacks(execute=False):
            channels.fanout_step(job_id=job.pk)
    assert notice in notice_list_for_user(user=bank_member)
    assert Notification.objects.filter(recipient=bank_member, url=notice.get_absolute_url()
                                       ).exists()


def test_lanekassen_sees_how_far_the_sending_has_come_until_it_is_done(
        published_unsent, lk_user, client_for, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_FANOUT_BATCH_SIZE = 2
    notice, job = published_unsent()
    client = client_for(lk_user)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "Sendes ut nå: 0 av 3 mottakere er varslet." in page
    with django_capture_on_commit_callbacks(execute=False):
        channels.fanout_step(job_id=job.pk)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "Sendes ut nå: 2 av 3 mottakere er varslet." in page
    run_fanout(job.pk)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "Sendes ut nå" not in page
    assert "0 har bekreftet, 3 mangler." in page


def test_an_update_written_before_the_worker_recorded_the_recipients_reaches_them_all(
        published_unsent, lk_user, django_capture_on_commit_callbacks):
    notice, publishing = published_unsent()
    with django_capture_on_commit_callbacks(execute=False):
        event = services.notice_update_add(notice=notice, by=lk_user, body="Fortsatt nede.")
    assert event.fanout.organisation_ids == publishing.organisation_ids
    assert event.fanout.batch_hooks == []


def test_a_publishing_batch_run_twice_records_each_recipient_once_and_a_linked_bank_becomes_one(
        published_unsent, receiving_banks, bits_user):
    notice, job = published_unsent()
    linked = receiving_banks[1]
    services.notice_link_add(notice=notice, obj=linked, by=bits_user, organisation=linked)
    assert notice.recipients.get(organisation=linked).reason == NoticeRecipient.Reason.LINKED
    organisations = list(Organisation.objects.filter(pk__in=job.organisation_ids))
    for _ in range(2):
        services.recipients_record(job=job, organisations=organisations, now=timezone.now())
    assert notice.recipients.count() == len(job.organisation_ids)
    assert notice.recipients.get(organisation=linked).reason == NoticeRecipient.Reason.PUBLISHED
    assert Acknowledgement.objects.filter(notice=notice).count() == 3


def test_publishing_writes_the_fanout_job_but_sends_nothing_in_the_request(
        make_notice, lk_user, receiving_banks, django_capture_on_commit_callbacks):
    notice = make_notice()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notice_publish(notice=notice, by=lk_user)
    assert len(callbacks) == 1  # queue the fan-out job; nothing else
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_nothing_is_published_or_queued_when_the_transaction_rolls_back(
        make_notice, lk_user, receiving_banks, django_capture_on_commit_callbacks):
    notice = make_notice()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notice_publish(notice=notice, by=lk_user)
            raise RuntimeError("boom")
    assert callbacks == []
    notice.refresh_from_db()
    assert notice.status == Status.DRAFT
    assert not FanoutJob.objects.exists()


def test_fanout_sends_email_to_contact_points_and_portal_notifications_to_users_once(
        published, receiving_banks, bank_member, bank_admin, bits_user):
    notice = published()

    deliveries = deliveries_of(notice)
    emails = Counter(deliveries.filter(channel="email").values_list("address", flat=True))
    expected_mail = {cp.email for org in receiving_banks for cp in org.contact_points.all()}
    assert set(emails) == expected_mail | {bits_user.email}  # Bits: no contact points
    assert set(emails.values()) == {1}
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == set(emails)
    assert OutboxMessage.objects.count() == len(emails)
    portal = Counter(Notification.objects.values_list("recipient__email", flat=True))
    assert portal == Counter({bank_member.email: 1, bank_admin.email: 1, bits_user.email: 1,
                              "drift@nordbank.example.com": 1, "admin@sorbank.example.com": 1})
    assert all(n.url == notice.get_absolute_url() for n in Notification.objects.all())
    assert jobs_of(notice).get().finished_at is not None
    assert OutboxMessage.objects.first().body.startswith("Til ")  # the organisation's name


def test_a_fanout_batch_run_again_writes_nothing_twice(published, settings):
    notice = published()
    job = jobs_of(notice).get()
    counts = (Delivery.objects.count(), OutboxMessage.objects.count(),
              Notification.objects.count())

    # As if the worker died after committing but before the cursor was seen: start over.
    FanoutJob.objects.filter(pk=job.pk).update(cursor=0, finished_at=None)
    run_fanout(job.pk)

    assert (Delivery.objects.count(), OutboxMessage.objects.count(),
            Notification.objects.count()) == counts


def test_fanout_runs_in_batches_and_a_lost_job_is_restarted_by_the_sweep(
        published_unsent, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_FANOUT_BATCH_SIZE = 1
    notice, job = published_unsent()  # the queued task is "lost"
    assert FanoutJob.objects.get() == job
    with django_capture_on_commit_callbacks(execute=False):
        assert channels.fanout_step(job_id=job.pk) == 1
    job.refresh_from_db()
    assert job.batches == 1 and job.finished_at is None

    later = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_FANOUT_STALE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert channels.fanout_sweep(now=later) == [job.pk]
    job.refresh_from_db()
    assert job.finished_at is not None
    assert job.batches == 3  # three banks, one per batch
    assert deliveries_of(notice).filter(channel="email").count() == 6


def test_a_finished_job_does_nothing_when_run_again(published):
    notice = published()
    job = jobs_of(notice).get()
    assert channels.fanout_step(job_id=job.pk) is None


# --- updates and the lifecycle ----------------------------------------------------------------

def test_each_update_is_sent_to_the_same_recipients(published, lk_user,
                                                    django_capture_on_commit_callbacks):
    notice = published()
    first = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        event = services.notice_update_add(notice=notice, by=lk_user,
                                           body="Feilen er funnet; retting pågår.")
    assert event.kind == NoticeEvent.Kind.UPDATE
    assert OutboxMessage.objects.count() == 2 * first
    assert "Feilen er funnet" in OutboxMessage.objects.filter(
        key__startswith=f"notice:{event.pk}:").first().body
    assert audit_verbs(notice)[-1] == "update_added"


def test_update_on_a_draft_is_refused(make_notice, lk_user):
    notice = make_notice()
    with pytest.raises(DomainError, match="Bare en publisert"):
        services.notice_update_add(notice=notice, by=lk_user, body="Hei")


def test_resolving_a_fault_is_sent_and_closes_it(published, lk_user,
                                                 django_capture_on_commit_callbacks):
    notice = published()
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_resolve(notice=notice, by=lk_user, note="Rettet kl. 10.40.")
    notice.refresh_from_db()
    assert notice.status == Status.RESOLVED and notice.closed_at
    assert notice.events.last().kind == NoticeEvent.Kind.RESOLVED
    assert Delivery.objects.filter(job=notice.events.last().fanout, channel="email").exists()
    with pytest.raises(DomainError):
        services.notice_cancel(notice=notice, by=lk_user)


def test_a_published_fault_cannot_be_cancelled_but_a_maintenance_can(
        published, lk_user, django_capture_on_commit_callbacks):
    fault = published()
    with pytest.raises(DomainError):
        services.notice_cancel(notice=fault, by=lk_user)
    maintenance = published(kind="maintenance")
    assert maintenance.status == Status.UPCOMING
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_cancel(notice=maintenance, by=lk_user, note="Flyttes til neste uke.")
    maintenance.refresh_from_db()
    assert maintenance.status == Status.CANCELLED
    assert maintenance.events.last().kind == NoticeEvent.Kind.CANCELLED


def test_cancelling_a_draft_sends_nothing(make_notice, lk_user):
    notice = make_notice()
    services.notice_cancel(notice=notice, by=lk_user)
    notice.refresh_from_db()
    assert notice.status == Status.CANCELLED
    assert not NoticeEvent.objects.exists()


def test_maintenance_starts_and_completes_at_its_window_times(
        published, django_capture_on_commit_callbacks):
    notice = published(kind="maintenance")
    start, end = notice.window_start, notice.window_end

    assert services.maintenance_advance(now=start - timedelta(minutes=1)) == (0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.maintenance_advance(now=start) == (1, 0)
    notice.refresh_from_db()
    assert notice.status == Status.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        assert services.maintenance_advance(now=end) == (0, 1)
    notice.refresh_from_db()
    assert notice.status == Status.COMPLETED
    assert [e.kind for e in notice.events.all()] == ["published", "started", "completed"]
    assert audit_verbs(notice)[-2:] == ["started", "complete"]


def test_scheduled_notice_is_published_by_the_beat_at_its_time(
        make_notice, lk_user, receiving_banks, django_capture_on_commit_callbacks):
    notice = make_notice()
    at = timezone.now() + timedelta(hours=1)
    services.notice_schedule(notice=notice, by=lk_user, publish_at=at)
    notice.refresh_from_db()
    assert notice.status == Status.SCHEDULED

    assert services.notices_publish_due(now=at - timedelta(seconds=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notices_publish_due(now=at) == 1
    notice.refresh_from_db()
    assert notice.status == Status.PUBLISHED
    assert deliveries_of(notice).exists()


def test_published_notice_cannot_be_edited(published, lk_user, api_component):
    notice = published()
    with pytest.raises(DomainError, match="legg til en oppdatering"):
        services.notice_edit(notice=notice, by=lk_user, kind="fault", severity="minor",
                             environments=["production"], components=[api_component],
                             title="Ny", body="Ny")


# --- acknowledgements and reminders -------------------------------------------------------------

def test_a_bank_user_acknowledges_for_the_bank_once(published, bank_member, bank_admin):
    notice = published()
    first = services.notice_acknowledge(notice=notice, by=bank_member)
    again = services.notice_acknowledge(notice=notice, by=bank_admin)
    assert again.acknowledged_by == bank_member
    assert again.acknowledged_at == first.acknowledged_at
    assert audit_verbs(notice).count("acknowledged") == 1


def test_a_bank_that_was_not_sent_the_notice_cannot_acknowledge_it(published,
                                                                   other_bank_member):
    notice = published()
    with pytest.raises(DomainError):
        services.notice_acknowledge(notice=notice, by=other_bank_member)


def test_notice_without_acknowledgement_refuses_one(published, bank_member):
    notice = published(severity="minor")
    assert not notice.requires_ack
    with pytest.raises(DomainError, match="trenger ingen bekreftelse"):
        services.notice_acknowledge(notice=notice, by=bank_member)


def test_changes_ask_for_acknowledgement_whatever_their_severity(published):
    assert published(kind="change").requires_ack


def test_banks_that_have_not_acknowledged_are_reminded_after_n_working_hours(
        published, bank_member, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_ACK_REMINDER_WORKING_HOURS = 2
    notice = published()
    services.notice_acknowledge(notice=notice, by=bank_member)
    # Published on a Monday at 09:00 (Oslo): two working hours later is 11:00.
    monday = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))
    Notice.objects.filter(pk=notice.pk).update(published_at=monday)
    Acknowledgement.objects.filter(notice=notice).update(requested_at=monday)

    assert channels.acknowledgement_reminders_due(
        now=monday + timedelta(hours=1, minutes=59)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert channels.acknowledgement_reminders_due(now=monday + timedelta(hours=2)) == 2
    reminder = notice.events.get(kind=NoticeEvent.Kind.REMINDER)
    reminded = set(Delivery.objects.filter(job=reminder.fanout)
                   .values_list("organisation__name", flat=True))
    assert reminded == {"Nordbank", "Sørbank"}  # not Testbank A (acknowledged), not Bits
    assert not Delivery.objects.filter(job=reminder.fanout, channel="webhook").exists()
    assert audit_verbs(notice)[-1] == "reminded"
    # Not again until another two working hours have passed.
    assert channels.acknowledgement_reminders_due(now=monday + timedelta(hours=3)) == 0
    assert channels.acknowledgement_reminders_due(now=monday + timedelta(hours=4)) == 2


def test_a_closed_notice_sends_no_more_reminders(published, lk_user, settings):
    settings.NOTIFICATIONS_ACK_REMINDER_WORKING_HOURS = 2
    notice = published()
    monday = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))
    Acknowledgement.objects.filter(notice=notice).update(requested_at=monday)
    services.notice_resolve(notice=notice, by=lk_user)

    assert channels.acknowledgement_reminders_due(now=monday + timedelta(days=7)) == 0
    assert not notice.events.filter(kind=NoticeEvent.Kind.REMINDER).exists()
    assert Acknowledgement.objects.filter(notice=notice, closed_at__isnull=True).count() == 0


def test_resend_queues_a_fresh_mail_for_each_failed_one(published, lk_user,
                                                        django_capture_on_commit_callbacks):
    notice = published()
    failed = deliveries_of(notice).filter(channel="email").first()
    OutboxMessage.objects.filter(pk=failed.outbox_id).update(
        status="failed", last_error="SMTPRecipientsRefused")
    with django_capture_on_commit_callbacks(execute=False):
        assert services.deliveries_resend_failed(notice=notice, by=lk_user) == 1
    failed.refresh_from_db()
    assert failed.outbox.status == "pending" and failed.outbox.key.endswith(":resend1")
    assert failed.resends == 1
    assert audit_verbs(notice)[-1] == "resent"


# --- links from error reports -------------------------------------------------------------------

def test_linking_a_notice_to_a_case_lets_the_cases_bank_see_it(published, bits_user,
                                                               other_bank_member):
    from notices.selectors import notice_links_for, notice_list_for_user

    notice = published()
    other_bank = other_bank_member.membership.organisation
    assert notice not in notice_list_for_user(user=other_bank_member)
    case = other_bank  # any model instance with an `organisation` would do; use the org itself
    services.notice_link_add(notice=notice, obj=case, by=bits_user, organisation=other_bank)

    assert list(notice_links_for(case)) == [notice]
    assert notice in notice_list_for_user(user=other_bank_member)
    recipient = notice.recipients.get(organisation=other_bank)
    assert recipient.reason == NoticeRecipient.Reason.LINKED
    with pytest.raises(DomainError):
        services.notice_acknowledge(notice=notice, by=other_bank_member)


def test_banks_cannot_link_notices(published, bank_member, bank):
    with pytest.raises(DomainError):
        services.notice_link_add(notice=published(), obj=bank, by=bank_member)


def test_recipient_rule_uses_contact_points_and_falls_back_to_users(db, bank, bank_member):
    from notifications.selectors import organisation_contacts

    no_contacts = organisation_contacts([bank])[bank.pk]
    assert [a for a, _ in no_contacts.emails] == [bank_member.email]
    add_contact_points(bank, 2)
    with_contacts = organisation_contacts([bank])[bank.pk]
    assert len(with_contacts.emails) == 2 and bank_member.email not in dict(with_contacts.emails)
    assert with_contacts.users == [bank_member]


def test_beat_tasks_publish_due_notices_and_sweep(make_notice, lk_user, receiving_banks,
                                                  settings, django_capture_on_commit_callbacks):
    from notices.tasks import notices_tick
    from notifications.tasks import channels_sweep

    notice = make_notice()
    services.notice_schedule(notice=notice, by=lk_user,
                             publish_at=timezone.now() + timedelta(seconds=1))
    Notice.objects.filter(pk=notice.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False):
        assert notices_tick.apply().get() == {"published": 1, "started": 0, "completed": 0}
    settings.NOTIFICATIONS_FANOUT_STALE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        result = channels_sweep.apply().get()
    assert result["fanout_jobs"] == 1
    assert result["reminded"] == 0
    assert FanoutJob.objects.get().finished_at is not None
