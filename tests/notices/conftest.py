"""Fixtures for notices: banks with API access and contact points, a notice factory, an HTTP
receiver for webhooks and the worker's settings for the delivery tests. The other real servers
(Redis, a Celery worker, an SMTP sink) are in tests/support/fixtures.py."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import ContactPoint, Membership
from balances.models import ApiAccess
from notices import services
from notices.models import Component, Notice, NoticeEvent
from notifications.models import Delivery, FanoutJob
from tests.factories import OrganisationFactory, member_of
from tests.support.servers import WebhookReceiver

# --- data -----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _webhooks_to_loopback(settings):
    # The webhook receiver listens on http://127.0.0.1.
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True


def add_contact_points(org, count=2):
    kinds = [ContactPoint.Kind.TECHNICAL, ContactPoint.Kind.BUSINESS, ContactPoint.Kind.SECURITY]
    slug = slugify(org.name)  # ASCII: "Sørbank" → "srbank"
    return [ContactPoint.objects.create(organisation=org, kind=kinds[i % 3], name=f"Kontakt {i}",
                                        email=f"{kinds[i % 3]}@{slug}.example.com")
            for i in range(count)]


def grant(org, *environments):
    for env in environments:
        ApiAccess.objects.create(organisation=org, environment=env)


def jobs_of(notice):
    """The fan-out jobs announcing the notice's events (notifications' generic jobs)."""
    return FanoutJob.objects.filter(subject_type=ContentType.objects.get_for_model(Notice),
                                    subject_id=notice.pk)


def deliveries_of(notice):
    return Delivery.objects.filter(job__in=jobs_of(notice))


@pytest.fixture
def components(db):
    # The data migration made these, but a transactional test before this one may have
    # flushed them.
    names = ["Saldo-API-et", "Maskinporten", "Altinn samtykke", "Forvaltningsportalen"]
    return [Component.objects.get_or_create(name=name, defaults={"position": i})[0]
            for i, name in enumerate(names)]


@pytest.fixture
def api_component(components):
    return next(c for c in components if c.name == "Saldo-API-et")


@pytest.fixture
def receiving_banks(db, bank, bank_member, bank_admin):
    """Three banks with production access and two contact points each; the first is the
    personas' Testbank A."""
    banks = [bank, OrganisationFactory(name="Nordbank", orgnr="930000001"),
             OrganisationFactory(name="Sørbank", orgnr="940000003")]
    for org in banks:
        grant(org, "production")
        add_contact_points(org, 2)
    member_of(banks[1], email="drift@nordbank.example.com")
    member_of(banks[2], role=Membership.Role.ADMIN, email="admin@sorbank.example.com")
    return banks


@pytest.fixture
def make_notice(lk_user, api_component):
    def make(by=None, **overrides):
        fields = {"kind": "fault", "severity": "critical", "environments": ["production"],
                  "components": [api_component], "title": "Saldo-API-et svarer 500",
                  "body": "Alle kall mot **produksjon** feiler. Vi feilsøker."}
        if overrides.get("kind") == "maintenance":
            start = timezone.now() + timedelta(days=1)
            fields.update(window_start=start, window_end=start + timedelta(hours=2),
                          severity="major", title="Planlagt vedlikehold")
        if overrides.get("kind") == "change":
            fields.update(effective_production=timezone.localdate() + timedelta(days=30),
                          severity="information", title="Nytt felt i svaret")
        fields.update(overrides)
        return services.notice_create(by=by or lk_user, **fields)

    return make


@pytest.fixture
def published(make_notice, lk_user, receiving_banks, bits_user, django_capture_on_commit_callbacks):
    """A critical fault published to the three banks and Bits, fanned out eagerly."""
    def make(**overrides):
        notice = make_notice(**overrides)
        with django_capture_on_commit_callbacks(execute=True):
            services.notice_publish(notice=notice, by=lk_user)
        notice.refresh_from_db()
        return notice

    return make


@pytest.fixture
def published_unsent(make_notice, lk_user, receiving_banks, django_capture_on_commit_callbacks):
    """A critical fault published to the three banks and Bits whose fan-out has not run (its
    queued task is "lost" until a test steps it): (notice, the publishing fan-out job)."""
    def make(**overrides):
        notice = make_notice(**overrides)
        with django_capture_on_commit_callbacks(execute=False):
            services.notice_publish(notice=notice, by=lk_user)
        notice.refresh_from_db()
        return notice, notice.events.get(kind=NoticeEvent.Kind.PUBLISHED).fanout

    return make


# --- servers (the rest are in tests/support/fixtures.py) -------------------------------------

@pytest.fixture
def worker_settings():
    # One organisation per fan-out batch, and a job is stale at once: a killed worker's job is
    # picked up by the next sweep. A mail claimed by a killed worker is claimed again after 5 s
    # (the test's SMTP server answers at once; production waits minutes).
    # The worker posts webhooks to the receiver on 127.0.0.1, as the test process may.
    return {"NOTIFICATIONS_FANOUT_BATCH_SIZE": "1", "NOTIFICATIONS_FANOUT_STALE_SECONDS": "0",
            "OUTBOX_CLAIM_TIMEOUT_SECONDS": "5", "NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK": "1"}


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()
