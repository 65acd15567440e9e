"""The queues' work tools (casework.queue), on the error-report and question queues: take or
assign several cases at once (one that moved is reported, the rest are done), give a case to
another handler (audited, the new handler told), saved filters per person, "assigned to me",
sort by deadline, and the at-risk and breached rows marked in words."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.errors import DomainError
from casework.models import AuditEvent, SavedFilter
from incidents import services
from incidents.models import ErrorReport, Status
from notifications.models import Notification
from questions import services as question_services
from questions.models import Question
from tests.factories import member_of

LIST = reverse("incidents:list")
BULK = reverse("incidents:bulk")


@pytest.fixture
def other_handler(bits_org):
    return member_of(bits_org, totp=True, email="other-handler@bits.example.com")


def _report(by, summary="Feil"):
    return services.incident_report(
        by=by, environment="test", severity="high", occurred_at=timezone.now(),
        request_ids=["req-1"], summary=summary, description="Beskrivelse.")


def _question(by, title="Hvordan?"):
    return question_services.question_ask(by=by, category="technical", title=title,
                                          text="Hvordan tolker vi feltet?")


def _verbs(case):
    return list(AuditEvent.objects.filter(object_id=case.pk, content_type__model=type(
        case)._meta.model_name).values_list("verb", flat=True))


def test_bulk_take_does_the_rest_and_reports_the_one_that_moved(
        bank_member, bits_user, other_handler, client_for):
    first, moved, last = (_report(bank_member, f"Feil {i}") for i in range(3))
    services.incident_take(report=moved, by=other_handler)  # meanwhile, someone else took it
    response = client_for(bits_user).post(BULK, {
        "action": "take", "cases": [first.reference, moved.reference, last.reference],
        "next": LIST}, follow=True)
    for report in (first, last):
        report.refresh_from_db()
        assert report.status == Status.IN_PROGRESS and report.assignee == bits_user
        assert "taken" in _verbs(report)
    moved.refresh_from_db()
    assert moved.assignee == other_handler and _verbs(moved).count("taken") == 1
    body = response.content.decode()
    assert f"{moved.reference} ble ikke endret" in body
    assert "Utført for 2 saker" in body


def test_bulk_assign_gives_each_case_to_the_handler_through_the_service(
        bank_member, bits_user, other_handler, client_for, django_capture_on_commit_callbacks):
    reports = [_report(bank_member, f"Feil {i}") for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        client_for(bits_user).post(BULK, {"action": "assign", "to": other_handler.pk,
                                          "cases": [r.reference for r in reports]})
    for report in reports:
        report.refresh_from_db()
        assert report.assignee == other_handler
        assert "assigned" in _verbs(report)
    assert Notification.objects.filter(recipient=other_handler,
                                       title__contains="tildelt").count() == 2


def test_bulk_assign_to_someone_outside_bits_changes_nothing(bank_member, bits_user,
                                                            client_for):
    report = _report(bank_member)
    client_for(bits_user).post(BULK, {"action": "assign", "to": bank_member.pk,
                                      "cases": [report.reference]})
    report.refresh_from_db()
    assert report.assignee is None and "assigned" not in _verbs(report)


def test_a_bank_cannot_take_or_assign_in_bulk(bank_member, bits_user, client_for):
    report = _report(bank_member)
    client_for(bank_member).post(BULK, {"action": "take", "cases": [report.reference]})
    client_for(bank_member).post(BULK, {"action": "assign", "to": bits_user.pk,
                                        "cases": [report.reference]})
    report.refresh_from_db()
    assert report.status == Status.NEW and report.assignee is None


def test_reassign_is_audited_and_the_new_handler_told(
        bank_member, bits_user, other_handler, django_capture_on_commit_callbacks):
    report = _report(bank_member)
    services.incident_take(report=report, by=bits_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_assign(report=report, by=bits_user, to=other_handler)
    report.refresh_from_db()
    assert report.assignee == other_handler and report.status == Status.IN_PROGRESS
    event = AuditEvent.objects.get(verb="assigned", object_id=report.pk)
    assert event.actor == bits_user
    assert event.data == {"from": bits_user.pk, "to": other_handler.pk}
    told = Notification.objects.get(recipient=other_handler, title__contains="tildelt")
    assert report.reference in told.title and told.url == report.get_absolute_url()


def test_reassign_from_the_case_page(bank_member, bits_user, other_handler, client_for):
    report = _report(bank_member)
    client = client_for(bits_user)
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'id="assign-to"' in page
    client.post(reverse("incidents:assign", args=[report.reference]), {"to": other_handler.pk})
    report.refresh_from_db()
    assert report.assignee == other_handler


def test_a_bank_sees_no_assign_form_and_cannot_assign(bank_member, bits_user, client_for):
    report = _report(bank_member)
    client = client_for(bank_member)
    assert 'id="assign-to"' not in client.get(report.get_absolute_url()).content.decode()
    client.post(reverse("incidents:assign", args=[report.reference]), {"to": bits_user.pk})
    report.refresh_from_db()
    assert report.assignee is None


def test_a_closed_report_cannot_be_reassigned(bank_member, bits_user, other_handler):
    report = _report(bank_member)
    services.incident_resolve(report=report, by=bits_user, guidance="Løst.")
    with pytest.raises(DomainError):
        services.incident_assign(report=report, by=bits_user, to=other_handler)


def test_question_reassign_and_bulk_take(bank_member, bits_user, other_handler, client_for,
                                        django_capture_on_commit_callbacks):
    first, second = _question(bank_member, "Første?"), _question(bank_member, "Andre?")
    client_for(bits_user).post(reverse("questions:bulk"), {
        "action": "take", "cases": [first.reference, second.reference]})
    first.refresh_from_db()
    assert first.assignee == bits_user
    with django_capture_on_commit_callbacks(execute=True):
        client_for(bits_user).post(reverse("questions:assign", args=[second.reference]),
                                   {"to": other_handler.pk})
    second = Question.objects.get(pk=second.pk)
    assert second.assignee == other_handler
    assert AuditEvent.objects.filter(verb="assigned", object_id=second.pk).exists()
    assert Notification.objects.filter(recipient=other_handler,
                                       title__contains="tildelt").exists()


def test_saved_filters_are_per_user(bits_user, other_handler, client_for):
    mine, theirs = client_for(bits_user), client_for(other_handler)
    mine.post(reverse("incidents:filter_save"), {
        "name": "Kritiske", "querystring": "severity=critical&side=3", "next": LIST})
    saved = SavedFilter.objects.get(user=bits_user)
    assert saved.querystring == "severity=critical" and saved.case_type_key == "incident"
    assert "Kritiske" in mine.get(LIST).content.decode()
    assert "Kritiske" not in theirs.get(LIST).content.decode()
    # Someone else's filter is not found; one's own is deleted.
    delete = reverse("incidents:filter_delete", args=[saved.pk])
    assert theirs.post(delete).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    mine.post(delete)
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_assigned_to_me_and_sort_by_deadline(bank_member, bits_user, other_handler,
                                             client_for):
    late, soon, theirs = (_report(bank_member, s) for s in ("Sen", "Snart", "Deres"))
    services.incident_take(report=late, by=bits_user)
    services.incident_take(report=soon, by=bits_user)
    services.incident_take(report=theirs, by=other_handler)
    now = timezone.now()
    ErrorReport.objects.filter(pk=late.pk).update(resolution_due=now + timedelta(days=3))
    ErrorReport.objects.filter(pk=soon.pk).update(resolution_due=now + timedelta(days=1))
    body = client_for(bits_user).get(LIST, {"mine": "1", "sortering": "frist"}).content.decode()
    assert theirs.reference not in body
    assert body.index(soon.reference) < body.index(late.reference)


def test_breached_and_at_risk_rows_are_marked_in_words(bank_member, bits_user, client_for):
    breached, at_risk = _report(bank_member, "Brutt"), _report(bank_member, "I fare")
    now = timezone.now()
    ErrorReport.objects.filter(pk=breached.pk).update(first_response_due=now - timedelta(hours=1),
                                                      resolution_due=now - timedelta(hours=1))
    ErrorReport.objects.filter(pk=at_risk.pk).update(first_response_due=now + timedelta(minutes=5),
                                                     resolution_due=now + timedelta(days=2))
    body = client_for(bits_user).get(LIST).content.decode()
    assert "Frist passert" in body and "I faresonen" in body
    question = _question(bank_member)
    Question.objects.filter(pk=question.pk).update(first_response_due=now - timedelta(hours=1),
                                                   resolution_due=now - timedelta(hours=1))
    assert "Frist passert" in client_for(bits_user).get(
        reverse("questions:list")).content.decode()
