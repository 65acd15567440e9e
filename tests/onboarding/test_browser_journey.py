"""A bank's whole onboarding (A.1–A.4) through real pages in headless Chromium.

Anonymous registration → the e-mail link sets the admin's password → Bits (TOTP) verifies →
the admin gives themself signing authority and signs the terms → Bits orders test access →
Lånekassen (TOTP) grants it → the admin creates the test key, shown once → the bank reports the
test done → Bits approves → the bank confirms readiness → Lånekassen grants production → the
bank confirms the routines and is in production. A screenshot of each step is saved under
test-artifacts/browser/onboarding_journey/ (git-ignored).
"""

import re

import pytest

from balances.selectors import api_key_check
from notifications.models import OutboxMessage
from onboarding.models import OnboardingCase, Status, TermsSignature
from tests.support.browser import act, expect, log_in, screenshots

pytestmark = pytest.mark.browser

REGISTRANT = "rita@fjordbanken.example.com"


@pytest.fixture
def shot():
    return screenshots("onboarding_journey")


def open_case_from_pipeline(page, reference):
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Onboarding").click()
    expect(page.get_by_role("heading", level=1, name="Onboarding av banker")).to_be_visible()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def test_bank_goes_from_registration_to_production(live, new_page, shot, bits_user, lk_user,
                                                   terms):
    # 1. A.1: someone from a bank not yet in the portal registers it, without logging in.
    bank = new_page()
    bank.goto(f"{live}/onboarding/registrer/")
    expect(bank.get_by_role("heading", level=1, name="Registrer banken")).to_be_visible()
    bank.get_by_label(re.compile(r"^Organisasjonsnummer")).fill("974760673")
    bank.get_by_label("Juridisk navn").fill("Fjordbanken ASA")
    for legend, name, email, phone in [
            ("Forretningskontakt", "Kari Forretning", "kari@fjordbanken.example.com",
             "22 00 00 01"),
            ("Teknisk kontakt", "Tor Teknisk", "tor@fjordbanken.example.com", "400 00 000"),
            ("Sikkerhetskontakt", "Siri Sikkerhet", "siri@fjordbanken.example.com",
             "+47 99 99 99 99")]:
        group = bank.get_by_role("group", name=legend)
        group.get_by_label("Navn").fill(name)
        group.get_by_label("E-post").fill(email)
        group.get_by_label("Telefon").fill(phone)
    bank.get_by_label("Testdomener og IP-områder").fill("10.0.0.0/33")
    bank.get_by_label("Ditt navn").fill("Rita Registrant")
    bank.get_by_label("Din e-post").fill(REGISTRANT)
    bank.get_by_role("button", name="Send registreringen").click()
    # A range that does not parse: the error sits on the field and nothing is saved.
    expect(bank.get_by_text("«10.0.0.0/33» er ikke en gyldig IP-adresse")).to_be_visible()
    assert not OnboardingCase.objects.exists()
    shot(bank, "registration-error-on-field")
    bank.get_by_label("Testdomener og IP-områder").fill("api.test.fjordbanken.no\n192.0.2.0/24")
    bank.get_by_role("button", name="Send registreringen").click()
    expect(bank.get_by_role("heading", level=1, name="Registreringen er mottatt")).to_be_visible()
    shot(bank, "registered")
    case = OnboardingCase.objects.get()
    reference = case.reference

    # 2. The registrant opens the link in the e-mail and sets a password: logged in as admin.
    body = OutboxMessage.objects.get(to=REGISTRANT).body
    path = re.search(r"/onboarding/bekreft/\S+/", body).group()
    bank.goto(f"{live}{path}")
    bank.get_by_label(re.compile(r"^Passord")).fill("fjordbanken-passord-1")
    bank.get_by_label("Gjenta passordet").fill("fjordbanken-passord-1")
    bank.get_by_role("button", name="Bekreft og velg passord").click()
    expect(bank.get_by_text("E-postadressen er bekreftet.")).to_be_visible()
    expect(bank.locator("#status")).to_have_text("Registrert – til kontroll hos Bits")
    expect(bank.locator("#steps li[data-state=current]")).to_contain_text("A.1 Registrering")
    shot(bank, "verified-case-page")

    # 3. Bits (password + TOTP) finds it in the pipeline and verifies the registration.
    bits = new_page()
    log_in(bits, live, bits_user, totp=True)
    open_case_from_pipeline(bits, reference)
    shot(bits, "bits-case")
    act(bits, "Godkjenn registreringen")
    expect(bits.locator("#status")).to_have_text("Venter på signering av bruksvilkår")

    # 4. A.2: the registrant, the bank's first admin, has signing authority from the
    # verification on (issue 15: nobody else could grant it) and signs the current terms.
    bank.goto(f"{live}/konto/medlemmer/")
    expect(bank.get_by_role("button", name=f"Fjern signeringsrett for {REGISTRANT}")) \
        .to_be_visible()
    shot(bank, "signing-authority")
    bank.goto(f"{live}/onboarding/")
    bank.get_by_role("link", name="Les og signer bruksvilkårene").click()
    expect(bank.locator("#terms-text")).to_contain_text("Tjenestebeskrivelse")
    bank.get_by_label("Jeg har lest bruksvilkårene").check()
    bank.get_by_label("Banken har akseptert Maskinportens bruksvilkår").check()
    shot(bank, "terms")
    bank.get_by_role("button", name="Signer bruksvilkårene").click()
    expect(bank.get_by_text("Bruksvilkårene (versjon 1.0) er signert.")).to_be_visible()
    expect(bank.locator("#status")).to_have_text("Venter på at Bits bestiller testtilgang")
    signature = TermsSignature.objects.get()
    assert (signature.signer_email, signature.sha256) == (REGISTRANT, terms.sha256)

    # 5. A.3: Bits orders test access, Lånekassen grants it.
    bits.reload()
    act(bits, "Bestill testtilgang")
    lk = new_page()
    log_in(lk, live, lk_user, totp=True)
    open_case_from_pipeline(lk, reference)
    act(lk, "Gi testtilgang")
    expect(lk.locator("#status")).to_have_text("Integrasjonstest pågår")
    shot(lk, "lanekassen-granted-test")

    # 6. The admin creates the test key: shown once, never again.
    bank.reload()
    bank.get_by_role("link", name="API-nøkler").first.click()
    bank.get_by_role("button", name="Opprett nøkkel for test").click()
    expect(bank.get_by_text("Den vises bare denne ene gangen")).to_be_visible()
    key = bank.locator("#api-key").input_value()
    assert key.startswith("slk_test_")
    shot(bank, "key-shown-once")
    bank.get_by_role("link", name="Jeg har tatt vare på nøkkelen").click()
    expect(bank.get_by_role("heading", level=1, name="API-nøkler")).to_be_visible()
    assert key not in bank.content()
    assert key[:21] in bank.content()  # the key id (prefix) identifies it
    assert api_key_check(presented_key=key, environment="test") is not None

    bank.goto(f"{live}/onboarding/")
    act(bank, "Meld integrasjonstesten fullført", "Alle testkundene gir forventet svar.")
    expect(bank.locator("#status")).to_have_text("Integrasjonstest til godkjenning hos Bits")

    bits.reload()
    expect(bits.locator("#conversation")).to_contain_text("Alle testkundene gir forventet svar.")
    act(bits, "Godkjenn integrasjonstesten")
    shot(bits, "bits-approved-test")

    # 7. A.4: readiness with production domains, production access, the routines.
    bank.reload()
    bank.get_by_label("Produksjonsdomener og IP-områder").fill("api.fjordbanken.no")
    bank.get_by_label("Vi bekrefter at banken er klar for produksjon").check()
    bank.get_by_role("button", name="Meld klar for produksjon").click()
    expect(bank.get_by_text("Klarmeldingen er sendt til Lånekassen.")).to_be_visible()

    lk.reload()
    act(lk, "Gi produksjonstilgang")

    bank.reload()
    bank.get_by_label("Vi bekrefter at banken har tatt i bruk forvaltningsrutinene").check()
    bank.get_by_role("button", name="Bekreft forvaltningsrutinene").click()
    expect(bank.locator("#status")).to_have_text("I produksjon")
    expect(bank.locator("#steps li[data-state=done]")).to_have_count(4)
    shot(bank, "in-production")

    case.refresh_from_db()
    assert case.status == Status.COMPLETED
    assert case.production_endpoints == ["api.fjordbanken.no"]
    assert case.test_endpoints == ["api.test.fjordbanken.no", "192.0.2.0/24"]
