"""Every transition of a change request, tried by every persona (tests/support/transitions):
who may, the audit event on the request, who is told (after commit, once), that a refused
call changes nothing and that a rolled-back one queues nothing."""

import pytest

from casework.models import Environment
from changerequests import services
from changerequests.models import (
    ChangeRequest,
    Follower,
    GovernanceDecision,
    ImpactAnswer,
    Status,
    Vote,
)
from tests.changerequests import builders as b
from tests.support.transitions import Transition, TransitionMatrix

pytestmark = pytest.mark.django_db
S = Status


def _rows():
    """The request's own rows a refused or rolled-back call must leave as they were."""
    from notices.models import Notice

    return {model.__name__: list(model.objects.values_list("pk", flat=True))
            for model in (Vote, Follower, GovernanceDecision, ImpactAnswer, Notice)}


def _merge_call(case, user):
    original = ChangeRequest.objects.exclude(pk=case.pk).get(status=S.OPEN)
    return services.change_request_merge(request=case, by=user, original=original)


MATRIX = TransitionMatrix(model=ChangeRequest, extra_snapshot=_rows, case_events_only=True,
                          transitions={
    "submit": Transition(
        build=b.draft, call=lambda c, u: services.change_request_submit(request=c, by=u),
        allowed={"bank_member", "bank_admin"}, verb="submitted", from_state=S.DRAFT,
        to_state=S.SUBMITTED, told={"bits"}),
    "resubmit": Transition(
        build=b.returned, call=lambda c, u: services.change_request_submit(request=c, by=u),
        allowed={"bank_member", "bank_admin"}, verb="submitted", from_state=S.RETURNED,
        to_state=S.SUBMITTED, told={"bits"}),
    "open": Transition(
        build=b.submitted, call=lambda c, u: services.change_request_open(request=c, by=u),
        allowed={"bits"}, verb="opened", from_state=S.SUBMITTED, to_state=S.OPEN,
        told={"bank_member"}),
    "return": Transition(
        build=b.submitted, call=lambda c, u: services.change_request_return(
            request=c, by=u, message="Hva er nytten?"),
        allowed={"bits"}, verb="returned", from_state=S.SUBMITTED, to_state=S.RETURNED,
        told={"bank_member"}),
    "reject_out_of_scope": Transition(
        build=b.submitted, call=lambda c, u: services.change_request_reject_out_of_scope(
            request=c, by=u, reason="Gjelder bankens egen løsning."),
        allowed={"bits"}, verb="rejected_out_of_scope", from_state=S.SUBMITTED,
        to_state=S.REJECTED, told={"bank_member"}),
    "merge": Transition(
        build=lambda p: b.duplicate_of_opened(p)[1], call=_merge_call,
        allowed={"bits"}, verb="merged", from_state=S.SUBMITTED, to_state=S.MERGED,
        told={"other_bank"}),
    "forum_recommend": Transition(
        build=b.opened, call=lambda c, u: services.change_request_forum_recommend(
            request=c, by=u, decided_on=b.date(2026, 3, 10), recommended=False,
            rationale="Bør løses i bankene."),
        allowed={"bits"}, verb="forum_recommended", from_state=S.OPEN,
        to_state=S.RECOMMENDED, told={"bank_member"}),
    "forward": Transition(
        build=b.recommended, call=lambda c, u: services.change_request_reference_group_decide(
            request=c, by=u, decided_on=b.date(2026, 3, 20), forward=True,
            rationale="Bred støtte."),
        allowed={"bits"}, verb="forwarded", from_state=S.RECOMMENDED,
        to_state=S.WITH_LANEKASSEN, told={"bank_member", "lanekassen"}),
    "not_forward": Transition(
        build=b.recommended, call=lambda c, u: services.change_request_reference_group_decide(
            request=c, by=u, decided_on=b.date(2026, 3, 20), forward=False,
            rationale="For lite nytte."),
        allowed={"bits"}, verb="not_forwarded", from_state=S.RECOMMENDED,
        to_state=S.NOT_FORWARDED, told={"bank_member"}),
    "accept": Transition(
        build=b.with_lanekassen, call=lambda c, u: services.change_request_accept(
            request=c, by=u, planned_release="2026.2", rationale="Liten endring.", effort=2),
        allowed={"lanekassen"}, verb="accepted", from_state=S.WITH_LANEKASSEN,
        to_state=S.ACCEPTED, told={"bank_member", "bits"}),
    "reject": Transition(
        build=b.with_lanekassen, call=lambda c, u: services.change_request_reject(
            request=c, by=u, rationale="Strider mot forskriften."),
        allowed={"lanekassen"}, verb="rejected", from_state=S.WITH_LANEKASSEN,
        to_state=S.REJECTED, told={"bank_member", "bits"}),
    "defer": Transition(
        build=b.with_lanekassen, call=lambda c, u: services.change_request_defer(
            request=c, by=u, until=b.timezone.localdate() + b.timedelta(days=60),
            rationale="Venter på ny forskrift."),
        allowed={"lanekassen"}, verb="deferred", from_state=S.WITH_LANEKASSEN,
        to_state=S.DEFERRED, told={"bank_member", "bits"}),
    "accept_deferred_early": Transition(
        build=b.deferred, call=lambda c, u: services.change_request_accept(
            request=c, by=u, planned_release="2026.3", rationale="Forskriften kom tidlig."),
        allowed={"lanekassen"}, verb="accepted", from_state=S.DEFERRED,
        to_state=S.ACCEPTED, told={"bank_member", "bits"}),
    "accept_own": Transition(
        build=b.lanekassen_own, call=lambda c, u: services.change_request_accept(
            request=c, by=u, planned_release="2026.2", rationale="Følger av forskriften."),
        allowed={"lanekassen"}, verb="accepted", from_state=S.OPEN, to_state=S.ACCEPTED,
        told={"bits"}),
    "start_development": Transition(
        build=b.accepted, call=lambda c, u: services.change_request_start_development(
            request=c, by=u),
        allowed={"lanekassen"}, verb="development_started", from_state=S.ACCEPTED,
        to_state=S.IN_DEVELOPMENT, told={"bank_member"}),
    "deliver_test": Transition(
        build=b.in_development, call=lambda c, u: services.change_request_deliver(
            request=c, by=u, environment=Environment.TEST),
        allowed={"lanekassen"}, verb="delivered_test", from_state=S.IN_DEVELOPMENT,
        to_state=S.IN_TEST, told={"bank_member"}),
    "deliver_production": Transition(
        build=b.in_test, call=lambda c, u: services.change_request_deliver(
            request=c, by=u, environment=Environment.PRODUCTION),
        allowed={"lanekassen"}, verb="delivered_production", from_state=S.IN_TEST,
        to_state=S.IN_PRODUCTION, told={"bank_member"}),
})

(test_allowed_persona_moves_the_case_with_audit_and_outbox_after_commit,
 test_refused_persona_gets_domain_error_and_nothing_changes,
 test_rolled_back_transition_leaves_no_outbox_and_dispatches_nothing) = MATRIX.tests()
