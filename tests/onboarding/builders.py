"""A case in each onboarding state, built through the services (named at_<status>)."""

from datetime import timedelta

from django.utils import timezone

from casework.services import reference_next
from onboarding import services
from onboarding.models import OnboardingCase
from onboarding.selectors import terms_current

# --- a case in each state, through the services ---------------------------------------------
# The first state is the one row written directly: a registration creates a new bank, and the
# personas belong to the existing one. Every later state is reached by calling the services.

def at_submitted(p):
    now = timezone.now()
    return OnboardingCase.objects.create(
        reference=reference_next(prefix="OB", year=timezone.localtime(now).year),
        organisation=p["bank_admin"].membership.organisation, registered_by=p["bank_admin"],
        registrant_verified_at=now, test_endpoints=["api.test.bank-a.no"])


def at_returned(p):
    return services.onboarding_return(case=at_submitted(p), by=p["bits"],
                                      message="Legg til IP-områdene for testmiljøet.")


def at_awaiting_signature(p):
    return services.onboarding_verify(case=at_submitted(p), by=p["bits"])


def _current_terms(p):
    current = terms_current()
    assert current is not None, "the `terms` fixture must be requested"
    return current


def at_awaiting_test_order(p):
    case = at_awaiting_signature(p)
    services.terms_sign(terms=_current_terms(p), by=p["signer"], maskinporten_accepted=True)
    case.refresh_from_db()
    return case


def at_test_ordered(p):
    return services.onboarding_order_test(case=at_awaiting_test_order(p), by=p["bits"])


def at_testing(p):
    return services.onboarding_grant_test(case=at_test_ordered(p), by=p["lanekassen"])


def at_test_review(p):
    return services.onboarding_report_test_done(case=at_testing(p), by=p["bank_admin"])


def at_awaiting_readiness(p):
    return services.onboarding_approve_test(case=at_test_review(p), by=p["bits"])


def at_production_requested(p):
    return services.onboarding_confirm_readiness(
        case=at_awaiting_readiness(p), by=p["bank_admin"],
        production_endpoints=["api.bank-a.no", "203.0.113.0/24"])


def at_awaiting_routines(p):
    return services.onboarding_grant_production(case=at_production_requested(p),
                                                by=p["lanekassen"])


def at_completed(p):
    return services.onboarding_confirm_routines(case=at_awaiting_routines(p), by=p["bank_admin"])


def at_suspended(p):
    return services.onboarding_suspend(case=at_completed(p), by=p["lanekassen"],
                                       reason="Mistanke om lekket nøkkel.")


def after(days):
    return timezone.now() + timedelta(days=days)
