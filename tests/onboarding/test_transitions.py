"""Every step of an onboarding case (A.1–A.4 and the side states): who may and who may not,
the audit event on the case, the outbox rows for the next actor, and that nothing is queued
when the surrounding transaction rolls back."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from balances.models import ApiAccess, ApiKey
from casework.errors import DomainError
from casework.models import AuditEvent, Message
from notifications.models import Notification, OutboxMessage
from onboarding import services
from onboarding.models import OnboardingCase, Status, TermsSignature
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
from tests.support.transactions import rolled_back

PERSONAS = ["bank_member", "bank_admin", "signer", "other_bank", "bits", "lanekassen",
            "lk_admin"]
LK = {"lanekassen", "lk_admin"}  # a caseworker and an admin: both take Lånekassen's steps
S = Status


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


# name: (state builder, call, who may, audit verb, from, to, who is told)
TRANSITIONS = {
    "verify": (at_submitted, lambda c, u: services.onboarding_verify(case=c, by=u),
               {"bits"}, "verified", S.SUBMITTED, S.AWAITING_SIGNATURE,
               {"bank_admin", "signer"}),
    "return": (at_submitted, lambda c, u: services.onboarding_return(
        case=c, by=u, message="Oppgi testdomenene på nytt."),
        {"bits"}, "returned", S.SUBMITTED, S.RETURNED, {"bank_admin"}),
    "resubmit": (at_returned, lambda c, u: services.onboarding_resubmit(
        case=c, by=u, name="Testbank A ASA", supplier_orgnr="", supplier_name="",
        test_endpoints=["api.test.bank-a.no", "192.0.2.0/24"], comment="Lagt til IP."),
        {"bank_admin"}, "resubmitted", S.RETURNED, S.SUBMITTED, {"bits"}),
    "reject": (at_submitted, lambda c, u: services.onboarding_reject(
        case=c, by=u, reason="Ikke et finansforetak."),
        {"bits"}, "rejected", S.SUBMITTED, S.REJECTED, {"bank_admin"}),
    "reject_returned": (at_returned, lambda c, u: services.onboarding_reject(
        case=c, by=u, reason="Svarte ikke."),
        {"bits"}, "rejected", S.RETURNED, S.REJECTED, {"bank_admin"}),
    "reopen_registration": (_rejected, lambda c, u: services.onboarding_reopen_registration(
        case=c, by=u, message="Send inn med riktig juridisk navn."),
        {"bits"}, "registration_reopened", S.REJECTED, S.RETURNED, {"bank_admin"}),
    "sign": (at_awaiting_signature, _sign,
             {"signer"}, "terms_signed", S.AWAITING_SIGNATURE, S.AWAITING_TEST_ORDER, {"bits"}),
    "order_test": (_signed, lambda c, u: services.onboarding_order_test(case=c, by=u),
                   {"bits"}, "test_ordered", S.AWAITING_TEST_ORDER, S.TEST_ORDERED,
                   LK),
    "grant_test": (at_test_ordered, lambda c, u: services.onboarding_grant_test(case=c, by=u),
                   LK, "test_granted", S.TEST_ORDERED, S.TESTING, {"bank_admin"}),
    "report_test_done": (at_testing, lambda c, u: services.onboarding_report_test_done(
        case=c, by=u, message="Alle 17 testkunder gir riktig svar."),
        {"bank_admin"}, "test_reported", S.TESTING, S.TEST_REVIEW, {"bits"}),
    "approve_test": (at_test_review, lambda c, u: services.onboarding_approve_test(
        case=c, by=u), {"bits"}, "test_approved", S.TEST_REVIEW, S.AWAITING_READINESS,
        {"bank_admin"}),
    "return_test": (at_test_review, lambda c, u: services.onboarding_return_test(
        case=c, by=u, comments="Testkunden med over én million mangler."),
        {"bits"}, "test_returned", S.TEST_REVIEW, S.TESTING, {"bank_admin"}),
    "confirm_readiness": (at_awaiting_readiness, lambda c, u:
                          services.onboarding_confirm_readiness(
                              case=c, by=u, production_endpoints=["api.bank-a.no"]),
                          {"bank_admin"}, "readiness_confirmed", S.AWAITING_READINESS,
                          S.PRODUCTION_REQUESTED, LK),
    "grant_production": (at_production_requested, lambda c, u:
                         services.onboarding_grant_production(case=c, by=u),
                         LK, "production_granted", S.PRODUCTION_REQUESTED,
                         S.AWAITING_ROUTINES, {"bank_admin"}),
    "confirm_routines": (at_awaiting_routines, lambda c, u:
                         services.onboarding_confirm_routines(case=c, by=u),
                         {"bank_admin"}, "routines_confirmed", S.AWAITING_ROUTINES,
                         S.COMPLETED, {"bits"} | LK),
    "suspend": (at_completed, lambda c, u: services.onboarding_suspend(
        case=c, by=u, reason="Sikkerhetsbrudd: nøkkelen er lekket."),
        LK, "suspended", "", "", {"bank_admin", "bits"}),
    "unsuspend": (at_suspended, lambda c, u: services.onboarding_unsuspend(case=c, by=u),
                  LK, "unsuspended", "", "", {"bank_admin", "bits"}),
    "offboard": (at_completed, lambda c, u: services.onboarding_offboard(
        case=c, by=u, reason="Banken avslutter tjenesten."),
        LK, "offboarded", S.COMPLETED, S.OFFBOARDED, {"bank_admin", "bits"}),
    "offboard_in_test": (at_testing, lambda c, u: services.onboarding_offboard(
        case=c, by=u, reason="Banken trekker seg."),
        LK, "offboarded", S.TESTING, S.OFFBOARDED, {"bank_admin", "bits"}),
}


ALLOWED = [(name, who) for name, t in TRANSITIONS.items() for who in PERSONAS if who in t[2]]
REFUSED = [(name, who) for name, t in TRANSITIONS.items() for who in PERSONAS
           if who not in t[2]]


def _case_events(case):
    return AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(case),
                                     object_id=case.pk)


def _snapshot(case):
    """Everything a refused call must leave as it was."""
    return {
        "case": OnboardingCase.objects.filter(pk=case.pk).values().get(),
        "audit": list(AuditEvent.objects.values_list("pk", flat=True)),
        "messages": list(Message.objects.values_list("pk", flat=True)),
        "notifications": list(Notification.objects.values_list("pk", flat=True)),
        "outbox": list(OutboxMessage.objects.values_list("pk", flat=True)),
        "signatures": list(TermsSignature.objects.values_list("pk", flat=True)),
        "access": list(ApiAccess.objects.values_list("pk", "suspended_at", "offboarded_at")),
        "keys": list(ApiKey.objects.values_list("pk", "revoked_at")),
    }


def _new(model, before_ids):
    return model.objects.exclude(pk__in=before_ids)


@pytest.fixture
def p(ob, terms, lk_admin):
    return {**ob, "lk_admin": lk_admin}


@pytest.mark.parametrize(("name", "who"), ALLOWED, ids=[f"{n}-{w}" for n, w in ALLOWED])
def test_allowed_persona_moves_case_with_audit_and_next_actor_told_after_commit(
        p, django_capture_on_commit_callbacks, name, who):
    build, call, _may, verb, from_state, to_state, told = TRANSITIONS[name]
    case = build(p)
    before = _snapshot(case)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call(case, p[who])

    case.refresh_from_db()
    assert case.status == (to_state or before["case"]["status"])
    event = _case_events(case).exclude(pk__in=before["audit"]).get()
    assert (event.verb, event.from_state, event.to_state, event.actor) == (
        verb, from_state, to_state, p[who])
    assert case.status_changed_at >= before["case"]["status_changed_at"]
    recipients = {p[n].email for n in told}
    outbox = _new(OutboxMessage, before["outbox"])
    assert {m.to for m in outbox} == recipients
    assert all(m.subject.startswith(case.reference) for m in outbox)
    notified = _new(Notification, before["notifications"])
    assert {n.recipient.email for n in notified} == recipients
    assert all(n.url == case.get_absolute_url() for n in notified)
    assert callbacks
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(recipients)


@pytest.mark.parametrize(("name", "who"), REFUSED, ids=[f"{n}-{w}" for n, w in REFUSED])
def test_refused_persona_gets_domain_error_and_nothing_changes(p, name, who):
    build, call, *_ = TRANSITIONS[name]
    case = build(p)
    before = _snapshot(case)

    with pytest.raises(DomainError):
        call(case, p[who])

    assert _snapshot(case) == before


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_rolled_back_step_leaves_no_outbox_and_dispatches_nothing(
        p, django_capture_on_commit_callbacks, name):
    build, call, may, *_ = TRANSITIONS[name]
    case = build(p)
    before = _snapshot(case)
    mail.outbox.clear()

    with rolled_back(django_capture_on_commit_callbacks):
        call(case, p[sorted(may)[0]])
        assert _new(OutboxMessage, before["outbox"]).exists()  # written in the tx

    assert mail.outbox == []
    assert _snapshot(case) == before


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
    assert case.status == S.SUBMITTED
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
    assert case.status == S.SUBMITTED


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
    assert case.is_suspended
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
    case.refresh_from_db()
    assert not case.is_suspended


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
    assert (case.status, case.rejected_at) == (S.RETURNED, None)
    with pytest.raises(DomainError, match="endret status i mellomtiden"):
        services.onboarding_reopen_registration(case=case, by=p["bits"], message="x")
    case = services.onboarding_resubmit(
        case=case, by=p["bank_admin"], name="Testbank A ASA", supplier_orgnr="",
        supplier_name="", test_endpoints=["api.test.bank-a.no"], comment="Rettet navnet.")
    assert case.status == S.SUBMITTED


def test_reopening_a_rejection_needs_a_message(p):
    case = _rejected(p)
    with pytest.raises(DomainError, match="endre"):
        services.onboarding_reopen_registration(case=case, by=p["bits"], message=" ")
    case.refresh_from_db()
    assert case.status == S.REJECTED
