"""API keys in onboarding: created by the bank's admin once access is granted, shown once and
stored as a hash only, rotated with a grace period, revoked — and the key check the Saldo API
uses (balances.selectors.api_key_check) for suspension, revocation, expiry and environment."""

import hashlib
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from balances.models import ApiKey
from balances.selectors import api_key_check
from balances.services import api_key_issue
from casework.errors import DomainError
from casework.models import AuditEvent
from onboarding import services
from tests.onboarding.builders import at_awaiting_signature, at_completed, at_testing


@pytest.fixture
def p(ob, terms):
    return ob


def _create(case, p, environment="test"):
    return services.bank_api_key_create(organisation=case.organisation, environment=environment,
                                        by=p["bank_admin"])


# --- shown once, stored as a hash -----------------------------------------------------------

def test_key_is_shown_once_in_the_response_and_stored_only_as_a_hash(p, client_for, caplog):
    case = at_testing(p)
    client = client_for(p["bank_admin"])
    caplog.set_level(logging.DEBUG)

    response = client.post("/onboarding/api-nokler/ny/test/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plaintext = response.context["plaintext"]
    assert plaintext.startswith("slk_test_") and plaintext in response.content.decode()
    key = ApiKey.objects.get(organisation=case.organisation)
    assert key.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    assert all(plaintext not in str(e.data) for e in AuditEvent.objects.all())
    assert plaintext not in caplog.text
    assert all(plaintext not in str(v) for v in client.session.values())
    # Never again: not on the keys page, not on the case page.
    assert plaintext not in client.get("/onboarding/api-nokler/").content.decode()
    assert plaintext not in client.get(case.get_absolute_url()).content.decode()
    assert key.prefix in client.get("/onboarding/api-nokler/").content.decode()
    assert api_key_check(presented_key=plaintext, environment="test") == key


def test_key_cannot_be_created_before_access_is_granted(p):
    case = at_awaiting_signature(p)
    with pytest.raises(DomainError, match="ikke aktiv tilgang"):
        _create(case, p)
    assert not ApiKey.objects.exists()


def test_a_second_key_for_the_same_environment_must_be_a_rotation(p):
    case = at_testing(p)
    _create(case, p)
    with pytest.raises(DomainError, match="Roter"):
        _create(case, p)
    assert ApiKey.objects.count() == 1


def test_only_the_banks_admin_creates_keys(p, client_for):
    case = at_testing(p)
    for who in ("bank_member", "signer", "other_bank", "bits", "lanekassen"):
        with pytest.raises(DomainError):
            services.bank_api_key_create(organisation=case.organisation, environment="test",
                                         by=p[who])
        assert client_for(p[who]).post("/onboarding/api-nokler/ny/test/").status_code == 404
    assert not ApiKey.objects.exists()


def test_another_bank_cannot_rotate_or_revoke_a_key_and_gets_404(p, client_for, other_bank):
    from tests.factories import member_of

    case = at_testing(p)
    key, _plain = _create(case, p)
    other_admin = member_of(other_bank, role="admin", email="admin@bank-b.example.com")
    client = client_for(other_admin)
    assert client.post(f"/onboarding/api-nokler/{key.pk}/roter/",
                       {"grace_days": 1}).status_code == 404
    assert client.post(f"/onboarding/api-nokler/{key.pk}/trekk-tilbake/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None and key.expires_at is None


# --- rotation and revocation ----------------------------------------------------------------

def test_rotation_keeps_the_old_key_working_for_the_grace_period(p, client_for):
    case = at_testing(p)
    old, old_plain = _create(case, p)
    response = client_for(p["bank_admin"]).post(f"/onboarding/api-nokler/{old.pk}/roter/",
                                                {"grace_days": 3})
    assert response.status_code == 200
    new_plain = response.context["plaintext"]
    old.refresh_from_db()
    assert old.replaced_by.prefix == new_plain[:len(old.prefix)]
    assert timedelta(days=3) - (old.expires_at - timezone.now()) < timedelta(minutes=1)
    assert api_key_check(presented_key=old_plain, environment="test") == old
    assert api_key_check(presented_key=new_plain, environment="test") is not None
    later = timezone.now() + timedelta(days=3, minutes=1)
    assert api_key_check(presented_key=old_plain, environment="test", now=later) is None
    assert api_key_check(presented_key=new_plain, environment="test", now=later) is not None
    event = AuditEvent.objects.get(verb="api_key_rotated", object_id=case.pk,
                                   content_type__model="onboardingcase")
    assert event.data["grace_days"] == 3


@pytest.mark.parametrize("grace", [-1, 8])
def test_grace_period_beyond_seven_days_is_refused(p, grace):
    case = at_testing(p)
    key, _plain = _create(case, p)
    with pytest.raises(DomainError, match="0 og 7 dager"):
        services.bank_api_key_rotate(key=key, by=p["bank_admin"], grace_days=grace)
    assert ApiKey.objects.count() == 1


def test_grace_period_beyond_seven_days_through_the_page_says_so(p, client_for):
    case = at_testing(p)
    key, _plain = _create(case, p)
    response = client_for(p["bank_admin"]).post(f"/onboarding/api-nokler/{key.pk}/roter/",
                                                {"grace_days": 30}, follow=True)
    assert "mellom 0 og 7 dager" in response.content.decode()
    assert ApiKey.objects.count() == 1


@pytest.mark.parametrize(("query", "preselected"),
                         [("?grace_days=0", 0), ("?grace_days=3", 3), ("", 7),
                          ("?grace_days=8", 7), ("?grace_days=-1", 7), ("?grace_days=x", 7)])
def test_keys_page_preselects_the_grace_period_asked_for_in_the_link(p, client_for, query,
                                                                    preselected):
    """The breach case links to `?grace_days=0`: rotation without a grace period. Only 0–7
    is taken; anything else leaves the default of seven days."""
    case = at_testing(p)
    key, _plain = _create(case, p)
    response = client_for(p["bank_admin"]).get(f"/onboarding/api-nokler/{query}")
    assert response.status_code == 200
    assert (f'value="{preselected}" name="grace_days" id="grace-{key.pk}"'
            in response.content.decode())


def test_revoked_key_stops_at_once(p, client_for):
    case = at_testing(p)
    key, plaintext = _create(case, p)
    response = client_for(p["bank_admin"]).post(f"/onboarding/api-nokler/{key.pk}/trekk-tilbake/")
    assert response.status_code == 302
    assert api_key_check(presented_key=plaintext, environment="test") is None
    with pytest.raises(DomainError, match="allerede trukket tilbake"):
        services.bank_api_key_revoke(key=ApiKey.objects.get(pk=key.pk), by=p["bank_admin"])


# --- the key check the Saldo API uses -----------------------------------------------------------

def test_key_check_fails_while_the_bank_is_suspended_and_works_again_when_lifted(p):
    case = at_completed(p)
    _key, plaintext = _create(case, p, "production")
    assert api_key_check(presented_key=plaintext, environment="production") is not None
    services.onboarding_suspend(case=case, by=p["lanekassen"], reason="Lekket nøkkel.")
    assert api_key_check(presented_key=plaintext, environment="production") is None
    services.onboarding_unsuspend(case=case, by=p["lanekassen"])
    assert api_key_check(presented_key=plaintext, environment="production") is not None


def test_key_check_refuses_the_other_environment(p):
    case = at_completed(p)
    _key, test_plain = _create(case, p, "test")
    _key, prod_plain = _create(case, p, "production")
    assert api_key_check(presented_key=test_plain, environment="production") is None
    assert api_key_check(presented_key=prod_plain, environment="test") is None


def test_key_check_refuses_a_revoked_key_an_expired_key_and_an_offboarded_bank(p):
    case = at_completed(p)
    revoked, revoked_plain = _create(case, p, "test")
    services.bank_api_key_revoke(key=revoked, by=p["bank_admin"])
    assert api_key_check(presented_key=revoked_plain, environment="test") is None

    prod, prod_plain = _create(case, p, "production")
    _new, new_plain = services.bank_api_key_rotate(key=prod, by=p["bank_admin"], grace_days=0)
    assert api_key_check(presented_key=prod_plain, environment="production") is None  # no grace
    assert api_key_check(presented_key=new_plain, environment="production") is not None

    services.onboarding_offboard(case=case, by=p["lanekassen"], reason="Avsluttet.")
    assert api_key_check(presented_key=new_plain, environment="production") is None


def test_key_check_refuses_unknown_and_oversized_keys(db):
    assert api_key_check(presented_key="slk_test_ukjent", environment="test") is None
    assert api_key_check(presented_key="x" * 500, environment="test") is None
    assert api_key_check(presented_key="", environment="test") is None


def test_a_chosen_plaintext_is_for_demo_data_only(settings, bank):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(DomainError, match="demodata"):
        api_key_issue(organisation=bank, environment="test", by=None,
                      plaintext="slk_test_demo_" + "a" * 40)
    settings.DEMO_DATA_ALLOWED = True
    key, plain = api_key_issue(organisation=bank, environment="test", by=None,
                               plaintext="slk_test_demo_" + "a" * 40)
    assert plain == "slk_test_demo_" + "a" * 40
    assert key.key_hash == hashlib.sha256(plain.encode()).hexdigest()
