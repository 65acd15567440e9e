"""The kernel's SLA'd case (casework.models.SlaCase, casework.slacase), on both
case types built on it — error reports and questions: each keeps its own transitions, the
clocks and the SLA report count a resolution only while the case is not open, the open filter
and the paged queue follow each type's own statuses, and a bank's message on a case waiting for
it is its answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import AuditEvent
from casework.registry import case_type
from casework.sla import calendar_get, sla_clocks, sla_facts
from casework.slacase import SlaQueue, sla_filter, sla_queue_order
from incidents import services as incidents
from incidents.models import ErrorReport
from questions import services as questions
from questions.models import Question


def _report(by):
    return incidents.incident_report(
        by=by, environment="test", severity="high", occurred_at=timezone.now(),
        request_ids=["req-1"], summary="Saldo mangler", description="Tom saldo.")


def _question(by):
    return questions.question_ask(by=by, category="technical", title="Hva betyr 403?",
                                  text="Vi får 403 i test.")


# Per case type, through its own services: the bank opens one; Bits asks the bank for more,
# or resolves it; the bank reopens it.
TYPES = {
    "incident": {
        "open": _report,
        "ask": lambda c, bits: incidents.incident_request_info(report=c, by=bits,
                                                                message="Logg?"),
        "resolve": lambda c, bits: incidents.incident_resolve(report=c, by=bits,
                                                               guidance="Løst."),
        "reopen": lambda c, bank: incidents.incident_reopen(report=c, by=bank, reason="Nei."),
    },
    "question": {
        "open": _question,
        "ask": lambda c, bits: questions.question_request_info(question=c, by=bits,
                                                                message="Miljø?"),
        "resolve": lambda c, bits: questions.question_answer(question=c, by=bits,
                                                              answer="Slik."),
        "reopen": lambda c, bank: questions.question_follow_up(question=c, by=bank,
                                                                message="Og i prod?"),
    },
}


@pytest.mark.parametrize(("model", "transitions"), [
    (ErrorReport, {"take", "request_info", "bank_reply", "escalate", "mark_fixed", "resolve",
                   "confirm", "reopen", "auto_close"}),
    (Question, {"take", "request_info", "bank_reply", "forward", "give_guidance", "answer",
                "relay", "accept", "follow_up", "auto_close"}),
])
def test_each_sla_case_type_keeps_its_own_transitions(model, transitions):
    # The abstract SlaCase's copy of the status field lets go of them (casework.models):
    # otherwise it would claim them and the type's own status field would list none.
    assert {t.name for t in model().get_all_status_transitions()} == transitions


@pytest.mark.parametrize("key", TYPES)
def test_resolution_counts_while_resolved_and_not_once_the_bank_reopens(
        key, bank_member, bits_user):
    steps = TYPES[key]
    case = steps["resolve"](steps["open"](bank_member), bits_user)
    facts = sla_facts(case)
    assert facts["resolved_at"] is not None
    assert facts["first_response_at"] == facts["resolved_at"]  # resolving is an answer
    assert facts["key"] == case.sla_key and facts["key_label"] == case.sla_key_display()
    assert sla_clocks(case=case, calendar=calendar_get())["resolution"].state == "met"

    case = steps["reopen"](case, bank_member)
    assert sla_facts(case)["resolved_at"] is None
    assert sla_clocks(case=case, calendar=calendar_get())["resolution"].state != "met"


@pytest.mark.parametrize("key", TYPES)
def test_open_filter_leaves_out_what_is_resolved(key, bank_member, bits_user):
    steps = TYPES[key]
    waiting = steps["open"](bank_member)
    steps["resolve"](steps["open"](bank_member), bits_user)
    model = case_type(key).model
    assert list(sla_filter(model.objects.all(), status="open")) == [waiting]


@pytest.mark.parametrize("key", TYPES)
def test_bank_message_on_a_case_waiting_for_it_is_its_answer_and_the_clock_runs_again(
        key, bank_member, bits_user):
    steps, ct = TYPES[key], case_type(key)
    case = steps["open"](bank_member)
    asked = steps["ask"](case, bits_user)
    assert asked.status == ct.model.AWAITING_BANK and asked.paused_since is not None

    ct.comment(case=case, by=bank_member, body="Her.", visibility="public", files=())

    case.refresh_from_db()
    assert case.status == "in_progress" and case.paused_since is None
    event = AuditEvent.objects.filter(verb="bank_replied").get()
    assert event.data["paused_seconds"] == case.paused_seconds


@pytest.mark.parametrize("key", TYPES)
def test_queue_pages_follow_the_queue_order_for_each_type(key, bank_member, bits_user):
    steps = TYPES[key]
    cases = [steps["open"](bank_member) for _ in range(6)]
    for case in cases[:2]:
        steps["resolve"](case, bits_user)
    model = case_type(key).model
    # Two due and made at the same moment: the id keeps their order between pages.
    model.objects.filter(pk__in=[c.pk for c in cases[4:]]).update(
        created_at=timezone.now() - timedelta(hours=1), resolution_due=timezone.now())
    now = timezone.now()
    expected = list(sla_queue_order(model.objects.all(), now=now))
    queue = SlaQueue(model.objects.all(), now=now)

    assert queue.count() == len(expected) == 6
    assert queue[0:4] + queue[4:8] == expected
    assert {c.status for c in expected[-2:]} <= set(model.closed_statuses)
