"""Every notice transition (and the other writes on a notice that go through the case kernel),
tried by every persona with the shared matrix (tests/support/transitions.py).

Nobody is told through the runner: what goes out about a notice is an announcement, a fan-out
job the worker sends after commit. Here the worker never picks it up (its task is caught), so
the matrix's "told" sets are empty; what the job holds, and that it is queued only once the
transaction commits, is asserted below for each transition that announces something.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from notices import services
from notices.models import Component, Notice, NoticeEvent, Status
from notifications.models import FanoutJob
from tests.support.transactions import rolled_back
from tests.support.transitions import Transition, TransitionMatrix

pytestmark = pytest.mark.django_db

LANEKASSEN = {"lanekassen"}


@pytest.fixture(autouse=True)
def worker_not_running():
    """The fan-out job's task, caught: the matrix checks the runner's part only."""
    with mock.patch("notifications.tasks.fanout_run.apply_async") as dispatch:
        yield dispatch


def _draft(personas, kind="fault", **overrides):
    component, _created = Component.objects.get_or_create(name="Saldo-API-et")
    fields = {"kind": kind, "severity": "critical", "environments": ["production"],
              "components": [component], "title": "Saldo-API-et svarer 500",
              "body": "Alle kall feiler."}
    if kind == "maintenance":
        start = timezone.now() + timedelta(days=1)
        fields.update(severity="major", window_start=start, window_end=start + timedelta(hours=2))
    if kind == "change":
        fields.update(severity="information",
                      effective_production=timezone.localdate() + timedelta(days=30))
    fields.update(overrides)
    return services.notice_create(by=personas["lanekassen"], **fields)


def _published(personas, kind="fault"):
    return services.notice_publish(notice=_draft(personas, kind), by=personas["lanekassen"])


def _scheduled(personas):
    return services.notice_schedule(notice=_draft(personas), by=personas["lanekassen"],
                                    publish_at=timezone.now() + timedelta(hours=1))


def _edit(notice, user):
    return services.notice_edit(
        notice=notice, by=user, kind="fault", severity="minor", environments=["test"],
        components=list(notice.components.all()), title="Ny tittel", body="Ny tekst")


MATRIX = TransitionMatrix(model=Notice, transitions={
    "edit": Transition(
        build=_draft, call=_edit, allowed=LANEKASSEN, verb="edited", from_state=Status.DRAFT),
    "schedule": Transition(
        build=_draft, allowed=LANEKASSEN, verb="scheduled", from_state=Status.DRAFT,
        to_state=Status.SCHEDULED,
        call=lambda n, user: services.notice_schedule(
            notice=n, by=user, publish_at=timezone.now() + timedelta(hours=2))),
    "unschedule": Transition(
        build=_scheduled, allowed=LANEKASSEN, verb="unscheduled", from_state=Status.SCHEDULED,
        to_state=Status.DRAFT,
        call=lambda n, user: services.notice_unschedule(notice=n, by=user)),
    "publish": Transition(
        build=_draft, allowed=LANEKASSEN, verb="published", from_state=Status.DRAFT,
        to_state=Status.PUBLISHED,
        call=lambda n, user: services.notice_publish(notice=n, by=user)),
    "update": Transition(
        build=_published, allowed=LANEKASSEN, verb="update_added", from_state=Status.PUBLISHED,
        call=lambda n, user: services.notice_update_add(notice=n, by=user, body="Funnet.")),
    "start": Transition(
        build=lambda p: _published(p, "maintenance"), allowed=LANEKASSEN, verb="started",
        from_state=Status.UPCOMING, to_state=Status.IN_PROGRESS,
        call=lambda n, user: services.notice_start(notice=n, by=user, note="I gang.")),
    "resolve": Transition(
        build=_published, allowed=LANEKASSEN, verb="resolve", from_state=Status.PUBLISHED,
        to_state=Status.RESOLVED,
        call=lambda n, user: services.notice_resolve(notice=n, by=user, note="Rettet.")),
    "complete": Transition(
        build=lambda p: _published(p, "change"), allowed=LANEKASSEN, verb="complete",
        from_state=Status.PUBLISHED, to_state=Status.COMPLETED,
        call=lambda n, user: services.notice_complete(notice=n, by=user)),
    "cancel": Transition(
        build=lambda p: _published(p, "maintenance"), allowed=LANEKASSEN, verb="cancel",
        from_state=Status.UPCOMING, to_state=Status.CANCELLED,
        call=lambda n, user: services.notice_cancel(notice=n, by=user, note="Flyttes.")),
    "resend": Transition(
        build=_published, allowed=LANEKASSEN, verb="resent", from_state=Status.PUBLISHED,
        call=lambda n, user: services.deliveries_resend_failed(notice=n, by=user)),
})

(test_allowed_persona_moves_the_case_with_audit_and_outbox_after_commit,
 test_refused_persona_gets_domain_error_and_nothing_changes,
 test_rolled_back_transition_leaves_no_outbox_and_dispatches_nothing) = MATRIX.tests()


# What each announcing transition adds: its event and the fan-out job, queued after commit.
ANNOUNCED = {
    "publish": NoticeEvent.Kind.PUBLISHED,
    "update": NoticeEvent.Kind.UPDATE,
    "start": NoticeEvent.Kind.STARTED,
    "resolve": NoticeEvent.Kind.RESOLVED,
    "complete": NoticeEvent.Kind.COMPLETED,
    "cancel": NoticeEvent.Kind.CANCELLED,
}


@pytest.mark.parametrize("name", list(ANNOUNCED))
def test_announcing_transition_writes_its_event_and_fanout_job_and_queues_it_after_commit(
        personas, worker_not_running, django_capture_on_commit_callbacks, name):
    t = MATRIX.transitions[name]
    notice = t.build(personas)
    jobs_before = list(FanoutJob.objects.values_list("pk", flat=True))
    worker_not_running.reset_mock()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        t.call(notice, personas["lanekassen"])
        worker_not_running.assert_not_called()  # nothing leaves before the commit

    event = Notice.objects.get(pk=notice.pk).events.last()
    assert event.kind == ANNOUNCED[name]
    job = FanoutJob.objects.exclude(pk__in=jobs_before).get()
    assert event.fanout == job
    assert (job.key, job.event, job.subject) == (f"notice:{event.pk}", f"notice.{event.kind}",
                                                 notice)
    assert job.organisation_ids == [personas["bits"].membership.organisation_id]
    assert job.title.startswith(notice.reference) and notice.reference in job.email_subject
    assert job.webhook_payload and job.finished_at is None
    for callback in callbacks:
        callback()
    worker_not_running.assert_called_once_with((job.pk,), retry=False)


@pytest.mark.parametrize("name", list(ANNOUNCED))
def test_announcing_transition_rolled_back_leaves_no_event_or_job(
        personas, worker_not_running, django_capture_on_commit_callbacks, name):
    t = MATRIX.transitions[name]
    notice = t.build(personas)
    jobs, events = FanoutJob.objects.count(), NoticeEvent.objects.count()
    worker_not_running.reset_mock()

    with rolled_back(django_capture_on_commit_callbacks):
        t.call(notice, personas["lanekassen"])

    assert (FanoutJob.objects.count(), NoticeEvent.objects.count()) == (jobs, events)
    worker_not_running.assert_not_called()


def test_cancelling_a_draft_announces_nothing(personas, django_capture_on_commit_callbacks):
    notice = _draft(personas)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notice_cancel(notice=notice, by=personas["lanekassen"])
    assert callbacks == []
    assert not FanoutJob.objects.exists()


def test_beat_publishes_and_moves_maintenance_as_the_system_never_without_a_check(personas):
    """The beat schedule acts as casework.runner.SYSTEM; only the transitions that allow the
    system (`system_only`) run, and `by=None` is refused outright."""
    from casework.models import AuditEvent
    from casework.runner import SYSTEM

    notice = _published(personas, "maintenance")
    with pytest.raises(TypeError):
        services.notice_start(notice=notice, by=None)
    with pytest.raises(Exception, match="ikke lov"):
        services.notice_resolve(notice=_published(personas), by=SYSTEM)  # Lånekassen's call
    services.notice_start(notice=notice, by=SYSTEM)
    assert Notice.objects.get(pk=notice.pk).status == Status.IN_PROGRESS
    event = AuditEvent.objects.filter(verb="started").get()
    assert event.actor is None  # the portal itself


def test_scheduled_notice_that_can_no_longer_be_published_goes_back_to_draft(personas):
    from casework.models import AuditEvent

    notice = services.notice_schedule(notice=_draft(personas, "maintenance"),
                                      by=personas["lanekassen"],
                                      publish_at=timezone.now() + timedelta(hours=1))
    after_the_window = notice.window_end + timedelta(minutes=1)

    assert services.notices_publish_due(now=after_the_window) == 0

    notice.refresh_from_db()
    assert notice.status == Status.DRAFT
    failed = AuditEvent.objects.get(verb="schedule_failed")
    assert (failed.from_state, failed.to_state, failed.actor) == (Status.SCHEDULED,
                                                                  Status.DRAFT, None)
    assert "allerede over" in failed.data["reason"]
    assert not FanoutJob.objects.exists()
