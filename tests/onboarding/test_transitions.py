"""Every step of an onboarding case (A.1–A.4 and the side states): who may and who may not,
the audit event on the case, the outbox rows for the next actor, and that nothing is queued
when the surrounding transaction rolls back."""

import pytest
from django.contrib.contenttypes.models import ContentType

from balances.models import ApiAccess, ApiKey
from casework.errors import DomainError
from casework.models import AuditEvent, Message
from notifications.models import Notification
from onboarding import services
from onboarding.models import OnboardingCase, Status, TermsSignature
from onboarding.selectors import case_suspension
from tests.onboarding.builders import (
    at_awaiting_readiness,
    at_awaiting_routines,
    at_awaiting_signature,
    at_completed,
    at_production_requested,
    at_returned,
    at_submitted,
    at_suspended,
    at_test_ordered,
    at_test_review,
    at_testing,
)
from tests.support.transitions import Transition, TransitionMatrix

PERSONAS = ("bank_member", "bank_admin", "signer", "other_bank", "bits", "lanekassen",
            "lk_admin")
LK = {"lanekassen", "lk_admin"}  # a caseworker and an admin: both take Lånekassen's steps


def _sign(case, user):
    from onboarding.selectors import terms_current

    return services.terms_sign(terms=terms_current(), by=user, maskinporten_accepted=True)


def _rejected(p):
    return services.onboarding_reject(case=at_submitted(p), by=p["bits"],
                                      reason="Feil juridisk navn.")


def _signed(p):
    case = at_awaiting_signature(p)
    _sign(case, p["signer"])
    case.refresh_from_db()
    return case


def _onboarding_rows():
    """Onboarding's own rows outside the case, which `balances` and the terms keep."""
    return {
        "signatures": list(TermsSignature.objects.values_list("pk", flat=True)),
        "access": list(ApiAccess.objects.order_by("pk").values_list(
            "pk", "suspended_at", "suspended_reason", "offboarded_at")),
        "keys": list(ApiKey.objects.order_by("pk").values_list("pk", "revoked_at")),
    }


MATRIX = TransitionMatrix(
    model=OnboardingCase, personas=PERSONAS, personas_fixture="p",
    extra_snapshot=_onboarding_rows, case_events_only=True, transitions={
        "verify": Transition(
            build=at_submitted, call=lambda c, u: services.onboarding_verify(case=c, by=u),
            allowed={"bits"}, verb="verified", from_state=Status.SUBMITTED,
            to_state=Status.AWAITING_SIGNATURE, told={"bank_admin", "signer"}),
        "return": Transition(
            build=at_submitted, call=lambda c, u: services.onboarding_return(
                case=c, by=u, message="Oppgi testdomenene på nytt."),
            allowed={"bits"}, verb="returned", from_state=Status.SUBMITTED,
            to_state=Status.RETURNED, told={"bank_admin"}),
        "resubmit": Transition(
            build=at_returned, call=lambda c, u: services.onboarding_resubmit(
                case=c, by=u, name="Testbank A ASA", supplier_orgnr="", supplier_name="",
                test_endpoints=["api.test.bank-a.no", "192.0.2.0/24"], comment="Lagt til IP."),
            allowed={"bank_admin"}, verb="resubmitted", from_state=Status.RETURNED,
            to_state=Status.SUBMITTED, told={"bits"}),
        "reject": Transition(
            build=at_submitted, call=lambda c, u: services.onboarding_reject(
                case=c, by=u, reason="Ikke et finansforetak."),
            allowed={"bits"}, verb="rejected", from_state=Status.SUBMITTED,
            to_state=Status.REJECTED, told={"bank_admin"}),
        "reject_returned": Transition(
            build=at_returned, call=lambda c, u: services.onboarding_reject(
                case=c, by=u, reason="Svarte ikke."),
            allowed={"bits"}, verb="rejected", from_state=Status.RETURNED,
            to_state=Status.REJECTED, told={"bank_admin"}),
        "reopen_registration": Transition(
            build=_rejected, call=lambda c, u: services.onboarding_reopen_registration(
                case=c, by=u, message="Send inn med riktig juridisk navn."),
            allowed={"bits"}, verb="registration_reopened", from_state=Status.REJECTED,
            to_state=Status.RETURNED, told={"bank_admin"}),
        "sign": Transition(
            build=at_awaiting_signature, call=_sign, allowed={"signer"}, verb="terms_signed",
            from_state=Status.AWAITING_SIGNATURE, to_state=Status.AWAITING_TEST_ORDER,
            told={"bits"}),
        "order_test": Transition(
            build=_signed, call=lambda c, u: services.onboarding_order_test(case=c, by=u),
            allowed={"bits"}, verb="test_ordered", from_state=Status.AWAITING_TEST_ORDER,
            to_state=Status.TEST_ORDERED, told=LK),
        "grant_test": Transition(
            build=at_test_ordered,
            call=lambda c, u: services.onboarding_grant_test(case=c, by=u),
            allowed=LK, verb="test_granted", from_state=Status.TEST_ORDERED,
            to_state=Status.TESTING, told={"bank_admin"}),
        "report_test_done": Transition(
            build=at_testing, call=lambda c, u: services.onboarding_report_test_done(
                case=c, by=u, message="Alle 17 testkunder gir riktig svar."),
            allowed={"bank_admin"}, verb="test_reported", from_state=Status.TESTING,
            to_state=Status.TEST_REVIEW, told={"bits"}),
        "approve_test": Transition(
            build=at_test_review,
            call=lambda c, u: services.onboarding_approve_test(case=c, by=u),
            allowed={"bits"}, verb="test_approved", from_state=Status.TEST_REVIEW,
            to_state=Status.AWAITING_READINESS, told={"bank_admin"}),
        "return_test": Transition(
            build=at_test_review, call=lambda c, u: services.onboarding_return_test(
                case=c, by=u, comments="Testkunden med over én million mangler."),
            allowed={"bits"}, verb="test_returned", from_state=Status.TEST_REVIEW,
            to_state=Status.TESTING, told={"bank_admin"}),
        "confirm_readiness": Transition(
            build=at_awaiting_readiness,
            call=lambda c, u: services.onboarding_confirm_readiness(
                case=c, by=u, production_endpoints=["api.bank-a.no"]),
            allowed={"bank_admin"}, verb="readiness_confirmed",
            from_state=Status.AWAITING_READINESS, to_state=Status.PRODUCTION_REQUESTED,
            told=LK),
        "grant_production": Transition(
            build=at_production_requested,
            call=lambda c, u: services.onboarding_grant_production(case=c, by=u),
            allowed=LK, verb="production_granted", from_state=Status.PRODUCTION_REQUESTED,
            to_state=Status.AWAITING_ROUTINES, told={"bank_admin"}),
        "confirm_routines": Transition(
            build=at_awaiting_routines,
            call=lambda c, u: services.onboarding_confirm_routines(case=c, by=u),
            allowed={"bank_admin"}, verb="routines_confirmed",
            from_state=Status.AWAITING_ROUTINES, to_state=Status.COMPLETED,
            told={"bits"} | LK),
        # Not status changes: the audit event records the status they happened in.
        "suspend": Transition(
            build=at_completed, call=lambda c, u: services.onboarding_suspend(
                case=c, by=u, reason="Sikkerhetsbrudd: nøkkelen er lekket."),
            allowed=LK, verb="suspended", from_state=Status.COMPLETED,
            told={"bank_admin", "bits"}),
        "unsuspend": Transition(
            build=at_suspended,
            call=lambda c, u: services.onboarding_unsuspend(case=c, by=u),
            allowed=LK, verb="unsuspended", from_state=Status.COMPLETED,
            told={"bank_admin", "bits"}),
        "offboard": Transition(
            build=at_completed, call=lambda c, u: services.onboarding_offboard(
                case=c, by=u, reason="Banken avslutter tjenesten."),
            allowed=LK, verb="offboarded", from_state=Status.COMPLETED,
            to_state=Status.OFFBOARDED, told={"bank_admin", "bits"}),
        "offboard_in_test": Transition(
            build=at_testing, call=lambda c, u: services.onboarding_offboard(
                case=c, by=u, reason="Banken trekker seg."),
            allowed=LK, verb="offboarded", from_state=Status.TESTING,
            to_state=Status.OFFBOARDED, told={"bank_admin", "bits"}),
    })

(test_allowed_persona_moves_the_case_with_audit_and_outbox_after_commit,
 test_refused_persona_gets_domain_error_and_nothing_changes,
 test_rolled_back_transition_leaves_no_outbox_and_dispatches_nothing) = MATRIX.tests()


def _case_events(case):
    return AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(case),
                                     object_id=case.pk)


@pytest.fixture
def p(ob, terms, lk_admin):
    return {**ob, "lk_admin": lk_admin}


def test_a_step_moves_status_changed_at_forward_and_a_side_state_leaves_it(p):
    case = at_awaiting_routines(p)
    before = case.status_changed_at
    case = services.onboarding_confirm_routines(case=case, by=p["bank_admin"])
    assert case.status_changed_at >= before
    moved = case.status_changed_at
    case = services.onboarding_suspend(case=case, by=p["lanekassen"], reason="Lekket nøkkel.")
    assert case.status_changed_at == moved


# --- the steps' own rules ---------------------------------------------------------------------

def test_step_taken_twice_says_the_case_has_moved_on(p):
    case = at_submitted(p)
    services.onboarding_verify(case=case, by=p["bits"])
    with pytest.raises(DomainError, match="endret status"):
        services.onboarding_verify(case=case, by=p["bits"])


def test_bits_cannot_verify_before_the_registrant_confirms_the_address(p):
    case = at_submitted(p)
    OnboardingCase.objects.filter(pk=case.pk).update(registrant_verified_at=None)
    case.refresh_from_db()
    with pytest.raises(DomainError, match="ikke bekreftet e-postadressen"):
        services.onboarding_verify(case=case, by=p["bits"])
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert case.turn == "bank"


@pytest.mark.parametrize(("call", "message"), [
    (lambda c, u: services.onboarding_return(case=c, by=u, message="  "), "endre"),
    (lambda c, u: services.onboarding_reject(case=c, by=u, reason=""), "begrunnelsen"),
])
def test_return_and_reject_need_a_reason(p, call, message):
    case = at_submitted(p)
    with pytest.raises(DomainError, match=message):
        call(case, p["bits"])
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_return_and_reject_put_the_reason_on_the_timeline_for_the_bank(p):
    case = services.onboarding_reject(case=at_submitted(p), by=p["bits"],
                                      reason="Ikke et finansforetak.")
    message = Message.objects.get(object_id=case.pk, content_type__model="onboardingcase")
    assert (message.body, message.visibility) == ("Ikke et finansforetak.", "public")
    assert case.rejected_at is not None


def test_resubmit_records_old_and_new_values(p):
    case = services.onboarding_resubmit(
        case=at_returned(p), by=p["bank_admin"], name="Testbank A ASA",
        supplier_orgnr="312345678", supplier_name="Leverandør AS",
        test_endpoints=["192.0.2.0/24"])
    case.organisation.refresh_from_db()
    assert case.organisation.name == "Testbank A ASA"
    assert (case.supplier_orgnr, case.test_endpoints) == ("312345678", ["192.0.2.0/24"])
    event = _case_events(case).get(verb="resubmitted")
    assert event.data["from"]["name"] == "Testbank A"
    assert event.data["to"]["test_endpoints"] == ["192.0.2.0/24"]


def test_grant_test_records_the_maskinporten_scope_for_the_bank(p):
    case = at_testing(p)
    access = ApiAccess.objects.get(organisation=case.organisation, environment="test")
    assert access.scope == "lanekassen:lan/v1/saldoopplysninger"
    assert access.granted_by == p["lanekassen"]
    assert not ApiKey.objects.filter(organisation=case.organisation).exists()


def test_refused_grant_creates_no_api_access(p):
    case = at_test_ordered(p)
    with pytest.raises(DomainError):
        services.onboarding_grant_test(case=case, by=p["bits"])
    assert not ApiAccess.objects.exists()


def test_suspension_stops_every_environment_and_lifting_restores_it(p):
    case = at_suspended(p)
    assert case_suspension(case).reason == "Mistanke om lekket nøkkel."
    assert set(ApiAccess.objects.values_list("environment", flat=True)) == {
        "test", "production"}
    assert all(not a.is_active for a in ApiAccess.objects.all())
    with pytest.raises(DomainError):
        services.onboarding_suspend(case=case, by=p["lanekassen"], reason="Igjen.")
    services.onboarding_unsuspend(case=case, by=p["lanekassen"])
    assert all(a.is_active for a in ApiAccess.objects.all())


def test_suspension_needs_a_reason(p):
    case = at_completed(p)
    with pytest.raises(DomainError, match="begrunnelse"):
        services.onboarding_suspend(case=case, by=p["lanekassen"], reason=" ")
    assert case_suspension(case) is None
    assert all(a.is_active for a in ApiAccess.objects.all())


def test_access_granted_while_suspended_starts_suspended_with_the_same_reason(p):
    case = services.onboarding_suspend(case=at_production_requested(p), by=p["lanekassen"],
                                       reason="Sikkerhetsbrudd.")
    case = services.onboarding_grant_production(case=case, by=p["lanekassen"])
    production = ApiAccess.objects.get(organisation=case.organisation, environment="production")
    assert (production.is_active, production.suspended_reason) == (False, "Sikkerhetsbrudd.")
    services.onboarding_unsuspend(case=case, by=p["lanekassen"])
    assert all(a.is_active for a in ApiAccess.objects.all())


def test_a_bank_without_api_access_cannot_be_suspended(p):
    case = at_awaiting_signature(p)
    with pytest.raises(DomainError, match="kan ikke suspenderes"):
        services.onboarding_suspend(case=case, by=p["lanekassen"], reason="Test.")


def test_offboarding_revokes_every_key(p):
    case = at_completed(p)
    key, _plain = services.bank_api_key_create(organisation=case.organisation,
                                               environment="production", by=p["bank_admin"])
    services.onboarding_offboard(case=case, by=p["lanekassen"], reason="Avsluttet.")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert all(a.offboarded_at for a in ApiAccess.objects.filter(organisation=case.organisation))


def test_readiness_without_production_endpoints_is_refused(p):
    case = at_awaiting_readiness(p)
    with pytest.raises(DomainError, match="produksjonsdomene"):
        services.onboarding_confirm_readiness(case=case, by=p["bank_admin"],
                                              production_endpoints=[])


def test_completed_case_has_every_step_boundary(p):
    case = at_completed(p)
    assert case.is_in_production
    assert all([case.verified_at, case.signed_at, case.test_granted_at, case.test_approved_at,
                case.production_granted_at, case.completed_at])
    assert case.production_endpoints == ["api.bank-a.no", "203.0.113.0/24"]
    assert case.turn is None


def test_comment_from_the_bank_tells_bits_and_an_internal_note_stays_internal(p):
    case = at_submitted(p)
    Notification.objects.all().delete()
    services.onboarding_comment(case=case, by=p["bank_admin"], body="Når hører vi noe?")
    assert {n.recipient for n in Notification.objects.all()} == {p["bits"]}
    Notification.objects.all().delete()
    services.onboarding_comment(case=case, by=p["bits"], body="Sjekk orgnr.",
                                visibility="internal")
    assert {n.recipient for n in Notification.objects.all()} == {p["lanekassen"],
                                                                 p["lk_admin"]}
    with pytest.raises(DomainError):
        services.onboarding_comment(case=case, by=p["bank_admin"], body="x",
                                    visibility="internal")
    with pytest.raises(DomainError):
        services.onboarding_comment(case=case, by=p["other_bank"], body="Hei")


def test_a_reopened_rejection_goes_back_to_the_bank_which_can_resubmit(p):
    case = services.onboarding_reopen_registration(case=_rejected(p), by=p["bits"],
                                                   message="Send inn med riktig navn.")
    assert (case.status, case.rejected_at) == (Status.RETURNED, None)
    with pytest.raises(DomainError, match="endret status i mellomtiden"):
        services.onboarding_reopen_registration(case=case, by=p["bits"], message="x")
    case = services.onboarding_resubmit(
        case=case, by=p["bank_admin"], name="Testbank A ASA", supplier_orgnr="",
        supplier_name="", test_endpoints=["api.test.bank-a.no"], comment="Rettet navnet.")
    assert case.status == Status.SUBMITTED


def test_reopening_a_rejection_needs_a_message(p):
    case = _rejected(p)
    with pytest.raises(DomainError, match="endre"):
        services.onboarding_reopen_registration(case=case, by=p["bits"], message=" ")
    case.refresh_from_db()
    assert case.status == Status.REJECTED
