"""An error report's whole journey (C.1) through real pages in headless Chromium.

Bank member reports with an attachment → Bits handler (TOTP) takes and escalates → Lånekassen
caseworker (TOTP) marks it fixed → Bits resolves → the bank member confirms. A screenshot of each
step is saved under test-artifacts/browser/error_report_journey/ (git-ignored).
"""

import base64
import hashlib
import hmac
import os
import re
import shutil
import struct
import time
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.utils import timezone

from casework.models import Attachment
from incidents.models import ErrorReport, Status
from tests.factories import PASSWORD, TOTP_SECRET

# Playwright's sync API runs an event loop in this thread; the ORM calls made here (fixtures,
# final assertions) are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = (Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
             / "error_report_journey")
STEP_TIMEOUT_MS = 10_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
REFERENCE_RE = re.compile(r"FM-\d{4}-\d{4}")


def totp_now(secret: str) -> str:
    """RFC 6238 code for now (SHA-1, 6 digits, 30 s). pyotp refuses the 80-bit demo secret
    (it wants at least 112 bits), so the code is computed here, independently of allauth."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def tiny_png(path: Path) -> Path:
    """A valid 2×2 PNG, so the content check (not the file name) accepts it as an image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium",
            args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
            # ORM calls made while Playwright runs get their own connection (Django keys
            # connections by context); close it, or the test database cannot be dropped.
            connections.close_all()


@pytest.fixture
def new_page(browser):
    """One browser context per persona: separate cookies, as separate people have."""
    contexts = []

    def make():
        context = browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    counter = iter(range(1, 100))

    def take(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{next(counter):02d}-{name}.png"), full_page=True)

    return take


@pytest.fixture
def live(transactional_db, live_server, settings):
    # Without DEBUG the cookies are Secure; the live server speaks plain http.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server.url


def log_in(page, base_url, user, *, totp_shot=None):
    """Log in by e-mail and password; with `totp_shot`, also pass allauth's TOTP step."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    if totp_shot:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Kode").fill(totp_now(TOTP_SECRET))
        totp_shot(page)
        page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()


def act(page, action_label, text=None):
    """Run one case action from the case page's action panel and wait for its confirmation."""
    actions = page.get_by_role("complementary")
    if text is not None:
        form = actions.locator("form").filter(
            has=page.get_by_role("button", name=action_label, exact=True))
        form.get_by_role("textbox").fill(text)
    actions.get_by_role("button", name=action_label, exact=True).click()
    expect(page.get_by_text(f"Utført: {action_label}.")).to_be_visible()


def test_error_report_travels_from_bank_through_bits_and_lanekassen_and_back(
        live, new_page, shot, tmp_path, bank_member, bits_user, lk_user):
    screenshot_file = tiny_png(tmp_path / "skjermbilde.png")

    # 1. The bank member logs in (the skip link comes first for keyboard users) and reports.
    bank = new_page()
    static_status = {}
    bank.on("response", lambda r: static_status.__setitem__(r.url, r.status)
            if "/static/" in r.url else None)
    bank.goto(f"{live}/accounts/login/")
    bank.wait_for_load_state("load")
    # Designsystemet's CSS (from node_modules), portal.css and htmx all load.
    assert any("designsystemet/src/index.css" in url for url in static_status), static_status
    assert any("htmx.min.js" in url for url in static_status), static_status
    assert set(static_status.values()) == {200}, static_status
    assert bank.evaluate(
        "getComputedStyle(document.querySelector('.ds-button')).borderRadius") != "0px"
    bank.keyboard.press("Tab")
    expect(bank.get_by_role("link", name="Hopp til hovedinnhold")).to_be_focused()
    shot(bank, "login")
    log_in(bank, live, bank_member)

    bank.get_by_role("link", name="Meld en feil").first.click()
    expect(bank.get_by_role("heading", level=1, name="Meld en feil")).to_be_visible()
    bank.get_by_role("radio", name="Test").check()
    bank.get_by_label("Alvorlighet").select_option(label="Høy")
    occurred = timezone.localtime(timezone.now() - timedelta(hours=1))
    bank.get_by_label("Når skjedde feilen?").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
    bank.get_by_label("X-Request-Id").fill("3f6c1a2e-0b7d-4c55-9e21-aa01\nreq-42")
    bank.get_by_label("Sammendrag").fill("401 på alle saldooppslag i test")
    bank.get_by_label("Beskrivelse").fill("Alle kall mot /saldo/v1/Accounts gir 401 siden i dag.")
    bank.get_by_label("Vedlegg").set_input_files(str(screenshot_file))
    shot(bank, "report-form")
    bank.get_by_role("button", name="Send feilmelding").click()

    heading = bank.get_by_role("heading", level=1)
    expect(heading).to_contain_text(REFERENCE_RE)
    reference = REFERENCE_RE.search(heading.inner_text()).group()
    assert reference == f"FM-{timezone.localdate().year}-0001"
    expect(bank.get_by_text(f"Feilmeldingen er registrert som {reference}.")).to_be_visible()
    expect(bank.locator("#status")).to_have_text("Ny")
    expect(bank.get_by_role("link", name="skjermbilde.png")).to_be_visible()
    shot(bank, "reported")

    # A reply joins the timeline without a page reload (htmx swaps the conversation only).
    bank.evaluate("window.__noReload = 'still here'")
    bank.get_by_role("textbox", name="Melding").fill("Det gjelder også kall uten Consent-ID.")
    bank.get_by_role("button", name="Send melding").click()
    expect(bank.locator("#conversation .timeline")).to_contain_text(
        "Det gjelder også kall uten Consent-ID.")
    assert bank.evaluate("window.__noReload") == "still here"
    expect(bank.get_by_role("textbox", name="Melding")).to_have_value("")
    shot(bank, "reply-without-reload")

    # 2. The Bits handler logs in with password and TOTP, takes the case and escalates it.
    bits = new_page()
    log_in(bits, live, bits_user, totp_shot=lambda page: shot(page, "bits-totp"))
    bits.get_by_role("link", name="Feilmeldinger", exact=True).click()
    expect(bits.get_by_role("heading", level=1, name="Kø: feilmeldinger")).to_be_visible()
    shot(bits, "bits-queue")
    bits.get_by_role("link", name=reference).click()
    expect(bits.get_by_role("heading", level=1)).to_contain_text(reference)
    act(bits, "Ta saken")
    expect(bits.locator("#status")).to_have_text("Under behandling hos Bits")
    act(bits, "Eskaler til Lånekassen", "Eskaler til Lånekassen: 401 for gyldig token i test.")
    expect(bits.locator("#status")).to_have_text("Hos Lånekassen")
    shot(bits, "bits-escalated")

    # 3. The Lånekassen caseworker logs in with TOTP, opens the case and marks it fixed.
    lk = new_page()
    log_in(lk, live, lk_user, totp_shot=lambda page: shot(page, "lanekassen-totp"))
    lk.get_by_role("link", name="Feilmeldinger", exact=True).click()
    lk.get_by_role("link", name=reference).click()
    expect(lk.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(lk.locator("#conversation")).to_contain_text("401 for gyldig token i test.")
    act(lk, "Marker som rettet", "Feil nøkkel-cache i testmiljøet er tømt og rettet.")
    expect(lk.locator("#status")).to_have_text("Rettet av Lånekassen")
    shot(lk, "lanekassen-fixed")

    # 4. Bits resolves it to the bank with guidance.
    bits.reload()
    act(bits, "Løs saken", "Lånekassen har rettet feilen. Prøv kallene på nytt.")
    expect(bits.locator("#status")).to_have_text("Løst")
    shot(bits, "bits-resolved")

    # 5. The bank member sees the guidance and confirms: the case is closed.
    bank.reload()
    expect(bank.locator("#conversation")).to_contain_text("Prøv kallene på nytt.")
    expect(bank.locator("#conversation")).not_to_contain_text("401 for gyldig token i test.")
    act(bank, "Bekreft at feilen er løst")
    expect(bank.locator("#status")).to_have_text("Lukket")
    shot(bank, "bank-confirmed")

    report = ErrorReport.objects.get(reference=reference)
    assert report.status == Status.CLOSED
    attachment = Attachment.objects.get(object_id=report.pk,
                                        content_type=ContentType.objects.get_for_model(report))
    assert (attachment.filename, attachment.mime_type) == ("skjermbilde.png", "image/png")
