"""Every transition of a question, tried by every persona through the shared matrix: who may
and who may not, the audit event, the outbox rows for the next actor, and that nothing is
queued when the surrounding transaction rolls back."""

import pytest

from questions import services
from questions.models import Question, Status
from tests.questions.builders import at
from tests.support.transitions import Transition, TransitionMatrix

pytestmark = pytest.mark.django_db

BANK = {"bank_member", "bank_admin"}


def _in(status):
    return lambda p: at(status, p)


MATRIX = TransitionMatrix(model=Question, transitions={
    "take": Transition(
        build=_in(Status.NEW), allowed={"bits"}, verb="taken",
        call=lambda q, u: services.question_take(question=q, by=u),
        from_state=Status.NEW, to_state=Status.IN_PROGRESS, told={"bank_member"}),
    "answer": Transition(
        build=_in(Status.IN_PROGRESS), allowed={"bits"}, verb="answered",
        call=lambda q, u: services.question_answer(question=q, by=u, answer="Slik gjør dere."),
        from_state=Status.IN_PROGRESS, to_state=Status.ANSWERED, told={"bank_member"}),
    "request_info": Transition(
        build=_in(Status.IN_PROGRESS), allowed={"bits"}, verb="info_requested",
        call=lambda q, u: services.question_request_info(question=q, by=u,
                                                         message="Hvilken X-Request-Id?"),
        from_state=Status.IN_PROGRESS, to_state=Status.AWAITING_BANK, told={"bank_member"}),
    "bank_reply": Transition(
        build=_in(Status.AWAITING_BANK), allowed=BANK, verb="bank_replied",
        call=lambda q, u: services.question_bank_reply(question=q, by=u, message="Test."),
        from_state=Status.AWAITING_BANK, to_state=Status.IN_PROGRESS, told={"bits"}),
    "forward": Transition(
        build=_in(Status.IN_PROGRESS), allowed={"bits"}, verb="forwarded",
        call=lambda q, u: services.question_forward(question=q, by=u, note="Hva gjelder?"),
        from_state=Status.IN_PROGRESS, to_state=Status.FORWARDED,
        told={"lanekassen", "bank_member"}),
    "give_guidance": Transition(
        build=_in(Status.FORWARDED), allowed={"lanekassen"}, verb="guidance_given",
        call=lambda q, u: services.question_give_guidance(question=q, by=u,
                                                          guidance="Regelverket sier …"),
        from_state=Status.FORWARDED, to_state=Status.GUIDANCE_GIVEN, told={"bits"}),
    "relay": Transition(
        build=_in(Status.GUIDANCE_GIVEN), allowed={"bits"}, verb="relayed",
        call=lambda q, u: services.question_relay(question=q, by=u, answer="Lånekassen sier …"),
        from_state=Status.GUIDANCE_GIVEN, to_state=Status.ANSWERED, told={"bank_member"}),
    "accept": Transition(
        build=_in(Status.ANSWERED), allowed=BANK, verb="accepted",
        call=lambda q, u: services.question_accept(question=q, by=u),
        from_state=Status.ANSWERED, to_state=Status.CLOSED, told={"bits"}),
    "follow_up": Transition(
        build=_in(Status.ANSWERED), allowed=BANK, verb="followed_up",
        call=lambda q, u: services.question_follow_up(question=q, by=u,
                                                      message="Gjelder det også i prod?"),
        from_state=Status.ANSWERED, to_state=Status.IN_PROGRESS, told={"bits"}),
})

(test_allowed_persona_moves_the_case_with_audit_and_outbox_after_commit,
 test_refused_persona_gets_domain_error_and_nothing_changes,
 test_rolled_back_transition_leaves_no_outbox_and_dispatches_nothing) = MATRIX.tests()
