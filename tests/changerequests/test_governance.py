"""E.3 on the record: each step a GovernanceDecision every bank sees; bad input gets a message
on its field and saves nothing; a deferral comes back by itself on its date; each delivery
prepares a change notice for Lånekassen to publish."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from casework.errors import DomainError
from casework.models import AuditEvent, Environment
from changerequests import services, tasks
from changerequests.models import ChangeRequest, GovernanceDecision, Status
from notices import services as notice_services
from notices.models import Notice
from notices.models import Status as NoticeStatus
from notifications.models import OutboxMessage
from tests.changerequests import builders as b

pytestmark = pytest.mark.django_db
Step, Outcome = GovernanceDecision.Step, GovernanceDecision.Outcome


def _unchanged(request):
    fresh = ChangeRequest.objects.get(pk=request.pk)
    return (fresh.status, fresh.planned_release, fresh.deferred_until,
            GovernanceDecision.objects.filter(request=request).count())


@pytest.mark.parametrize(("call", "field"), [
    (lambda r, p: services.change_request_accept(request=r, by=p["lanekassen"],
                                                 planned_release="", rationale="Ja."),
     "planned_release"),
    (lambda r, p: services.change_request_accept(request=r, by=p["lanekassen"],
                                                 planned_release="2026.2", rationale=" "),
     "rationale"),
    (lambda r, p: services.change_request_reject(request=r, by=p["lanekassen"], rationale=""),
     "rationale"),
    (lambda r, p: services.change_request_defer(request=r, by=p["lanekassen"], until=None,
                                                rationale="Senere."), "deferred_until"),
    (lambda r, p: services.change_request_defer(request=r, by=p["lanekassen"],
                                                until=timezone.localdate(),
                                                rationale="Senere."), "deferred_until"),
    (lambda r, p: services.change_request_accept(request=r, by=p["lanekassen"],
                                                 planned_release="2026.2", rationale="Ja.",
                                                 effort=9), "effort"),
])
def test_lanekassen_decision_with_bad_input_is_refused_on_the_field(p, call, field):
    request = b.with_lanekassen(p)
    before = _unchanged(request)
    with pytest.raises(DomainError) as exc:
        call(request, p)
    assert exc.value.field == field
    assert _unchanged(request) == before


@pytest.mark.parametrize(("call", "field"), [
    (lambda r, p: services.change_request_forum_recommend(
        request=r, by=p["bits"], decided_on=date(2026, 3, 1), recommended=True, rationale=""),
     "rationale"),
    (lambda r, p: services.change_request_forum_recommend(
        request=r, by=p["bits"], decided_on=None, recommended=True, rationale="Ja."),
     "decided_on"),
])
def test_forum_recommendation_needs_a_date_and_a_rationale(p, call, field):
    request = b.opened(p)
    with pytest.raises(DomainError) as exc:
        call(request, p)
    assert exc.value.field == field
    assert ChangeRequest.objects.get(pk=request.pk).status == Status.OPEN


def test_acceptance_without_release_on_the_page_shows_the_message_on_the_field(p, client_for):
    request = b.with_lanekassen(p)
    response = client_for(p["lanekassen"]).post(
        reverse("changerequests:decide", args=[request.reference, "lanekassen"]),
        {"lanekassen-decision": "accepted", "lanekassen-planned_release": "",
         "lanekassen-rationale": "Nyttig."})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_lanekassen-planned_release_error"' in html
    assert "Oppgi hvilken release endringen er planlagt i." in html
    assert "Nyttig." in html  # what was typed is kept
    assert ChangeRequest.objects.get(pk=request.pk).status == Status.WITH_LANEKASSEN


def test_deferral_without_date_on_the_page_shows_the_message_on_the_field(p, client_for):
    request = b.with_lanekassen(p)
    response = client_for(p["lanekassen"]).post(
        reverse("changerequests:decide", args=[request.reference, "lanekassen"]),
        {"lanekassen-decision": "deferred", "lanekassen-rationale": "Senere."})
    assert response.status_code == 400
    assert 'id="id_lanekassen-deferred_until_error"' in response.content.decode()
    assert not GovernanceDecision.objects.filter(request=request, step=Step.LANEKASSEN).exists()


def test_forum_without_rationale_on_the_page_shows_the_message_on_the_field(p, client_for):
    request = b.opened(p)
    response = client_for(p["bits"]).post(
        reverse("changerequests:decide", args=[request.reference, "forum"]),
        {"forum-decided_on": "2026-03-10", "forum-recommended": "yes", "forum-rationale": ""})
    assert response.status_code == 400
    assert 'id="id_forum-rationale_error"' in response.content.decode()


def test_governance_step_of_another_persona_is_not_offered_and_refused(p, client_for):
    request = b.opened(p)
    html = client_for(p["lanekassen"]).get(request.get_absolute_url()).content.decode()
    assert "Fagutvalgets anbefaling" not in html
    response = client_for(p["lanekassen"]).post(
        reverse("changerequests:decide", args=[request.reference, "forum"]),
        {"forum-decided_on": "2026-03-10", "forum-recommended": "yes",
         "forum-rationale": "Ja."}, follow=True)
    assert response.status_code == 200
    assert "Du har ikke lov" in response.content.decode()
    assert ChangeRequest.objects.get(pk=request.pk).status == Status.OPEN


def test_each_step_is_on_the_record_and_every_bank_sees_it(p, client_for):
    request = b.accepted(p)
    steps = list(GovernanceDecision.objects.filter(request=request)
                 .values_list("step", "outcome", "decided_on", "rationale"))
    assert steps == [
        (Step.FORUM, Outcome.RECOMMENDED, date(2026, 3, 10), "Mange banker trenger feltet."),
        (Step.REFERENCE_GROUP, Outcome.FORWARDED, date(2026, 3, 20), "Bred støtte."),
        (Step.LANEKASSEN, Outcome.ACCEPTED, timezone.localdate(), "Liten endring."),
    ]
    html = client_for(p["other_bank"]).get(request.get_absolute_url()).content.decode()
    for text in ("Fagutvalget", "Referansegruppe Bank", "Mange banker trenger feltet.",
                 "Bred støtte.", "release 2026.2"):
        assert text in html


def test_deferred_request_comes_back_to_lanekassen_on_its_date_by_the_system(p):
    request = b.deferred(p, until=timezone.localdate() + timedelta(days=3))
    assert services.change_requests_resume_due(
        today=timezone.localdate() + timedelta(days=2)) == 0
    OutboxMessage.objects.all().delete()

    assert tasks.deferred_resume.apply(kwargs={}).get() == 0  # not yet today
    assert services.change_requests_resume_due(
        today=timezone.localdate() + timedelta(days=3)) == 1

    request.refresh_from_db()
    assert (request.status, request.deferred_until) == (Status.WITH_LANEKASSEN, None)
    event = AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(request),
                                      object_id=request.pk).last()
    assert (event.verb, event.actor, event.from_state, event.to_state) == (
        "resumed", None, Status.DEFERRED, Status.WITH_LANEKASSEN)
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {
        p["lanekassen"].email, p["bank_member"].email}


def test_people_cannot_resume_a_deferral(p):
    request = b.deferred(p)
    from casework.runner import transition_run

    for who in ("bits", "lanekassen", "bank_member"):
        with pytest.raises(DomainError):
            transition_run(case=request, by=p[who], name="resume", verb="resumed")


def test_delivery_in_test_prepares_a_draft_change_notice_for_lanekassen_to_publish(p):
    request = b.in_development(p)
    services.change_request_deliver(request=request, by=p["lanekassen"],
                                    environment=Environment.TEST, note="Feltet er med.")

    decision = GovernanceDecision.objects.get(request=request, step=Step.TEST)
    notice = Notice.objects.get(pk=decision.notice_id)
    assert decision.notice_reference == notice.reference
    assert (notice.kind, notice.status, notice.environments) == (
        "change", NoticeStatus.DRAFT, ["test"])
    assert notice.effective_test == timezone.localdate()
    assert request.reference in notice.body and "Feltet er med." in notice.body
    assert [c.name for c in notice.components.all()] == ["Saldo-API-et"]

    notice_services.notice_publish(notice=notice, by=p["lanekassen"])
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.PUBLISHED


def test_delivery_in_production_prepares_a_production_notice(p):
    request = b.in_test(p)
    services.change_request_deliver(request=request, by=p["lanekassen"],
                                    environment=Environment.PRODUCTION)
    decision = GovernanceDecision.objects.get(request=request, step=Step.PRODUCTION)
    notice = Notice.objects.get(pk=decision.notice_id)
    assert (notice.environments, notice.effective_production) == (
        ["production"], timezone.localdate())
    assert Notice.objects.filter(kind="change").count() == 2


def test_lanekassens_own_change_is_open_to_every_bank_at_once(p, client_for):
    request = b.lanekassen_own(p)
    assert (request.status, request.organisation, request.origin) == (
        Status.OPEN, None, "lanekassen")
    assert client_for(p["other_bank"]).get(request.get_absolute_url()).status_code == 200
