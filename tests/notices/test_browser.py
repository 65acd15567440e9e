"""B.1 in headless Chromium: Lånekassen publishes a critical fault, a bank user sees the banner
on the dashboard and acknowledges it, and Lånekassen sees the acknowledgement. Screenshots go
to test-artifacts/browser/notice_journey/ (git-ignored)."""

import re

import pytest

from notices.models import Notice, Status
from notifications.models import Acknowledgement, OutboxMessage
from tests.support.browser import expect, log_in, screenshots

pytestmark = pytest.mark.browser


@pytest.fixture
def shot():
    return screenshots("notice_journey")


def test_lanekassen_publishes_a_critical_fault_and_sees_the_bank_acknowledge_it(
        live, new_page, shot, lk_user, bank_member, receiving_banks, components):
    # 1. Lånekassen writes the notice, previews it and publishes it.
    lk = new_page()
    log_in(lk, live, lk_user, totp=True)
    lk.get_by_role("link", name="Driftsmeldinger", exact=True).click()
    lk.get_by_role("link", name="Ny driftsmelding").click()
    lk.get_by_role("radio", name="Driftsavvik").check()
    lk.get_by_role("checkbox", name="Produksjon").check()
    lk.get_by_role("checkbox", name="Saldo-API-et").check()
    lk.get_by_label("Alvorlighet").select_option(label="Kritisk")
    lk.get_by_label("Tittel").fill("Saldo-API-et svarer 503 i produksjon")
    lk.get_by_label("Tekst").fill("Alle kall feiler fra **09.12**. <script>alert(1)</script>")
    lk.get_by_role("button", name="Forhåndsvis").click()
    expect(lk.locator(".notice-preview strong")).to_have_text("09.12")
    shot(lk, "preview")
    lk.get_by_role("button", name="Publiser nå").click()
    expect(lk.get_by_text("Driftsmeldingen er publisert")).to_be_visible()
    expect(lk.locator("#status")).to_have_text("Publisert")
    reference = Notice.objects.get().reference
    shot(lk, "published")

    # 2. The bank user sees the banner on the dashboard and acknowledges with one click.
    bank = new_page()
    log_in(bank, live, bank_member)
    banner = bank.locator(".notice-banner")
    expect(banner).to_contain_text("Kritisk driftsavvik")
    expect(banner).to_contain_text("Saldo-API-et svarer 503 i produksjon")
    shot(bank, "banner")
    banner.get_by_role("button", name="Bekreft at vi har lest").click()
    expect(bank.get_by_text(f"Dere har bekreftet at dere har lest {reference}")).to_be_visible()
    expect(bank.locator(".notice-banner").get_by_role("button")).to_have_count(0)
    shot(bank, "acknowledged")

    # 3. Lånekassen sees who acknowledged, when, and who has not.
    lk.reload()
    acks = lk.locator("#acknowledgements")
    row = acks.get_by_role("row").filter(has_text="Testbank A")
    expect(row).to_contain_text(str(bank_member))
    expect(row).to_contain_text(re.compile(r"\d\d\.\d\d\.\d{4} \d\d:\d\d"))
    expect(acks.get_by_role("row").filter(has_text="Nordbank")).to_contain_text("Ikke bekreftet")
    expect(lk.get_by_text("1 har bekreftet, 2 mangler.")).to_be_visible()
    shot(lk, "acknowledgements")

    acknowledgement = Acknowledgement.objects.get(notice__reference=reference,
                                                  organisation__name="Testbank A")
    assert acknowledgement.acknowledged_by == bank_member
    assert Notice.objects.get().status == Status.PUBLISHED
    assert OutboxMessage.objects.filter(to__endswith="@nordbank.example.com").count() == 2
