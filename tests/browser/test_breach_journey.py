"""A security breach at a bank (C.2), its whole journey through real pages in headless Chromium.

The bank's security contact reports the breach through the form → Lånekassen's caseworker (TOTP)
confirms receipt, suspends the bank's API access from the case and records the notice to
Datatilsynet → the bank's admin is offered key rotation without a grace period → the security
contact delivers the final report → Lånekassen closes the case, and the bank's API access stays
suspended in balances. A screenshot of each key step is saved under
test-artifacts/browser/breach_journey/ (git-ignored).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from balances.models import ApiAccess
from balances.selectors import api_access_active, api_suspension_for
from balances.services import api_key_issue
from incidents.breaches.models import Breach, Status
from tests.factories import member_of
from tests.support.browser import act, expect, log_in, screenshots

pytestmark = pytest.mark.browser

REFERENCE_RE = re.compile(r"SB-\d{4}-\d{4}")
SUSPENSION_REASON = "API-nøkkelen for test lå i et offentlig repo."


@pytest.fixture
def shot():
    return screenshots("breach_journey")


@pytest.fixture
def security_contact(bank):
    user = member_of(bank, email="sikkerhet@bank-a.example.com")
    Membership.objects.filter(user=user).update(is_security_contact=True)
    return user


@pytest.fixture
def bank_with_access(bank, bank_admin):
    """The bank has access to the test environment and a key there."""
    ApiAccess.objects.create(organisation=bank, environment="test")
    api_key_issue(organisation=bank, environment="test", by=bank_admin)
    return bank


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_breach_travels_from_the_banks_report_through_containment_to_closing(
        live, new_page, shot, bank_with_access, security_contact, bank_admin, lk_user):
    now = timezone.now()

    # 1. The bank's security contact reports the breach through the form.
    bank = new_page()
    log_in(bank, live, security_contact)
    bank.get_by_role("navigation").get_by_role("link", name="Sikkerhetsbrudd",
                                                exact=True).click()
    expect(bank.get_by_role("heading", level=1, name="Sikkerhetsbrudd")).to_be_visible()
    bank.get_by_role("link", name="Meld sikkerhetsbrudd").click()
    expect(bank.get_by_role("heading", level=1, name="Meld sikkerhetsbrudd")).to_be_visible()
    bank.get_by_label("Når ble dere kjent med bruddet?").fill(_local(now - timedelta(hours=2)))
    bank.get_by_label("Bruddet startet").fill(_local(now - timedelta(days=3)))
    bank.get_by_label("Bruddet sluttet").fill(_local(now - timedelta(days=1)))
    bank.get_by_label("Hva skjedde, og hvordan?").fill(
        "En API-nøkkel for testmiljøet lå i et offentlig repo i to døgn.")
    bank.get_by_role("radio", name="Lekket API-nøkkel", exact=True).check()
    bank.get_by_role("checkbox", name="Konfidensialitet").check()
    bank.get_by_label("Hvilke personopplysninger er berørt?").fill("Saldo på studielån")
    bank.get_by_label("Omtrent hvor mange personer?").fill("40")
    bank.get_by_role("radio", name="De vil bli informert").check()
    bank.get_by_role("textbox", name="Kontaktperson", exact=True).fill("Siri Sikkerhet")
    bank.get_by_label("Kontaktpersonens e-post").fill("sikkerhet@bank-a.example.com")
    shot(bank, "report-form")
    bank.get_by_role("button", name="Send melding om sikkerhetsbrudd").click()

    heading = bank.get_by_role("heading", level=1)
    expect(heading).to_contain_text(REFERENCE_RE)
    reference = REFERENCE_RE.search(heading.inner_text()).group()
    assert reference == f"SB-{timezone.localdate().year}-0001"
    expect(bank.get_by_text(f"Sikkerhetsbruddet er registrert som {reference}.")).to_be_visible()
    expect(bank.locator("#status")).to_have_text("Meldt – venter på mottaksbekreftelse")
    expect(bank.locator("#received")).to_have_text("Nei")
    expect(bank.locator("#authority")).to_have_text("Ikke registrert")
    expect(bank.locator("#conversation .timeline")).to_contain_text("meldte sikkerhetsbruddet")
    expect(bank.locator("#clocks")).to_be_visible()
    shot(bank, "reported")

    # 2. Lånekassen's caseworker (TOTP) finds it in the list and confirms receipt.
    lk = new_page()
    log_in(lk, live, lk_user, totp=True)
    lk.get_by_role("navigation").get_by_role("link", name="Sikkerhetsbrudd", exact=True).click()
    lk.get_by_role("link", name=reference).click()
    expect(lk.get_by_role("heading", level=1)).to_contain_text(reference)
    act(lk, "Bekreft mottak")
    expect(lk.locator("#status")).to_have_text("Under behandling")
    expect(lk.locator("#received")).not_to_have_text("Nei")
    expect(lk.locator("#conversation .timeline")).to_contain_text("bekreftet mottak")

    # 3. … suspends the bank's API access from the case, with a reason the bank sees …
    act(lk, "Suspender bankens API-tilgang", SUSPENSION_REASON)
    expect(lk.locator("#suspension")).to_contain_text("Bankens API-tilgang er suspendert fra")
    expect(lk.locator("#suspension")).to_contain_text(SUSPENSION_REASON)
    timeline = lk.locator("#conversation .timeline")
    expect(timeline).to_contain_text("suspenderte bankens API-tilgang")
    expect(timeline).to_contain_text(SUSPENSION_REASON)
    expect(lk.get_by_role("complementary").get_by_role(
        "button", name="Suspender bankens API-tilgang")).to_have_count(0)
    expect(lk.get_by_role("complementary").get_by_role(
        "button", name="Opphev suspensjonen")).to_be_visible()
    shot(lk, "lanekassen-suspended")

    # 4. … and records the notice to Datatilsynet: when, and its reference.
    notified_at = timezone.localtime(now - timedelta(minutes=30))
    authority = lk.locator("section").filter(
        has=lk.get_by_role("heading", name="Melding til Datatilsynet"))
    authority.get_by_role("radio", name="Meldt til Datatilsynet").check()
    authority.get_by_label("Meldt", exact=True).fill(_local(notified_at))
    authority.get_by_label("Datatilsynets referanse").fill("DT-24/01234")
    authority.get_by_role("button", name="Registrer").click()
    expect(lk.get_by_text("Meldingen til Datatilsynet er registrert.")).to_be_visible()
    expect(lk.locator("#authority")).to_have_text(
        f"Meldt {notified_at.strftime('%d.%m.%Y %H:%M')} (ref. DT-24/01234)")
    expect(lk.locator("#conversation .timeline")).to_contain_text(
        "registrerte melding til Datatilsynet")
    expect(lk.get_by_role("heading", name="Melding til Datatilsynet")).to_have_count(0)
    shot(lk, "lanekassen-authority-recorded")

    # 5. The bank sees the suspension and the notice on the case.
    bank.reload()
    expect(bank.locator("#status")).to_have_text("Under behandling")
    expect(bank.locator("#suspension")).to_contain_text(SUSPENSION_REASON)
    expect(bank.locator("#authority")).to_contain_text("(ref. DT-24/01234)")
    expect(bank.get_by_role("button", name="Opphev suspensjonen")).to_have_count(0)

    # 6. The bank's admin is offered key rotation without a grace period: the link lands on
    #    the keys page with 0 days preselected.
    admin = new_page()
    log_in(admin, live, bank_admin)
    admin.goto(f"{live}{Breach.objects.get(reference=reference).get_absolute_url()}")
    rotate = admin.get_by_role("link", name="Bytt nøkler uten overgangsperiode")
    expect(rotate).to_have_attribute("href", re.compile(r"\?grace_days=0$"))
    rotate.click()
    expect(admin.get_by_role("heading", level=1, name="API-nøkler")).to_be_visible()
    expect(admin.get_by_label("Overgangsperiode (dager)")).to_have_value("0")
    expect(admin.get_by_text("suspendert – " + SUSPENSION_REASON)).to_be_visible()
    shot(admin, "admin-keys-no-grace")

    # 7. The security contact delivers the final report: consequences and measures.
    bank.get_by_role("link", name="Lever sluttrapport").click()
    expect(bank.get_by_role("heading", level=1)).to_have_text(f"Sluttrapport: {reference}")
    # The facts so far are filled in: only what is new has to be written.
    expect(bank.get_by_label("Hvilke personopplysninger er berørt?")).to_have_value(
        "Saldo på studielån")
    bank.get_by_label("Sannsynlige konsekvenser").fill(
        "Saldoer for inntil 40 personer kan ha blitt sett av uvedkommende.")
    bank.get_by_label("Tiltak som er satt i verk").fill(
        "Nøkkelen er byttet uten overgangsperiode og repoet er slettet.")
    shot(bank, "final-report-form")
    bank.get_by_role("button", name="Lever sluttrapport").click()
    expect(bank.get_by_text("Sluttrapporten er levert.")).to_be_visible()
    expect(bank.locator("#status")).to_have_text("Sluttrapport levert")
    expect(bank.locator("#conversation .timeline")).to_contain_text("leverte sluttrapport")
    expect(bank.locator("#versions thead")).to_contain_text("Sluttrapport")
    expect(bank.get_by_text("Saldoer for inntil 40 personer")).not_to_have_count(0)
    shot(bank, "final-reported")

    # 8. Lånekassen closes the case.
    lk.reload()
    expect(lk.locator("#status")).to_have_text("Sluttrapport levert")
    act(lk, "Lukk saken")
    expect(lk.locator("#status")).to_have_text("Lukket")
    expect(lk.locator("#conversation .timeline")).to_contain_text("lukket saken")
    shot(lk, "lanekassen-closed")

    bank.reload()
    expect(bank.locator("#status")).to_have_text("Lukket")
    expect(bank.get_by_role("link", name="Lever sluttrapport")).to_have_count(0)

    # The bank's API access is still suspended in balances, with the reason given.
    breach = Breach.objects.get(reference=reference)
    assert breach.status == Status.CLOSED
    assert breach.authority_reference == "DT-24/01234"
    suspension = api_suspension_for(organisation=breach.organisation)
    assert suspension is not None and suspension.reason == SUSPENSION_REASON
    assert not api_access_active(organisation=breach.organisation, environment="test")
