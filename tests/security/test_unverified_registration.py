"""A bank that registered itself is not a bank until Bits has verified it (issue 14, item 3).

Anyone may register any name (names are not unique: "Demo Bank A" was accepted again under
another orgnr) and confirm an e-mail address. Until Bits has verified the registration, the
registrant reaches its onboarding case and nothing else: pages redirect to the case with a
message, writes are refused (403). Wherever Bits and Lånekassen see a bank's name, its orgnr is
beside it and an unverified organisation is marked; a registration under the name of a bank
already in the portal is flagged in Bits' pipeline.
"""

import re

import pytest
from django.test import Client
from django.utils import timezone

from incidents import services as incidents
from incidents.models import ErrorReport
from notifications.models import OutboxMessage
from onboarding import services
from onboarding.models import OnboardingCase

pytestmark = pytest.mark.django_db

PASSWORD = "et-langt-og-godt-passord-42"
REGISTRATION = {
    "supplier_orgnr": "", "supplier_name": "",
    "business_name": "Kari Forretning", "business_email": "kari@fjordbanken.no",
    "business_phone": "22 00 00 01",
    "technical_name": "Tor Teknisk", "technical_email": "tor@fjordbanken.no",
    "technical_phone": "+47 400 00 000",
    "security_name": "Siri Sikkerhet", "security_email": "siri@fjordbanken.no",
    "security_phone": "99999999",
    "test_endpoints": "api.test.fjordbanken.no",
    "registrant_name": "Rita Registrant", "registrant_email": "rita@fjordbanken.no",
}


@pytest.fixture
def registrant(db, bank):
    """Someone who registered "Testbank A" (the name of a bank in the portal) under another
    orgnr and confirmed the address: logged in, as the link leaves them."""
    client = Client()
    client.post("/onboarding/registrer/", {**REGISTRATION, "orgnr": "974760673",
                                           "name": "Testbank A"})
    mail = OutboxMessage.objects.get(to="rita@fjordbanken.no")
    link = re.search(r"/onboarding/bekreft/[^/\s]+/[^/\s]+/", mail.body).group(0)
    response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    case = OnboardingCase.objects.get(organisation__orgnr="974760673")
    client.case = case
    return client


PAGES = ["/", "/feilmeldinger/", "/feilmeldinger/ny/", "/feilmeldinger/sikkerhetsbrudd/",
         "/sporsmal/", "/sporsmal/ny/", "/sporsmal/faq/", "/endringsonsker/",
         "/endringsonsker/ny/", "/driftsmeldinger/", "/saldo-api/", "/varsler/",
         "/varsler/webhooks/", "/konto/invitasjoner/", "/konto/medlemmer/",
         "/konto/kontaktpunkter/", "/onboarding/api-nokler/", "/onboarding/bruksvilkar/"]
WRITES = ["/feilmeldinger/ny/", "/sporsmal/ny/", "/endringsonsker/ny/",
          "/feilmeldinger/sikkerhetsbrudd/ny/", "/varsler/webhooks/", "/konto/invitasjoner/",
          "/onboarding/api-nokler/ny/test/"]


@pytest.mark.parametrize("path", PAGES)
def test_an_unverified_registrant_is_sent_to_its_onboarding_case(registrant, path):
    response = registrant.get(path)
    assert response.status_code == 302, path
    assert response["Location"] in ("/onboarding/", registrant.case.get_absolute_url())
    page = registrant.get(path, follow=True)
    assert page.status_code == 200
    assert page.request["PATH_INFO"] == registrant.case.get_absolute_url()
    assert "Bits har ikke verifisert registreringen" in page.content.decode()


@pytest.mark.parametrize("path", WRITES)
def test_an_unverified_registrant_cannot_write_anything_but_its_case(registrant, path):
    response = registrant.post(path, {"environment": "production", "severity": "critical",
                                      "summary": "Alt er nede", "description": "Kritisk",
                                      "title": "x", "body": "x", "url": "https://x.example"})
    assert response.status_code == 403, path
    assert not ErrorReport.objects.exists()


def test_an_unverified_registrant_still_reaches_its_own_case(registrant):
    case = registrant.case
    assert registrant.get("/onboarding/", follow=True).request["PATH_INFO"] == (
        case.get_absolute_url())
    response = registrant.get(case.get_absolute_url())
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    response = registrant.post(f"{case.get_absolute_url()}melding/",
                               {"body": "Hei Bits", "visibility": "public"})
    assert response.status_code == 302
    assert registrant.get("/accounts/logout/").status_code == 200


def test_once_bits_has_verified_the_registration_the_bank_gets_in(registrant, bits_user):
    services.onboarding_verify(case=registrant.case, by=bits_user)
    assert registrant.get("/feilmeldinger/").status_code == 200
    registrant.case.organisation.refresh_from_db()
    assert registrant.case.organisation.is_verified


def test_bits_sees_the_orgnr_an_unverified_mark_and_a_name_clash_in_the_pipeline(
        registrant, client_for, bits_user):
    html = client_for(bits_user).get("/onboarding/").content.decode()
    assert "Testbank A (974760673)" in html
    assert "ikke verifisert" in html
    assert 'id="name-clash-' in html
    assert "910000004" in html  # the bank that already has the name

    detail = client_for(bits_user).get(registrant.case.get_absolute_url()).content.decode()
    assert "Testbank A (974760673)" in detail and "ikke verifisert" in detail


def test_bits_sees_each_banks_orgnr_beside_its_name_in_the_error_report_queue(
        client_for, bits_user, bank_member):
    report = incidents.incident_report(
        by=bank_member, environment="production", severity="critical",
        occurred_at=timezone.now(), request_ids=["req-1"], summary="Alt er nede",
        description="Kritisk")
    client = client_for(bits_user)
    for url in ("/feilmeldinger/", report.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Testbank A (910000004)" in html, url
        assert "ikke verifisert" not in html
