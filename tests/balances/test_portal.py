"""The Saldo API in the portal: who sees which calls, Lånekassen's borrower view, the sandbox,
the OpenAPI description, and the selectors the incident and onboarding pages use."""

import html
import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from balances import selectors
from balances.models import InterestRate, LookupLog
from balances.services import api_access_grant, lookup_log_write
from casework.models import AuditEvent
from tests.balances.conftest import ALL_FOUR_FNR, NO_DEBT_FNR

pytestmark = pytest.mark.django_db


def _log(organisation, request_id, status=200, environment="test", fnr=ALL_FOUR_FNR):
    from balances.fnr import fnr_hash

    lookup_log_write(environment=environment, request_id=request_id, status=status,
                     latency_ms=12.5, organisation=organisation, fnr_hash=fnr_hash(fnr))
    return LookupLog.objects.order_by("-pk").first()


@pytest.fixture
def calls(bank, other_bank):
    return {"mine": _log(bank, "req-mine-1"), "mine_403": _log(bank, "req-mine-2", 403),
            "theirs": _log(other_bank, "req-theirs-1"),
            "anonymous": _log(None, "req-anon-1", 401)}


# --- The calls log --------------------------------------------------------------------------------


def test_bank_sees_only_its_own_calls(client_for, bank_member, calls):
    response = client_for(bank_member).get(reverse("balances:lookup_log"))
    assert response.status_code == 200
    assert b"req-mine-1" in response.content and b"req-mine-2" in response.content
    assert b"req-theirs-1" not in response.content and b"req-anon-1" not in response.content


@pytest.mark.parametrize("persona", ["bits", "lanekassen"])
def test_bits_and_lanekassen_see_every_call(client_for, personas, calls, persona):
    response = client_for(personas[persona]).get(reverse("balances:lookup_log"))
    for request_id in (b"req-mine-1", b"req-theirs-1", b"req-anon-1"):
        assert request_id in response.content


def test_calls_can_be_filtered_by_status_and_request_id(client_for, bank_member, calls):
    client = client_for(bank_member)
    by_status = client.get(reverse("balances:lookup_log"), {"status": "403"})
    assert b"req-mine-2" in by_status.content and b"req-mine-1" not in by_status.content
    by_id = client.get(reverse("balances:lookup_log"), {"request_id": "req-mine-1"})
    assert b"req-mine-1" in by_id.content and b"req-mine-2" not in by_id.content


def test_calls_can_be_filtered_by_date(client_for, bank_member, calls):
    LookupLog.objects.filter(request_id="req-mine-2").update(
        created_at="2026-01-15T12:00:00+01:00")
    response = client_for(bank_member).get(reverse("balances:lookup_log"),
                                           {"date_from": "2026-01-15", "date_to": "2026-01-15"})
    assert b"req-mine-2" in response.content and b"req-mine-1" not in response.content


def test_lanekassen_finds_calls_by_fnr_through_the_hash(client_for, lk_user, calls, bank):
    _log(bank, "req-other-person", fnr=NO_DEBT_FNR)
    response = client_for(lk_user).get(reverse("balances:lookup_log"), {"fnr": NO_DEBT_FNR})
    assert b"req-other-person" in response.content and b"req-mine-1" not in response.content


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("balances:lookup_log"))
    assert response.status_code == 302


# --- Selectors for incidents (C.1) and onboarding (A.3) -------------------------------------------


def test_request_id_lines_are_those_of_the_reporting_bank(bank, other_bank, bank_member,
                                                          bits_user, other_bank_member):
    mine = _log(bank, "shared-id")
    _log(other_bank, "shared-id")
    ids = ["shared-id", " ", "unknown-id"]
    assert selectors.lookup_log_for_request_ids(user=bits_user, organisation=bank,
                                                request_ids=ids) == [mine]
    assert selectors.lookup_log_for_request_ids(user=bank_member, organisation=bank,
                                                request_ids=ids) == [mine]
    assert selectors.lookup_log_for_request_ids(user=other_bank_member, organisation=bank,
                                                request_ids=ids) == []


def test_integration_checklist_counts_only_200s_in_test(bank, other_bank):
    _log(bank, "a", 200, fnr=ALL_FOUR_FNR)
    _log(bank, "b", 200, fnr=ALL_FOUR_FNR)
    _log(bank, "c", 403, fnr=NO_DEBT_FNR)
    _log(bank, "d", 200, environment="production", fnr=NO_DEBT_FNR)
    _log(other_bank, "e", 200, fnr=NO_DEBT_FNR)
    checklist = {item["fnr"]: item for item in
                 selectors.integration_test_checklist(organisation=bank)}
    assert len(checklist) == 17
    assert checklist[ALL_FOUR_FNR]["ok"] and checklist[ALL_FOUR_FNR]["calls"] == 2
    assert not checklist[NO_DEBT_FNR]["ok"]
    assert [fnr for fnr, item in checklist.items() if item["ok"]] == [ALL_FOUR_FNR]
    assert not selectors.integration_test_complete(organisation=bank)


def test_integration_checklist_is_complete_after_all_17(bank):
    for item in selectors.integration_test_checklist(organisation=bank):
        _log(bank, f"ok-{item['fnr']}", fnr=item["fnr"])
    assert selectors.integration_test_complete(organisation=bank)


def test_bank_sees_its_checklist_on_the_api_page(client_for, bank_member, bank):
    _log(bank, "a", fnr=ALL_FOUR_FNR)
    response = client_for(bank_member).get(reverse("balances:index"))
    assert response.status_code == 200
    assert response.content.count(b'data-color="success"') == 1


# --- Lånekassen's borrower view -------------------------------------------------------------------


def test_caseworker_finds_a_borrower_and_sees_balance_and_explanation(client_for, lk_user,
                                                                      two_borrowers):
    client = client_for(lk_user)
    response = client.post(reverse("balances:borrowers"),
                           {"fnr": ALL_FOUR_FNR, "environment": "test", "as_of": "2026-06-30"})
    borrower = two_borrowers[0]
    assert response.status_code == 302
    assert response["Location"] == reverse("balances:borrower", args=[borrower.pk]) + \
        "?dato=2026-06-30"
    assert ALL_FOUR_FNR not in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    content = html.unescape(page.content.decode())
    assert "HAUK HAUGNES" in content
    assert "Forklaring: renter periode for periode" in content
    assert content.count("<tr>") > 20  # explanation lines and postings
    assert '"Name": "Gebyr"' in content  # the API's answer for that day
    event = AuditEvent.objects.get(verb="borrower_viewed")
    assert event.actor == lk_user and event.data["as_of"] == "2026-06-30"


def test_balance_as_of_an_earlier_date_differs(client_for, lk_user, two_borrowers):
    client = client_for(lk_user)
    url = reverse("balances:borrower", args=[two_borrowers[0].pk])
    early = client.get(url, {"dato": "2021-01-31"}).content
    late = client.get(url, {"dato": "2026-11-30"}).content
    assert b"Omkostninger" in late
    assert early != late


def test_date_outside_the_rate_table_is_explained_not_an_error(client_for, lk_user,
                                                               two_borrowers):
    # A rate table (in the database) that ends long before the borrower's interest starts.
    InterestRate.objects.create(kind="floating", valid_from=date(2000, 1, 1),
                                valid_to=date(2000, 12, 31), rate=Decimal("6.012"))
    url = reverse("balances:borrower", args=[two_borrowers[0].pk])
    response = client_for(lk_user).get(url, {"dato": "2026-11-22"})
    assert response.status_code == 200
    assert b"kan ikke beregnes" in response.content


def test_unknown_fnr_says_not_found(client_for, lk_user, two_borrowers):
    response = client_for(lk_user).post(reverse("balances:borrowers"),
                                        {"fnr": "15039010043", "environment": "test"})
    assert response.status_code == 200
    assert "Ingen låntaker".encode() in response.content


@pytest.mark.parametrize("persona", ["bank_member", "bank_admin", "bits", "other_bank"])
def test_only_lanekassen_may_open_borrowers(client_for, personas, two_borrowers, persona):
    client = client_for(personas[persona])
    assert client.get(reverse("balances:borrowers")).status_code == 404
    assert client.get(reverse("balances:borrower", args=[two_borrowers[0].pk])).status_code == 404


# --- Sandbox --------------------------------------------------------------------------------------


def test_sandbox_shows_the_curl_command_and_the_response(client_for, bank_member, bank,
                                                         two_borrowers, issuer_key):
    api_access_grant(organisation=bank, environment="test", by=None)
    client = client_for(bank_member)
    page = client.get(reverse("balances:sandbox"))
    assert page.status_code == 200
    response = client.post(reverse("balances:sandbox"),
                           {"customer": ALL_FOUR_FNR, "consent_form": "altinn2"})
    content = html.unescape(response.content.decode())
    assert "curl -sS http://testserver/test/saldo/v1/Accounts" in content
    assert '-H "ApiKey: $SALDO_API_KEY"' in content and "-H 'PSU_ID: 04125300311'" in content
    assert "-H 'Consent-ID: ey" in content
    assert "Svar: HTTP 200" in content and '"Name": "Omkostninger"' in content
    # The sandbox is not an API call: it neither logs nor counts in the integration test.
    assert not LookupLog.objects.exists()


def test_sandbox_with_altinn3_consent_has_no_consent_id_header(client_for, bank_member, bank,
                                                              two_borrowers, issuer_key):
    api_access_grant(organisation=bank, environment="test", by=None)
    response = client_for(bank_member).post(reverse("balances:sandbox"),
                                            {"customer": NO_DEBT_FNR, "consent_form": "altinn3"})
    content = html.unescape(response.content.decode())
    assert "-H 'Authorization: ey" in content and "-H 'Consent-ID" not in content
    assert "Svar: HTTP 200" in content


def test_sandbox_needs_test_access(client_for, bank_member, two_borrowers):
    assert client_for(bank_member).get(reverse("balances:sandbox")).status_code == 404


@pytest.mark.parametrize("persona", ["bits", "lanekassen"])
def test_sandbox_is_for_banks(client_for, personas, persona):
    assert client_for(personas[persona]).get(reverse("balances:sandbox")).status_code == 404


# --- Published documents --------------------------------------------------------------------------


def test_openapi_describes_the_endpoint_with_an_example_of_each_answer(client):
    response = client.get(reverse("balances:openapi"))
    assert response.status_code == 200
    spec = json.loads(response.content)
    operation = spec["paths"]["/saldo/v1/Accounts"]["get"]
    # ApiKey and Authorization are the two security schemes, both required on the call.
    assert [p["name"] for p in operation["parameters"]] == [
        "Consent-ID", "PSU_ID", "X-Request-Id"]
    schemes = spec["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {"ApiKey", "Authorization"}
    assert operation["security"] == [{name: [] for name in schemes}]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "429", "500"}
    for answer in operation["responses"].values():
        assert answer["content"]["application/json"]["examples"]
    example = operation["responses"]["200"]["content"]["application/json"]["examples"]
    assert len(example["all_four"]["value"]["Accounts"]) == 4
    assert example["no_debt"]["value"] == {"Accounts": [], "TotalAmount": 0}
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert [s["url"] for s in spec["servers"]] == ["http://testserver/test",
                                                   "http://testserver"]


def test_api_page_links_the_openapi_description(client_for, bank_member):
    response = client_for(bank_member).get(reverse("balances:index"))
    assert reverse("balances:openapi").encode() in response.content


def test_test_issuer_publishes_its_keys(client, issuer_key):
    response = client.get(reverse("balances:test_issuer_jwks"))
    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert key["kid"] == "saldo-test-session" and key["kty"] == "RSA" and "d" not in key


def test_test_issuer_keys_are_gone_when_it_is_disabled(client, settings, issuer_key):
    settings.SALDO_TEST_ISSUER_ENABLED = False
    assert client.get(reverse("balances:test_issuer_jwks")).status_code == 404


def test_test_issuer_is_off_when_the_test_environment_is_not_served(client, settings,
                                                                    issuer_key):
    settings.SALDO_API_ENVIRONMENTS = ["production"]
    assert client.get(reverse("balances:test_issuer_jwks")).status_code == 404


def test_health_is_trivial_json(client):
    assert client.get(reverse("balances:health")).json() == {"status": "ok"}
