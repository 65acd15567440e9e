"""Issue 15, item 6: after the bank answers a request for information in place (htmx), the
facts box follows the status, a message confirms it and the live region announces it; a failed
submit leaves an error summary that the page's script focuses."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from incidents import services as incidents
from incidents.models import Status

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def waiting(bank_member, bits_user):
    report = incidents.incident_report(
        by=bank_member, environment="test", severity="normal",
        occurred_at=timezone.now() - timedelta(hours=1), request_ids=["req-1"],
        summary="401 på saldooppslag", description="Alle kall gir 401.")
    incidents.incident_take(report=report, by=bits_user)
    incidents.incident_request_info(report=report, by=bits_user, message="Hvilket fnr?")
    return report


def _facts(html):
    start = html.index('id="facts"')
    return html[start:html.index("</section>", start)]


def test_after_a_bank_reply_in_place_the_facts_box_no_longer_says_paused(client_for, waiting,
                                                                         bank_member):
    client = client_for(bank_member)
    assert "Pauset (venter på banken)" in _facts(
        client.get(waiting.get_absolute_url()).content.decode())

    response = client.post(f"/feilmeldinger/{waiting.reference}/melding/",
                           {"body": "Fnr 041253.", "visibility": "public"},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Status.IN_PROGRESS
    facts = _facts(html)
    assert 'hx-swap-oob="true"' in facts
    assert "Pauset (venter på banken)" not in facts
    # The live region (outside the swapped part, so it stays in the page) gets the news.
    assert '<div role="status" aria-live="polite" id="conversation-status" ' \
           'hx-swap-oob="innerHTML">' in html
    region = html[html.index('id="conversation-status"'):]
    region = region[:region.index("</div></div>") + 12]
    assert "Meldingen er sendt. Saken har nå status: Under behandling hos Bits." in region


def test_a_failed_reply_in_place_has_an_error_summary_to_focus(client_for, waiting,
                                                               bank_member):
    response = client_for(bank_member).post(f"/feilmeldinger/{waiting.reference}/melding/",
                                            {"body": "", "visibility": "public"},
                                            HTTP_HX_REQUEST="true")
    assert 'data-error-summary' in response.content.decode()


def test_every_page_loads_the_script_that_focuses_the_error_summary(client_for, bank_member):
    html = client_for(bank_member).get("/feilmeldinger/ny/").content.decode()
    assert "js/error-summary.js" in html
    script = (ROOT / "static" / "js" / "error-summary.js").read_text()
    assert "[data-error-summary]" in script and "htmx:afterSwap" in script
    assert "DOMContentLoaded" in script


def test_the_report_form_with_errors_has_a_focusable_error_summary(client_for, bank_member):
    response = client_for(bank_member).post("/feilmeldinger/ny/", {"summary": ""})
    html = response.content.decode()
    assert 'data-error-summary' in html and 'tabindex="-1"' in html


def test_the_code_field_on_the_second_factor_page_has_focus_on_load(client, bits_user):
    from tests.factories import PASSWORD

    client.post("/accounts/login/", {"login": bits_user.email, "password": PASSWORD})
    html = client.get("/accounts/2fa/authenticate/").content.decode()
    field = html[html.index('name="code"'):]
    field = field[:field.index(">")]
    assert "autofocus" in field
