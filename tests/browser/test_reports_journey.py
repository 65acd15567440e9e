"""Reports and the bank's API page in headless Chromium: a Bits handler opens the SLA report,
changes the period and downloads the CSV; a bank member opens its API page and files an error
report from a failing call, its X-Request-Id filled in. Screenshots under
test-artifacts/browser/reports_journey/ (git-ignored)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from balances.models import LookupLog
from balances.rollup import lookup_rollup_tick
from incidents.models import ErrorReport
from tests.support.browser import expect, log_in, screenshots

pytestmark = pytest.mark.browser


@pytest.fixture
def shot():
    return screenshots("reports_journey")


def test_bits_changes_the_sla_reports_period_and_downloads_the_csv(live, new_page, shot,
                                                                   bits_user):
    page = new_page()
    log_in(page, live, bits_user, totp=True)
    shot(page, "bits-home")
    page.get_by_role("link", name="Rapporter").first.click()
    page.get_by_role("link", name="SLA-oppfyllelse").click()
    expect(page.get_by_role("heading", level=1, name="SLA-oppfyllelse")).to_be_visible()
    expect(page.get_by_role("img", name="Andel innen SLA-mål per måned")).to_be_visible()
    # The end before the start: a clear message, nothing else.
    page.get_by_label("Fra og med").fill("2025-03-01")
    page.get_by_label("Til og med").fill("2025-02-01")
    page.get_by_role("button", name="Vis perioden").click()
    expect(page.get_by_role("alert")).to_contain_text("Til-datoen er før fra-datoen")
    page.get_by_label("Fra og med").fill("2025-01-01")
    page.get_by_label("Til og med").fill("2025-06-30")
    page.get_by_role("button", name="Vis perioden").click()
    expect(page.get_by_text("Perioden 01.01.2025–30.06.2025.")).to_be_visible()
    shot(page, "sla-report")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Last ned CSV")).first.click()
    download = info.value
    assert download.suggested_filename == "sla-sla-20250101-20250630.csv"
    assert "Måned;Prosess" in open(download.path(), encoding="utf-8-sig").read()


def test_bank_files_an_error_report_from_a_failing_call(live, new_page, shot, bank_member,
                                                        bank):
    LookupLog.objects.create(organisation=bank, environment="production", status=200,
                             request_id="ok-1", latency_ms=20)
    LookupLog.objects.create(organisation=bank, environment="production", status=401,
                             request_id="7d1f-failing-call", latency_ms=20,
                             error="Ugyldig token",
                             created_at=timezone.now() - timedelta(minutes=10))
    lookup_rollup_tick()
    page = new_page()
    log_in(page, live, bank_member)
    page.get_by_role("link", name="Se API-bruken og kallene som feilet").click()
    expect(page.get_by_role("heading", level=1, name="Deres API-bruk")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("API-kall per dag"))).to_be_visible()
    shot(page, "bank-api-page")
    page.get_by_role("link", name="Meld feil for kallet 7d1f-failing-call").click()
    expect(page.get_by_role("heading", level=1, name="Meld en feil")).to_be_visible()
    expect(page.get_by_label("X-Request-Id")).to_have_value("7d1f-failing-call")
    expect(page.get_by_role("radio", name="Produksjon")).to_be_checked()
    page.get_by_label("Sammendrag").fill("401 på saldooppslag")
    page.get_by_label("Beskrivelse").fill("Kallet over feilet med 401.")
    page.get_by_role("button", name="Send feilmelding").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"FM-\d{4}-\d{4}"))
    report = ErrorReport.objects.get()
    assert report.request_ids == ["7d1f-failing-call"]
