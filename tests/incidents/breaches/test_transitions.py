"""Every transition and case event of a security breach, tried by every persona (the shared
matrix): the audit event, who is told, and that nothing is queued on rollback."""

import pytest
from django.utils import timezone

from balances.models import ApiAccess
from balances.services import api_access_grant
from incidents.breaches import containment, services
from incidents.breaches.models import Breach, Status
from tests.incidents.breaches.conftest import FINAL_FACTS, facts, report
from tests.support.transitions import PERSONAS, Transition, TransitionMatrix

pytestmark = pytest.mark.django_db

BREACH_PERSONAS = (*PERSONAS, "security_contact")


def _reported(p):
    return report(p["security_contact"])


def _received(p):
    return services.breach_confirm_receipt(breach=_reported(p), by=p["lanekassen"])


def _received_with_access(p):
    api_access_grant(organisation=p["security_contact"].membership.organisation,
                     environment="test", by=p["lanekassen"])
    return _received(p)


def _final(p):
    breach = services.breach_report_final(breach=_received(p), by=p["security_contact"],
                                          facts=facts(**FINAL_FACTS))
    return services.breach_authority_record(breach=breach, by=p["lanekassen"], notified=True,
                                            at=timezone.now(), reference="DT-22/1")


def _access_rows():
    return {"access": list(ApiAccess.objects.values("pk", "suspended_at", "suspended_reason"))}


MATRIX = TransitionMatrix(model=Breach, personas=BREACH_PERSONAS,
                          personas_fixture="breach_personas", extra_snapshot=_access_rows,
                          case_events_only=True, transitions={
    "confirm_receipt": Transition(
        build=_reported, call=lambda b, u: services.breach_confirm_receipt(breach=b, by=u),
        allowed={"lanekassen"}, verb="receipt_confirmed", from_state=Status.REPORTED,
        to_state=Status.RECEIVED, told={"security_contact", "bits"}),
    "intermediate": Transition(
        build=_received, call=lambda b, u: services.breach_report_intermediate(
            breach=b, by=u, facts=facts(persons_approx=55)),
        allowed={"security_contact", "bank_admin"}, verb="intermediate_reported",
        from_state=Status.RECEIVED, told={"bits", "lanekassen"}),
    "final": Transition(
        build=_received, call=lambda b, u: services.breach_report_final(
            breach=b, by=u, facts=facts(**FINAL_FACTS)),
        allowed={"security_contact", "bank_admin"}, verb="final_reported",
        from_state=Status.RECEIVED, to_state=Status.FINAL, told={"bits", "lanekassen"}),
    "dora": Transition(
        build=_received, call=lambda b, u: services.breach_dora_classify(
            breach=b, by=u, classified_at=timezone.now()),
        allowed={"security_contact", "bank_admin"}, verb="dora_classified",
        from_state=Status.RECEIVED, told={"bits", "lanekassen"}),
    "ask": Transition(
        build=_received, call=lambda b, u: services.breach_ask(breach=b, by=u,
                                                                message="Hvilke nøkler?"),
        allowed={"bits", "lanekassen"}, verb="more_requested", from_state=Status.RECEIVED,
        told={"security_contact"}),
    "suspend": Transition(
        build=_received_with_access, call=lambda b, u: containment.breach_api_suspend(
            breach=b, by=u, reason="Lekket nøkkel"),
        allowed={"lanekassen"}, verb="api_suspended", from_state=Status.RECEIVED,
        told={"security_contact", "bits"}),
    "close": Transition(
        build=_final, call=lambda b, u: services.breach_close(breach=b, by=u),
        allowed={"lanekassen"}, verb="closed", from_state=Status.FINAL,
        to_state=Status.CLOSED, told={"security_contact", "bits"}),
})

(test_allowed_persona_moves_the_case_with_audit_and_outbox_after_commit,
 test_refused_persona_gets_domain_error_and_nothing_changes,
 test_rolled_back_transition_leaves_no_outbox_and_dispatches_nothing) = MATRIX.tests()
