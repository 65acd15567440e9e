"""Suspension has one record, balances' access rows, which the Saldo API checks: suspending
from the onboarding case refuses the bank's very next call, lifting lets it through again,
offboarding leaves nothing that says "suspended" or "active", and the case page and the
pipeline show what balances says — also a suspension made outside onboarding."""

import pytest

from balances.models import ApiAccess
from balances.selectors import api_suspension_for
from balances.services import api_access_suspend
from casework.errors import DomainError
from onboarding import services
from onboarding.selectors import case_suspension
from tests.balances.conftest import (  # noqa: F401  (the Saldo API's fixtures, used by name)
    SaldoCaller,
    _issuer_pem,
    issuer_key,
    saldo_settings,
    two_borrowers,
)
from tests.onboarding.builders import at_completed, at_testing

pytestmark = pytest.mark.usefixtures("saldo_settings", "issuer_key", "two_borrowers")


@pytest.fixture
def p(ob, terms):
    return ob


def _saldo_for(case, p, client):
    _key, plaintext = services.bank_api_key_create(organisation=case.organisation,
                                                   environment="test", by=p["bank_admin"])
    return SaldoCaller(client, case.organisation, plaintext)


def test_suspending_from_the_case_refuses_the_next_api_call_and_lifting_lets_it_through(
        p, client):
    case = at_testing(p)
    saldo = _saldo_for(case, p, client)
    assert saldo.get().status_code == 200

    case = services.onboarding_suspend(case=case, by=p["lanekassen"], reason="Lekket nøkkel.")

    refused = saldo.get()
    assert refused.status_code in (401, 403)
    assert refused.status_code == 401  # the bank is suspended: its key does not count

    services.onboarding_unsuspend(case=case, by=p["lanekassen"])

    assert saldo.get().status_code == 200


def test_offboarding_a_suspended_bank_leaves_no_suspension_and_no_active_access(
        p, client, client_for):
    case = at_completed(p)
    saldo = _saldo_for(case, p, client)
    case = services.onboarding_suspend(case=case, by=p["lanekassen"], reason="Sikkerhetsbrudd.")

    case = services.onboarding_offboard(case=case, by=p["lanekassen"], reason="Avsluttet.")

    rows = list(ApiAccess.objects.filter(organisation=case.organisation))
    assert {r.environment for r in rows} == {"test", "production"}
    assert all(r.offboarded_at and not r.suspended_at and not r.suspended_reason
               and not r.is_active for r in rows)
    assert api_suspension_for(organisation=case.organisation) is None
    assert saldo.get().status_code == 401
    page = client_for(p["lanekassen"]).get(case.get_absolute_url())
    assert 'id="suspended"' not in page.content.decode()
    assert {a.name for a in page.context["actions"]} == set()  # nothing to lift or suspend
    with pytest.raises(DomainError, match="ikke suspendert"):
        services.onboarding_unsuspend(case=case, by=p["lanekassen"])


def test_case_page_and_pipeline_show_a_suspension_made_in_balances_and_it_lifts_from_the_case(
        p, client_for):
    case = at_completed(p)
    # As a security-breach case would: straight on balances' access rows.
    api_access_suspend(organisation=case.organisation, by=p["lanekassen"],
                       reason="Brudd meldt i SB-2026-0001.")

    page = client_for(p["bank_admin"]).get(case.get_absolute_url()).content.decode()
    assert "API-tilgangen er suspendert" in page and "Brudd meldt i SB-2026-0001." in page
    lanekassen_page = client_for(p["lanekassen"]).get(case.get_absolute_url())
    names = {a.name for a in lanekassen_page.context["actions"]}
    assert "unsuspend" in names and "suspend" not in names
    board = client_for(p["bits"]).get("/onboarding/").context["board"]
    [row] = board["in_production"]
    assert row["suspension"].reason == "Brudd meldt i SB-2026-0001."
    assert [c.pk for c in board["suspended"]] == [case.pk]

    client_for(p["lanekassen"]).post(f"{case.get_absolute_url()}handling/unsuspend/")

    assert case_suspension(case) is None
    assert all(a.is_active for a in ApiAccess.objects.filter(organisation=case.organisation))
    page = client_for(p["bank_admin"]).get(case.get_absolute_url()).content.decode()
    assert "API-tilgangen er suspendert" not in page
