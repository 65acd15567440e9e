"""Every transition of an error report (C.1): who may and who may not, the audit event, the
outbox rows, and that nothing is queued when the surrounding transaction rolls back."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_fsm import has_transition_perm

from casework.errors import DomainError
from casework.models import Attachment, AuditEvent, Message
from casework.runner import SYSTEM, transition_run
from incidents import services
from incidents.models import ErrorReport, Status
from notifications.models import Notification, OutboxMessage
from tests.factories import member_of
from tests.support.transactions import rolled_back
from tests.support.transitions import PERSONAS, Transition, TransitionMatrix, snapshot

OSLO = ZoneInfo("Europe/Oslo")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


# --- building reports in each state, through the services ---------------------------------

def _report(by, **overrides):
    data = {"environment": "production", "severity": "high",
            "occurred_at": timezone.now() - timedelta(minutes=5), "request_ids": ["req-1"],
            "summary": "Saldo-kallet gir 500", "description": "Alle oppslag feiler siden 09:00."}
    return services.incident_report(by=by, **{**data, **overrides})


def _new(p):
    return _report(p["bank_member"])


def _in_progress(p):
    return services.incident_take(report=_new(p), by=p["bits"])


def _awaiting(p):
    return services.incident_request_info(report=_in_progress(p), by=p["bits"],
                                          message="Send oss loggen.")


def _escalated(p):
    return services.incident_escalate(report=_in_progress(p), by=p["bits"], note="Se på dette.")


def _fixed(p):
    return services.incident_mark_fixed(report=_escalated(p), by=p["lanekassen"],
                                        explanation="Sertifikatet er fornyet.")


def _resolved(p):
    return services.incident_resolve(report=_in_progress(p), by=p["bits"],
                                     guidance="Hent nytt token.")


def _closed(p):
    return services.incident_confirm(report=_resolved(p), by=p["bank_member"])


MATRIX = TransitionMatrix(model=ErrorReport, transitions={
    "take": Transition(
        build=_new, call=lambda r, u: services.incident_take(report=r, by=u),
        allowed={"bits"}, verb="taken", from_state=Status.NEW, to_state=Status.IN_PROGRESS,
        told={"bank_member"}),
    "request_info": Transition(
        build=_in_progress, call=lambda r, u: services.incident_request_info(
            report=r, by=u, message="Hvilken X-Request-Id?"),
        allowed={"bits"}, verb="info_requested", from_state=Status.IN_PROGRESS,
        to_state=Status.AWAITING_BANK, told={"bank_member"}),
    "bank_reply": Transition(
        build=_awaiting, call=lambda r, u: services.incident_bank_reply(
            report=r, by=u, message="Her er loggen."),
        allowed={"bank_member", "bank_admin"}, verb="bank_replied",
        from_state=Status.AWAITING_BANK, to_state=Status.IN_PROGRESS, told={"bits"}),
    "escalate": Transition(
        build=_in_progress, call=lambda r, u: services.incident_escalate(
            report=r, by=u, note="Feil i saldoberegningen?"),
        allowed={"bits"}, verb="escalated", from_state=Status.IN_PROGRESS,
        to_state=Status.ESCALATED, told={"lanekassen", "bank_member"}),
    "mark_fixed": Transition(
        build=_escalated, call=lambda r, u: services.incident_mark_fixed(
            report=r, by=u, explanation="Rettet i versjon 2.3."),
        allowed={"lanekassen"}, verb="fixed", from_state=Status.ESCALATED,
        to_state=Status.FIXED, told={"bits"}),
    "resolve": Transition(
        build=_in_progress, call=lambda r, u: services.incident_resolve(
            report=r, by=u, guidance="Bruk riktig miljø."),
        allowed={"bits"}, verb="resolved", from_state=Status.IN_PROGRESS,
        to_state=Status.RESOLVED, told={"bank_member"}),
    "resolve_after_fix": Transition(
        build=_fixed, call=lambda r, u: services.incident_resolve(
            report=r, by=u, guidance="Lånekassen har rettet feilen."),
        allowed={"bits"}, verb="resolved", from_state=Status.FIXED,
        to_state=Status.RESOLVED, told={"bank_member"}),
    "confirm": Transition(
        build=_resolved, call=lambda r, u: services.incident_confirm(report=r, by=u),
        allowed={"bank_member", "bank_admin"}, verb="confirmed", from_state=Status.RESOLVED,
        to_state=Status.CLOSED, told={"bits"}),
    "reopen": Transition(
        build=_resolved, call=lambda r, u: services.incident_reopen(
            report=r, by=u, reason="Feilen kom tilbake."),
        allowed={"bank_member", "bank_admin"}, verb="reopened", from_state=Status.RESOLVED,
        to_state=Status.IN_PROGRESS, told={"bits"}),
    # Not a status change: the audit event records the status it happened in, and no new one.
    "reclassify": Transition(
        build=_in_progress, call=lambda r, u: services.incident_reclassify(
            report=r, by=u, severity="critical", reason="Rammer alle kunder."),
        allowed={"bits"}, verb="reclassified", from_state=Status.IN_PROGRESS, to_state="",
        told={"bank_member"}),
})

(test_allowed_persona_moves_the_case_with_audit_and_outbox_after_commit,
 test_refused_persona_gets_domain_error_and_nothing_changes,
 test_rolled_back_transition_leaves_no_outbox_and_dispatches_nothing) = MATRIX.tests()


def _snapshot(report):
    """Everything a refused call must leave as it was."""
    return snapshot(ErrorReport, report)


def _events(report):
    return list(AuditEvent.objects.filter(object_id=report.pk,
                                          content_type__model="errorreport"))


def _new_rows(model, before_ids):
    return model.objects.exclude(pk__in=before_ids)


def _emails(personas, names):
    return {personas[n].email for n in names}


def test_auto_close_is_a_transition_no_persona_may_trigger(personas):
    report = _resolved(personas)
    for who in PERSONAS:
        assert not has_transition_perm(report.auto_close, personas[who]), who
    assert has_transition_perm(report.auto_close, SYSTEM)


@pytest.mark.parametrize("who", PERSONAS)
def test_auto_close_run_by_a_persona_is_refused_and_changes_nothing(personas, who):
    report = _resolved(personas)
    before = _snapshot(report)
    with pytest.raises(DomainError):
        transition_run(case=report, by=personas[who], name="auto_close", verb="auto_closed",
                       args=(timezone.now(),))
    assert _snapshot(report) == before


def test_auto_close_run_by_the_system_closes_with_no_person_on_the_event(personas):
    report = _resolved(personas)
    report = transition_run(case=report, by=SYSTEM, name="auto_close", verb="auto_closed",
                            args=(timezone.now(),))
    assert report.status == Status.CLOSED
    event = _events(report)[-1]
    assert (event.verb, event.from_state, event.to_state, event.actor) == (
        "auto_closed", Status.RESOLVED, Status.CLOSED, None)


def test_a_transition_without_an_actor_is_an_error_not_a_skipped_check(personas):
    report = _resolved(personas)
    before = _snapshot(report)
    with pytest.raises(TypeError):
        transition_run(case=report, by=None, name="auto_close", verb="auto_closed",
                       args=(timezone.now(),))
    assert _snapshot(report) == before


# --- reporting -----------------------------------------------------------------------------

def test_bank_member_reports_with_attachment_and_every_bits_handler_is_told(
        personas, bits_org, django_capture_on_commit_callbacks):
    second_handler = member_of(bits_org, totp=True, email="handler2@bits.example.com")
    upload = SimpleUploadedFile("skjermbilde.png", PNG, content_type="image/png")

    with django_capture_on_commit_callbacks(execute=True):
        report = _report(personas["bank_member"], request_ids=["a-1", "b-2"], files=[upload])

    assert report.status == Status.NEW
    assert report.organisation == personas["bank_member"].membership.organisation
    assert report.request_ids == ["a-1", "b-2"]
    assert report.first_response_due and report.resolution_due
    attachment = Attachment.objects.get()
    assert (attachment.object_id, attachment.mime_type, attachment.filename) == (
        report.pk, "image/png", "skjermbilde.png")
    [event] = _events(report)
    assert (event.verb, event.from_state, event.to_state, event.actor) == (
        "reported", "", Status.NEW, personas["bank_member"])
    handlers = {personas["bits"].email, second_handler.email}
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == handlers
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == handlers
    assert {m.to[0] for m in mail.outbox} == handlers


@pytest.mark.parametrize("who", ["bank_member", "bank_admin", "other_bank"])
def test_any_bank_user_may_report_for_their_own_bank(personas, who):
    report = _report(personas[who])
    assert report.organisation == personas[who].membership.organisation
    assert report.reported_by == personas[who]


@pytest.mark.parametrize("who", ["bits", "lanekassen"])
def test_bits_and_lanekassen_may_not_report(personas, who):
    with pytest.raises(DomainError):
        _report(personas[who])
    assert not ErrorReport.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_reference_numbers_count_up_within_the_year(personas):
    year = timezone.localtime().year
    refs = [_report(personas["bank_member"]).reference,
            _report(personas["other_bank"]).reference,
            _report(personas["bank_admin"]).reference]
    assert refs == [f"FM-{year}-0001", f"FM-{year}-0002", f"FM-{year}-0003"]


@pytest.mark.parametrize(("name", "content"), [
    ("logg.png", EXE),  # a Windows program renamed to look like a screenshot
    ("stor.txt", b"x" * (10 * 1024 * 1024 + 1)),  # one byte over 10 MB
])
def test_bad_attachment_saves_no_report_and_no_attachment(personas, name, content):
    good = SimpleUploadedFile("ok.png", PNG, content_type="image/png")
    bad = SimpleUploadedFile(name, content, content_type="image/png")

    with pytest.raises(DomainError) as excinfo:
        _report(personas["bank_member"], files=[good, bad])

    assert name in excinfo.value.message
    assert not ErrorReport.objects.exists()
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    # The failed attempt used no reference number either.
    assert _report(personas["bank_member"]).reference.endswith("-0001")


def test_rolled_back_report_leaves_no_report_and_dispatches_nothing(
        personas, django_capture_on_commit_callbacks):
    with rolled_back(django_capture_on_commit_callbacks):
        _report(personas["bank_member"])

    assert not ErrorReport.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


# --- someone else moved it first -----------------------------------------------------------

def test_second_handler_taking_the_same_report_is_told_it_moved_and_nothing_changes(
        personas, bits_org):
    second_handler = member_of(bits_org, totp=True, email="handler2@bits.example.com")
    report = _new(personas)
    stale = ErrorReport.objects.get(pk=report.pk)  # what the second handler's page showed
    services.incident_take(report=report, by=personas["bits"])
    before = _snapshot(report)

    with pytest.raises(DomainError) as excinfo:
        services.incident_take(report=stale, by=second_handler)

    assert "endret status" in excinfo.value.message
    assert str(Status.IN_PROGRESS.label) in excinfo.value.message
    assert _snapshot(report) == before
    report.refresh_from_db()
    assert report.assignee == personas["bits"]


def test_bank_confirming_a_report_it_already_reopened_is_refused(personas):
    report = _resolved(personas)
    stale = ErrorReport.objects.get(pk=report.pk)
    services.incident_reopen(report=report, by=personas["bank_member"], reason="Ikke løst.")
    before = _snapshot(report)

    with pytest.raises(DomainError, match="endret status"):
        services.incident_confirm(report=stale, by=personas["bank_admin"])

    assert _snapshot(report) == before


@pytest.mark.parametrize(("build", "call"), [
    (_in_progress, lambda r, u: services.incident_request_info(report=r, by=u, message="  ")),
    (_in_progress, lambda r, u: services.incident_escalate(report=r, by=u, note="")),
    (_in_progress, lambda r, u: services.incident_resolve(report=r, by=u, guidance="\n")),
], ids=["request_info", "escalate", "resolve"])
def test_transition_that_needs_a_text_refuses_a_blank_one(personas, build, call):
    report = build(personas)
    before = _snapshot(report)
    with pytest.raises(DomainError):
        call(report, personas["bits"])
    assert _snapshot(report) == before


# --- details of single transitions ---------------------------------------------------------

def test_request_info_pauses_the_clock_and_bank_reply_resumes_it(personas):
    report = _awaiting(personas)
    assert report.paused_since is not None
    assert report.first_response_at is not None
    assert Message.objects.get(body="Send oss loggen.").visibility == Message.Visibility.PUBLIC

    report = services.incident_bank_reply(report=report, by=personas["bank_admin"],
                                          message="Her er loggen.")

    report.refresh_from_db()
    assert report.paused_since is None
    assert _events(report)[-1].data["paused_seconds"] == report.paused_seconds


def test_escalation_note_is_internal_and_lanekassen_may_then_see_the_report(personas):
    report = _escalated(personas)
    note = Message.objects.get(body="Se på dette.")
    assert note.visibility == Message.Visibility.INTERNAL
    assert report.escalated_at is not None
    assert report.assignee == personas["bits"]


def test_lanekassen_may_not_mark_fixed_what_was_never_escalated(personas):
    report = _in_progress(personas)
    before = _snapshot(report)
    with pytest.raises(DomainError):
        services.incident_mark_fixed(report=report, by=personas["lanekassen"],
                                     explanation="Rettet.")
    assert _snapshot(report) == before


def test_resolve_records_first_response_and_reopen_clears_resolved_at(personas):
    report = _resolved(personas)
    assert report.first_response_at is not None and report.resolved_at is not None
    report = services.incident_reopen(report=report, by=personas["bank_member"],
                                      reason="Samme feil i dag.")
    assert report.status == Status.IN_PROGRESS
    assert report.resolved_at is None
    assert Message.objects.filter(body="Samme feil i dag.",
                                  visibility=Message.Visibility.PUBLIC).exists()


def test_confirm_closes_the_report(personas):
    report = _closed(personas)
    assert report.status == Status.CLOSED
    assert report.closed_at is not None


def test_reclassify_moves_the_due_times_and_records_old_and_new_severity(personas):
    report = _in_progress(personas)
    old_due = report.first_response_due
    report = services.incident_reclassify(report=report, by=personas["bits"],
                                          severity="critical", reason="Alle kunder")
    assert report.severity == "critical"
    assert report.first_response_due < old_due
    assert _events(report)[-1].data == {"from": "high", "to": "critical",
                                        "reason": "Alle kunder"}


def test_reclassify_to_the_same_severity_records_nothing(personas):
    report = _in_progress(personas)
    before = _snapshot(report)
    services.incident_reclassify(report=report, by=personas["bits"], severity="high")
    assert _snapshot(report) == before


def test_reclassify_refuses_an_unknown_severity_and_a_closed_report(personas):
    report = _in_progress(personas)
    with pytest.raises(DomainError):
        services.incident_reclassify(report=report, by=personas["bits"], severity="urgent")
    closed = _closed(personas)
    before = _snapshot(closed)
    with pytest.raises(DomainError):
        services.incident_reclassify(report=closed, by=personas["bits"], severity="low")
    assert _snapshot(closed) == before


def test_bank_admins_are_told_when_the_reporter_has_left(personas):
    report = _new(personas)
    personas["bank_member"].is_active = False
    personas["bank_member"].save()
    before = _snapshot(report)
    services.incident_take(report=report, by=personas["bits"])
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == {
        personas["bank_admin"].email}


def test_every_bits_handler_is_told_when_the_assignee_has_left(personas, bits_org):
    second_handler = member_of(bits_org, totp=True, email="handler2@bits.example.com")
    report = _in_progress(personas)
    personas["bits"].is_active = False
    personas["bits"].save()
    before = _snapshot(report)
    _comment(report, "bank_member", personas, body="Hallo?")
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == {second_handler.email}


# --- replies and notes ---------------------------------------------------------------------

def _comment(report, who, personas, body="En melding", visibility=Message.Visibility.PUBLIC,
             files=()):
    return services.incident_comment(report=report, by=personas[who], body=body,
                                     visibility=visibility, files=files)


def test_bank_comment_while_awaiting_is_a_bank_reply_that_hands_the_report_back(
        personas, django_capture_on_commit_callbacks):
    report = _awaiting(personas)
    before = _snapshot(report)
    upload = SimpleUploadedFile("logg.txt", b"2026-01-05 09:00 500\n", content_type="text/plain")

    with django_capture_on_commit_callbacks(execute=True):
        _comment(report, "bank_member", personas, body="Her er loggen.", files=[upload])

    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert report.paused_since is None
    event = _new_rows(AuditEvent, before["audit"]).get()
    assert (event.verb, event.from_state, event.to_state, event.actor) == (
        "bank_replied", Status.AWAITING_BANK, Status.IN_PROGRESS, personas["bank_member"])
    message = _new_rows(Message, before["messages"]).get()
    assert (message.body, message.visibility) == ("Her er loggen.", Message.Visibility.PUBLIC)
    assert Attachment.objects.get().message == message
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == {
        personas["bits"].email}


def test_rolled_back_bank_reply_by_comment_leaves_report_waiting(
        personas, django_capture_on_commit_callbacks):
    report = _awaiting(personas)
    before = _snapshot(report)
    with rolled_back(django_capture_on_commit_callbacks):
        _comment(report, "bank_member", personas, body="Her er loggen.")
    assert _snapshot(report) == before


@pytest.mark.parametrize("who", ["bank_member", "bank_admin"])
def test_bank_comment_on_report_in_progress_tells_the_handler_and_keeps_status(personas, who):
    report = _in_progress(personas)
    first_response_at = report.first_response_at  # set when Bits took it
    before = _snapshot(report)

    _comment(report, who, personas, body="Det skjer igjen nå.")

    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert report.first_response_at == first_response_at  # the bank's words do not move it
    assert _new_rows(AuditEvent, before["audit"]).count() == 0
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == {personas["bits"].email}
    assert {n.recipient for n in _new_rows(Notification, before["notifications"])} == {
        personas["bits"]}


def test_bits_public_reply_is_first_response_and_tells_the_bank(
        personas, django_capture_on_commit_callbacks):
    report = _in_progress(personas)
    before = _snapshot(report)

    with django_capture_on_commit_callbacks(execute=True):
        _comment(report, "bits", personas, body="Vi ser på det.")

    report.refresh_from_db()
    assert report.first_response_at is not None
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == {
        personas["bank_member"].email}
    assert [m.to for m in mail.outbox] == [[personas["bank_member"].email]]


def test_public_reply_after_escalation_also_tells_the_other_side(personas):
    report = _escalated(personas)
    before = _snapshot(report)
    _comment(report, "bits", personas, body="Status: Lånekassen ser på det.")
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == _emails(
        personas, {"bank_member", "lanekassen"})

    before = _snapshot(report)
    _comment(report, "lanekassen", personas, body="Vi har funnet feilen.")
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == _emails(
        personas, {"bank_member", "bits"})


def test_internal_note_before_escalation_tells_nobody(personas):
    report = _in_progress(personas)
    before = _snapshot(report)
    _comment(report, "bits", personas, body="Trolig feil token.",
             visibility=Message.Visibility.INTERNAL)
    assert _new_rows(Message, before["messages"]).get().visibility == "internal"
    assert not _new_rows(OutboxMessage, before["outbox"]).exists()
    assert not _new_rows(Notification, before["notifications"]).exists()


def test_internal_note_after_escalation_tells_the_other_side_only(personas):
    report = _escalated(personas)
    before = _snapshot(report)
    _comment(report, "bits", personas, body="Logg vedlagt.", visibility="internal")
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == {
        personas["lanekassen"].email}

    before = _snapshot(report)
    _comment(report, "lanekassen", personas, body="Takk.", visibility="internal")
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == {personas["bits"].email}


@pytest.mark.parametrize(("who", "visibility"), [("bits", "bits"), ("lanekassen", "lanekassen")])
def test_note_for_ones_own_organisation_tells_nobody(personas, who, visibility):
    report = _escalated(personas)
    before = _snapshot(report)
    _comment(report, who, personas, body="Notat til oss selv.", visibility=visibility)
    assert _new_rows(Message, before["messages"]).get().visibility == visibility
    assert not _new_rows(OutboxMessage, before["outbox"]).exists()
    assert not _new_rows(Notification, before["notifications"]).exists()


@pytest.mark.parametrize(("build", "who", "visibility"), [
    (_in_progress, "other_bank", "public"),
    (_in_progress, "lanekassen", "public"),  # not escalated: Lånekassen does not see it
    (_in_progress, "bank_member", "internal"),
    (_in_progress, "bank_admin", "bits"),
    (_in_progress, "bits", "lanekassen"),
    (_escalated, "lanekassen", "bits"),
    (_closed, "bits", "public"),
    (_closed, "bank_member", "public"),
], ids=["other-bank", "lanekassen-before-escalation", "bank-internal", "bank-bits-note",
        "bits-lanekassen-note", "lanekassen-bits-note", "bits-on-closed", "bank-on-closed"])
def test_refused_comment_raises_and_saves_nothing(personas, build, who, visibility):
    report = build(personas)
    before = _snapshot(report)
    with pytest.raises(DomainError):
        _comment(report, who, personas, visibility=visibility)
    assert _snapshot(report) == before


def test_bank_reply_written_on_a_page_loaded_before_bits_asked_still_resumes_the_clock(
        personas):
    report = _in_progress(personas)
    stale = ErrorReport.objects.get(pk=report.pk)
    services.incident_request_info(report=report, by=personas["bits"], message="Logg?")

    _comment(stale, "bank_member", personas, body="Her er loggen.")

    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert report.paused_since is None
    assert _events(report)[-1].verb == "bank_replied"


def test_comment_on_a_report_closed_since_the_page_loaded_is_refused(personas):
    report = _resolved(personas)
    stale = ErrorReport.objects.get(pk=report.pk)
    services.incident_confirm(report=report, by=personas["bank_member"])
    before = _snapshot(report)

    with pytest.raises(DomainError):
        _comment(stale, "bits", personas, body="Én ting til.")

    assert _snapshot(report) == before


def test_comment_with_bad_attachment_saves_nothing(personas):
    report = _in_progress(personas)
    before = _snapshot(report)
    bad = SimpleUploadedFile("bilde.png", EXE, content_type="image/png")
    with pytest.raises(DomainError):
        _comment(report, "bank_member", personas, files=[bad])
    assert _snapshot(report) == before


def test_rolled_back_comment_leaves_no_message_and_dispatches_nothing(
        personas, django_capture_on_commit_callbacks):
    report = _in_progress(personas)
    before = _snapshot(report)
    with rolled_back(django_capture_on_commit_callbacks):
        _comment(report, "bits", personas, body="Vi ser på det.")
    assert _snapshot(report) == before


# --- closing by itself after five working days ---------------------------------------------

def _resolved_at(personas, moment):
    report = _resolved(personas)
    ErrorReport.objects.filter(pk=report.pk).update(resolved_at=moment)
    # The guidance posted when resolving belongs to the same moment.
    Message.objects.filter(object_id=report.pk, created_at__gte=moment).update(created_at=moment)
    return report


def test_a_reply_after_resolving_restarts_the_five_quiet_working_days(personas):
    # Resolved Thu 13 Nov 2025 10:00; the bank writes "takk, vi tester" Mon 17 Nov 09:00.
    # Five working days from then: Tue 18, Wed 19, Thu 20, Fri 21, Mon 24 Nov 09:00.
    report = _resolved_at(personas, datetime(2025, 11, 13, 10, 0, tzinfo=OSLO))
    reply = services.incident_comment(report=report, by=personas["bank_member"],
                                      body="Takk, vi tester i morgen.")
    Message.objects.filter(pk=reply.pk).update(
        created_at=datetime(2025, 11, 17, 9, 0, tzinfo=OSLO))
    assert services.incident_auto_close_due(now=datetime(2025, 11, 20, 10, 0, tzinfo=OSLO)) == 0
    assert services.incident_auto_close_due(now=datetime(2025, 11, 24, 8, 59, tzinfo=OSLO)) == 0
    assert services.incident_auto_close_due(now=datetime(2025, 11, 24, 9, 0, tzinfo=OSLO)) == 1
    report.refresh_from_db()
    assert report.status == Status.CLOSED


def test_resolved_report_is_still_open_four_working_days_later(personas):
    # Resolved Thursday 13 Nov 2025 10:00; working days after: Fri 14, Mon 17, Tue 18, Wed 19.
    report = _resolved_at(personas, datetime(2025, 11, 13, 10, 0, tzinfo=OSLO))
    before = _snapshot(report)
    closed = services.incident_auto_close_due(now=datetime(2025, 11, 19, 23, 59, tzinfo=OSLO))
    assert closed == 0
    assert _snapshot(report) == before


def test_resolved_report_closes_by_itself_five_working_days_later(
        personas, django_capture_on_commit_callbacks):
    # Thu 13 Nov 10:00 + 5 working days (Fri 14, Mon 17, Tue 18, Wed 19, Thu 20) = Thu 20 10:00.
    report = _resolved_at(personas, datetime(2025, 11, 13, 10, 0, tzinfo=OSLO))
    before = _snapshot(report)
    now = datetime(2025, 11, 20, 10, 0, tzinfo=OSLO)

    with django_capture_on_commit_callbacks(execute=True):
        closed = services.incident_auto_close_due(now=now)

    assert closed == 1
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert report.closed_at == now
    event = _new_rows(AuditEvent, before["audit"]).get()
    assert (event.verb, event.from_state, event.to_state, event.actor) == (
        "auto_closed", Status.RESOLVED, Status.CLOSED, None)
    told = _emails(personas, {"bank_member", "bits"})
    assert {m.to for m in _new_rows(OutboxMessage, before["outbox"])} == told
    assert {n.recipient.email for n in _new_rows(Notification, before["notifications"])} == told
    assert {m.to[0] for m in mail.outbox} == told


def test_auto_close_skips_a_public_holiday_and_runs_only_once(personas):
    # Resolved Tue 28 Apr 2026 12:00: Wed 29, Thu 30, (Fri 1 May is a public holiday),
    # Mon 4, Tue 5, Wed 6 May -> due Wed 6 May 12:00.
    report = _resolved_at(personas, datetime(2026, 4, 28, 12, 0, tzinfo=OSLO))
    assert services.incident_auto_close_due(now=datetime(2026, 5, 6, 11, 59, tzinfo=OSLO)) == 0
    assert services.incident_auto_close_due(now=datetime(2026, 5, 6, 12, 0, tzinfo=OSLO)) == 1
    before = _snapshot(report)
    assert services.incident_auto_close_due(now=datetime(2026, 5, 7, 12, 0, tzinfo=OSLO)) == 0
    assert _snapshot(report) == before


def test_auto_close_leaves_reports_that_are_not_resolved(personas):
    long_ago = datetime(2025, 1, 6, 9, 0, tzinfo=OSLO)
    in_progress = _in_progress(personas)
    reopened = _resolved_at(personas, long_ago)
    services.incident_reopen(report=reopened, by=personas["bank_member"], reason="Nei.")
    assert services.incident_auto_close_due(now=datetime(2025, 12, 1, tzinfo=OSLO)) == 0
    assert dict(ErrorReport.objects.values_list("pk", "status")) == {
        in_progress.pk: Status.IN_PROGRESS, reopened.pk: Status.IN_PROGRESS}


def test_rolled_back_auto_close_leaves_report_resolved_and_dispatches_nothing(
        personas, django_capture_on_commit_callbacks):
    report = _resolved_at(personas, datetime(2025, 11, 13, 10, 0, tzinfo=OSLO))
    before = _snapshot(report)
    with rolled_back(django_capture_on_commit_callbacks):
        services.incident_auto_close_due(now=datetime(2025, 12, 1, tzinfo=OSLO))
    assert _snapshot(report) == before
