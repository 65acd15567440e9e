"""An error report's whole journey (C.1) through real pages in headless Chromium.

Bank member reports with an attachment → Bits handler (TOTP) takes and escalates → Lånekassen
caseworker (TOTP) marks it fixed → Bits resolves → the bank member confirms. A screenshot of each
step is saved under test-artifacts/browser/error_report_journey/ (git-ignored).
"""

import re
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from casework.models import Attachment
from incidents.models import ErrorReport, Status
from tests.support.browser import act, expect, log_in, screenshots

pytestmark = pytest.mark.browser

REFERENCE_RE = re.compile(r"FM-\d{4}-\d{4}")


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
def shot():
    return screenshots("error_report_journey")


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
    log_in(bits, live, bits_user, totp=True, on_totp_page=lambda page: shot(page, "bits-totp"))
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
    log_in(lk, live, lk_user, totp=True,
           on_totp_page=lambda page: shot(page, "lanekassen-totp"))
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
