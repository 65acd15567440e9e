"""Questions beyond the transition matrix: asking (and what is refused), the conversation,
the SLA clock per category, Bits' queue and the auto-close after five quiet working days."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.errors import DomainError
from casework.models import Attachment, AuditEvent, Message, SlaTarget
from casework.runner import SYSTEM
from casework.sla import calendar_get, sla_clocks
from casework.slacase import sla_queue_order
from notifications.models import Notification
from questions import services, tasks
from questions.models import Question, Status
from tests.questions.builders import ask, at

OSLO = ZoneInfo("Europe/Oslo")
V = Message.Visibility


@pytest.fixture
def clock(monkeypatch):
    """Sets what `timezone.now()` answers, for the services and the models' auto_now."""

    class Clock:
        def set(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


# --- asking -------------------------------------------------------------------------------

def test_bank_user_asks_and_gets_an_sp_reference_and_bits_is_told(personas):
    question = ask(personas["bank_member"], environment="")

    assert question.reference == f"SP-{timezone.localdate().year}-0001"
    assert (question.status, question.environment) == (Status.NEW, "")
    assert question.organisation == personas["bank_member"].membership.organisation
    event = AuditEvent.objects.get()
    assert (event.verb, event.to_state, event.actor) == ("asked", Status.NEW,
                                                         personas["bank_member"])
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        personas["bits"].email}


def test_second_question_gets_the_next_reference(personas):
    ask(personas["bank_member"])
    assert ask(personas["bank_admin"]).reference.endswith("-0002")


@pytest.mark.parametrize("who", ["bits", "lanekassen"])
def test_only_bank_users_ask(personas, who):
    with pytest.raises(DomainError):
        ask(personas[who])
    assert not Question.objects.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("text", ""), ("text", "   "), ("text", "x" * 20_000), ("title", ""), ("title", "x" * 201),
    ("category", "weather"), ("environment", "staging"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(personas, field, value):
    with pytest.raises(DomainError) as refused:
        ask(personas["bank_member"], **{field: value})
    assert refused.value.field == field
    assert not Question.objects.exists()


def test_a_question_of_exactly_ten_thousand_characters_is_accepted(personas):
    assert len(ask(personas["bank_member"], text="x" * 10_000).text) == 10_000


def test_attachments_are_kept_and_a_bad_file_saves_nothing(personas):
    log = SimpleUploadedFile("logg.txt", b"403 Forbidden\n", content_type="text/plain")
    question = ask(personas["bank_member"], files=[log])
    assert Attachment.objects.get().filename == "logg.txt"

    elf = SimpleUploadedFile("x.bin", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120)
    with pytest.raises(DomainError) as refused:
        ask(personas["bank_member"], files=[elf])
    assert refused.value.field == "attachments"
    assert list(Question.objects.all()) == [question]


# --- the conversation -----------------------------------------------------------------------

def test_bank_reply_to_a_question_waiting_for_it_hands_it_back_to_bits(personas):
    question = at(Status.AWAITING_BANK, personas)

    services.question_comment(case=question, by=personas["bank_member"], body="Det er test.")

    question.refresh_from_db()
    assert question.status == Status.IN_PROGRESS
    assert AuditEvent.objects.filter(verb="bank_replied").exists()


def test_bank_message_on_an_answered_question_keeps_it_answered(personas):
    question = at(Status.ANSWERED, personas)
    services.question_comment(case=question, by=personas["bank_member"], body="Takk!")
    question.refresh_from_db()
    assert question.status == Status.ANSWERED


def test_internal_note_before_forwarding_tells_nobody_outside_bits(personas):
    question = at(Status.IN_PROGRESS, personas)
    before = Notification.objects.count()
    services.question_comment(case=question, by=personas["bits"], body="Notat.",
                              visibility=V.INTERNAL)
    assert Notification.objects.count() == before


def test_bank_cannot_write_an_internal_note(personas):
    question = at(Status.NEW, personas)
    with pytest.raises(DomainError) as refused:
        services.question_comment(case=question, by=personas["bank_member"], body="Hei",
                                  visibility=V.INTERNAL)
    assert refused.value.field == "visibility"


def test_nobody_writes_on_a_closed_question(personas):
    question = at(Status.CLOSED, personas)
    with pytest.raises(DomainError):
        services.question_comment(case=question, by=personas["bits"], body="Hei")


def test_other_bank_cannot_write_on_a_question(personas):
    question = at(Status.NEW, personas)
    with pytest.raises(DomainError):
        services.question_comment(case=question, by=personas["other_bank"], body="Hei")
    assert not Message.objects.exists()


def test_first_public_reply_from_bits_is_the_first_response(personas):
    question = at(Status.NEW, personas)
    services.question_comment(case=question, by=personas["bits"], body="Vi ser på det.")
    question.refresh_from_db()
    assert question.first_response_at is not None


def test_lanekassen_sees_the_question_only_once_it_is_forwarded(personas):
    from questions.permissions import can_view

    question = at(Status.IN_PROGRESS, personas)
    assert not can_view(question, personas["lanekassen"])
    question = services.question_forward(question=question, by=personas["bits"], note="Se her.")
    assert can_view(question, personas["lanekassen"])


def test_bits_relays_lanekassens_guidance_and_the_bank_accepts(personas):
    question = at(Status.GUIDANCE_GIVEN, personas)
    question = services.question_relay(question=question, by=personas["bits"],
                                       answer="Kort fortalt: samtykket må fornyes.")
    question = services.question_accept(question=question, by=personas["bank_member"])
    assert question.status == Status.CLOSED and question.closed_at is not None
    bank_can_read = Message.objects.filter(visibility=V.PUBLIC).values_list("body", flat=True)
    assert "Kort fortalt: samtykket må fornyes." in bank_can_read
    assert "403 betyr at samtykket mangler." not in bank_can_read  # Lånekassen's own note


# --- SLA ----------------------------------------------------------------------------------

def oslo(*args):
    return datetime(*args, tzinfo=OSLO)


def test_every_category_has_seeded_targets(db):
    categories = set(SlaTarget.objects.filter(process="question")
                     .values_list("severity", flat=True))
    assert categories == {"technical", "professional", "onboarding", "agreement", "other"}


def test_due_times_follow_the_category_on_bits_opening_hours(personas, clock):
    # Monday 2 March 2026, 14:00; winter hours 08:00–15:45. Technical: 4 h / 3 days of 7 h.
    clock.set(oslo(2026, 3, 2, 14, 0))
    question = ask(personas["bank_member"], category="technical")
    assert question.first_response_due == oslo(2026, 3, 3, 10, 15)  # 1 h 45 + 2 h 15
    professional = ask(personas["bank_member"], category="professional")
    assert professional.first_response_due == oslo(2026, 3, 3, 13, 15)  # 7 h later


def test_waiting_for_the_bank_pauses_the_clock(personas, clock):
    clock.set(oslo(2026, 3, 2, 9, 0))
    question = ask(personas["bank_member"])
    due = question.resolution_due
    clock.set(oslo(2026, 3, 2, 10, 0))
    question = services.question_request_info(question=question, by=personas["bits"],
                                              message="Hvilket miljø?")
    sla = sla_clocks(case=question, calendar=calendar_get(), now=oslo(2026, 3, 2, 12, 0))
    assert sla["resolution"].state == "paused"
    clock.set(oslo(2026, 3, 2, 13, 0))
    services.question_comment(case=question, by=personas["bank_member"], body="Test.")
    question.refresh_from_db()
    assert question.paused_seconds == 3 * 3600
    assert question.resolution_due == calendar_get().add(due, timedelta(hours=3))


def test_answering_meets_the_resolution_target(personas):
    question = at(Status.ANSWERED, personas)
    sla = sla_clocks(case=question, calendar=calendar_get())
    assert sla["first_response"].state == "met"
    assert sla["resolution"].state == "met"


def test_bits_queue_puts_new_questions_first_then_unassigned(personas):
    taken = at(Status.IN_PROGRESS, personas)
    new = at(Status.NEW, personas)
    answered = at(Status.ANSWERED, personas)
    order = list(sla_queue_order(Question.objects.all()))
    assert order[:2] == [new, taken]
    assert order[-1] == answered


# --- auto-close ---------------------------------------------------------------------------

def _five_working_days_after(moment):
    return calendar_get().add_working_days(moment, 5)


def test_answered_question_closes_itself_after_five_quiet_working_days(personas):
    question = at(Status.ANSWERED, personas)
    notified = Notification.objects.count()
    due = _five_working_days_after(question.answered_at)

    assert services.question_auto_close_due(now=due - timedelta(minutes=1)) == 0
    assert services.question_auto_close_due(now=due + timedelta(minutes=1)) == 1

    question.refresh_from_db()
    assert question.status == Status.CLOSED
    event = AuditEvent.objects.filter(verb="auto_closed").get()
    assert (event.actor, event.from_state, event.to_state) == (None, Status.ANSWERED,
                                                               Status.CLOSED)
    told = set(Notification.objects.all()[notified:].values_list("recipient__email", flat=True))
    assert told == {personas["bank_member"].email, personas["bits"].email}


def test_a_reply_after_the_answer_restarts_the_quiet_period(personas, clock):
    question = at(Status.ANSWERED, personas)
    later = question.answered_at + timedelta(days=3)
    clock.set(later)
    services.question_comment(case=question, by=personas["bank_member"], body="Et spørsmål til")
    clock.set(_five_working_days_after(question.answered_at) + timedelta(minutes=1))
    assert services.question_auto_close_due() == 0
    assert services.question_auto_close_due(
        now=_five_working_days_after(later) + timedelta(minutes=1)) == 1


@pytest.mark.parametrize("who", ["bank_member", "bank_admin", "other_bank", "bits",
                                 "lanekassen"])
def test_no_person_can_auto_close(personas, who):
    question = at(Status.ANSWERED, personas)
    with pytest.raises(DomainError):
        services.question_auto_close(question=question, by=personas[who])
    question.refresh_from_db()
    assert question.status == Status.ANSWERED


def test_auto_close_runs_from_the_beat_schedule(personas, clock):
    question = at(Status.ANSWERED, personas)
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "questions.tasks.auto_close_answered" in schedule
    clock.set(_five_working_days_after(question.answered_at) + timedelta(hours=1))
    assert tasks.auto_close_answered.delay().get() == 1
    question.refresh_from_db()
    assert question.status == Status.CLOSED


def test_system_actor_only_closes_answered_questions(personas):
    question = at(Status.IN_PROGRESS, personas)
    with pytest.raises(DomainError):
        services.question_auto_close(question=question, by=SYSTEM)
