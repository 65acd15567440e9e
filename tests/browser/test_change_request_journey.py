"""A change request's journey (E.1–E.3) through real pages in headless Chromium.

A bank proposes (similar requests appear while it types the title) → Bits (TOTP) opens it to
all banks → a second bank supports it and comments (its bank shows in the thread) → Bits
records Fagutvalget's recommendation and Referansegruppe Bank's decision → Lånekassen (TOTP)
accepts it for a release, starts development and delivers it in test, which prepares a change
notice that Lånekassen publishes. Screenshots under test-artifacts/browser/change_request_journey/.
"""

import re

import pytest
from django.utils import timezone

from changerequests import services
from changerequests.models import ChangeRequest, GovernanceDecision, Status, Vote
from notices.models import Component, Notice
from notices.models import Status as NoticeStatus
from tests.support.browser import act, expect, log_in, screenshots

pytestmark = pytest.mark.browser

REFERENCE_RE = re.compile(r"EO-\d{4}-\d{4}")


@pytest.fixture
def shot():
    return screenshots("change_request_journey")


def test_change_request_from_proposal_through_the_forums_to_a_published_change_notice(
        live, new_page, shot, bank_member, other_bank_member, bits_user, lk_user):
    Component.objects.get_or_create(name="Saldo-API-et")
    existing = services.change_request_propose(
        by=other_bank_member, title="Forfallsdato for neste termin", problem="Mangler.",
        proposal="Nytt felt.", benefit="Færre spørsmål.", urgency="low", part="api")
    services.change_request_open(request=existing, by=bits_user)

    # 1. The bank proposes; while it types the title, a similar request shows up.
    bank = new_page()
    log_in(bank, live, bank_member)
    bank.get_by_role("link", name="Endringsønsker", exact=True).click()
    expect(bank.get_by_role("heading", level=1, name="Endringsønsker")).to_be_visible()
    bank.get_by_role("link", name="Foreslå en endring").click()
    bank.get_by_label("Tittel").press_sequentially("Neste termin og forfallsdato", delay=20)
    expect(bank.locator("#similar")).to_contain_text("Lignende endringsønsker finnes")
    expect(bank.locator("#similar")).to_contain_text(existing.reference)
    bank.get_by_label("Problem").fill("Kundene spør om når neste termin forfaller.")
    bank.get_by_label("Foreslått endring").fill("Legg til NextInstallmentDate i responsen.")
    bank.get_by_label("Nytte").fill("Færre henvendelser til kundesenteret.")
    bank.get_by_role("radio", name="Høy").check()
    bank.get_by_label("Del av tjenesten").select_option(label="API-felter og koder")
    shot(bank, "propose")
    bank.get_by_role("button", name="Send til Bits").click()
    heading = bank.get_by_role("heading", level=1)
    expect(heading).to_contain_text(REFERENCE_RE)
    reference = REFERENCE_RE.search(heading.inner_text()).group()
    expect(bank.locator("#status")).to_have_text("Til kontroll hos Bits")
    shot(bank, "proposed")

    # 2. Bits opens it to all banks.
    bits = new_page()
    log_in(bits, live, bits_user, totp=True)
    bits.goto(f"{live}/endringsonsker/{reference}/")
    act(bits, "Åpne for alle banker")
    expect(bits.locator("#status")).to_have_text("Åpen for innspill")
    shot(bits, "opened")

    # 3. A second bank finds it in the list, supports it and comments.
    other = new_page()
    log_in(other, live, other_bank_member)
    other.goto(f"{live}/endringsonsker/")
    other.get_by_role("link", name=reference).click()
    other.get_by_role("button", name="Støtt på vegne av banken").click()
    expect(other.get_by_text(f"Banken støtter {reference}.")).to_be_visible()
    expect(other.locator("#supporters")).to_contain_text("Testbank B")
    other.get_by_role("textbox", name="Melding").fill("Vi trenger dette også.")
    other.get_by_role("button", name="Send melding").click()
    expect(other.locator("#conversation .timeline")).to_contain_text("Vi trenger dette også.")
    expect(other.locator("#conversation .timeline")).to_contain_text("(Testbank B)")
    shot(other, "supported-and-commented")

    # 4. Bits records Fagutvalget's recommendation, then Referansegruppe Bank's decision.
    bits.reload()
    bits.get_by_label("Møtedato").fill(timezone.localdate().isoformat())
    bits.get_by_label("Fagutvalgets begrunnelse").fill("Mange banker har behov for feltet.")
    bits.get_by_role("button", name="Registrer anbefalingen").click()
    expect(bits.locator("#status")).to_have_text("Behandlet i Fagutvalget")
    bits.get_by_label("Vedtaksdato").fill(timezone.localdate().isoformat())
    bits.get_by_label("Referansegruppens begrunnelse").fill("Sendes til Lånekassen.")
    bits.get_by_role("button", name="Registrer vedtaket").click()
    expect(bits.locator("#status")).to_have_text("Til beslutning hos Lånekassen")
    expect(bits.locator("#decisions")).to_contain_text("Referansegruppe Bank")
    shot(bits, "forums-recorded")

    # 5. Lånekassen accepts with a release — first forgetting the release: told on the field.
    lk = new_page()
    log_in(lk, live, lk_user, totp=True)
    lk.goto(f"{live}/endringsonsker/{reference}/")
    lk.get_by_label("Begrunnelse", exact=True).fill("Liten endring med stor nytte.")
    lk.get_by_role("button", name="Registrer beslutningen").click()
    expect(lk.get_by_text("Oppgi hvilken release endringen er planlagt i.")).to_be_visible()
    lk.get_by_label("Planlagt release").fill("2026.2")
    lk.get_by_role("button", name="Registrer beslutningen").click()
    expect(lk.locator("#status")).to_have_text("Planlagt")
    act(lk, "Start utviklingen")
    expect(lk.locator("#status")).to_have_text("Under utvikling")

    # 6. Delivered in test: a change notice is prepared, and Lånekassen publishes it.
    act(lk, "Levert i test", "NextInstallmentDate er med i testmiljøet.")
    expect(lk.locator("#status")).to_have_text("Levert i test")
    shot(lk, "delivered-in-test")
    notice_link = lk.locator("#decisions").get_by_role("link", name=re.compile(r"DM-\d{4}-\d{4}"))
    notice_link.click()
    expect(lk.locator("#status")).to_have_text("Utkast")
    act(lk, "Publiser nå")
    expect(lk.locator("#status")).to_have_text("Publisert")
    shot(lk, "notice-published")

    # Every bank sees the steps on the record.
    other.reload()
    expect(other.locator("#decisions")).to_contain_text("Fagutvalget")
    expect(other.locator("#decisions")).to_contain_text("release 2026.2")

    request = ChangeRequest.objects.get(reference=reference)
    assert request.status == Status.IN_TEST
    assert sorted(Vote.objects.filter(request=request)
                  .values_list("organisation__name", flat=True)) == ["Testbank A", "Testbank B"]
    decision = GovernanceDecision.objects.get(request=request, step=GovernanceDecision.Step.TEST)
    notice = Notice.objects.get(pk=decision.notice_id)
    assert (notice.kind, notice.status, notice.environments) == (
        "change", NoticeStatus.PUBLISHED, ["test"])
