"""B.1 in headless Chromium: Lånekassen publishes a critical fault, a bank user sees the banner
on the dashboard and acknowledges it, and Lånekassen sees the acknowledgement. Screenshots go
to test-artifacts/browser/notice_journey/ (git-ignored)."""

import base64
import hashlib
import hmac
import os
import re
import shutil
import struct
import time
from pathlib import Path

import pytest

from notices.models import Notice, NoticeRecipient, Status
from notifications.models import OutboxMessage
from tests.factories import PASSWORD, TOTP_SECRET

# Playwright's sync API runs an event loop in this thread; the ORM calls made here are still
# synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = (Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
             / "notice_journey")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def totp_now(secret):
    """RFC 6238 code for now (pyotp refuses the 80-bit demo secret)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


@pytest.fixture
def browser():
    executable = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.skip("Chromium is not installed: run under scripts/testenv.py (make test)")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                      headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make():
        context = browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def live(live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server.url


@pytest.fixture
def shot():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    counter = iter(range(1, 100))

    def take(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{next(counter):02d}-{name}.png"), full_page=True)

    return take


def log_in(page, base_url, user, *, totp=False):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    if totp:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Kode").fill(totp_now(TOTP_SECRET))
        page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()


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

    recipient = NoticeRecipient.objects.get(notice__reference=reference,
                                            organisation__name="Testbank A")
    assert recipient.acknowledged_by == bank_member
    assert Notice.objects.get().status == Status.PUBLISHED
    assert OutboxMessage.objects.filter(to__endswith="@nordbank.example.com").count() == 2
