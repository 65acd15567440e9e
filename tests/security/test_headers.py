"""Finding 10: every page carries a strict Content-Security-Policy and a Permissions-Policy, and
nothing with personal or case data is kept by the browser or a proxy (`Cache-Control: no-store`):
portal pages, htmx partials, attachment downloads, CSV exports and the borrower page (which shows
a fødselsnummer and balances)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casework.models import Attachment
from incidents import services as incident_services
from tests.balances.conftest import two_borrowers  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def directives(response):
    header = response.get("Content-Security-Policy", "")
    return {name: value.strip() for name, _, value in
            (part.strip().partition(" ") for part in header.split(";") if part.strip())}


def assert_strict_csp(response):
    found = directives(response)
    for name, value in REQUIRED_DIRECTIVES.items():
        assert found.get(name) == value, (name, response.get("Content-Security-Policy"))
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def assert_not_stored(response):
    assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")


def assert_permissions_policy(response):
    policy = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy, policy


@pytest.fixture
def report(bank_member):
    return incident_services.incident_report(
        by=bank_member, environment="test", severity="high",
        occurred_at=timezone.now(), request_ids=["req-1"], summary="401 på alle kall",
        description="Alle kall feiler.", files=[SimpleUploadedFile("logg.txt", b"feil\n")])


def test_portal_page_has_strict_csp_permissions_policy_and_no_store(client_for, bank_member):
    response = client_for(bank_member).get(reverse("dashboard"))
    assert response.status_code == 200
    assert_strict_csp(response)
    assert_permissions_policy(response)
    assert_not_stored(response)


def test_case_page_and_its_htmx_partial_are_not_stored(client_for, bank_member, report):
    client = client_for(bank_member)
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    assert_strict_csp(page)
    assert_not_stored(page)
    partial = client.get(reverse("incidents:list"), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert_not_stored(partial)


def test_attachment_download_has_the_headers_and_is_not_stored(client_for, bank_member, report):
    attachment = Attachment.objects.get()
    response = client_for(bank_member).get(
        f"/feilmeldinger/{report.reference}/vedlegg/{attachment.pk}/")
    assert response.status_code == 200
    assert_strict_csp(response)
    assert_permissions_policy(response)
    assert_not_stored(response)


def test_csv_export_is_not_stored(client_for, bits_user, report):
    response = client_for(bits_user).get("/feilmeldinger/eksport.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_not_stored(response)


def test_borrower_page_with_fnr_and_balances_is_not_stored(client_for, lk_user, two_borrowers):  # noqa: F811
    response = client_for(lk_user).get(reverse("balances:borrower", args=[two_borrowers[0].pk]))
    assert response.status_code == 200
    assert two_borrowers[0].fnr in response.content.decode()
    assert_strict_csp(response)
    assert_permissions_policy(response)
    assert_not_stored(response)


def test_login_page_for_the_anonymous_has_the_policies(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert_strict_csp(response)
    assert_permissions_policy(response)
    # A form with a CSRF token: not for shared caches either.
    assert_not_stored(response)


def test_a_view_that_asks_for_caching_of_public_data_keeps_it(client, db, settings):
    settings.SALDO_TEST_ISSUER_ENABLED = True
    response = client.get(reverse("balances:test_issuer_jwks"))
    if response.status_code == 404:
        pytest.skip("the test issuer is not served in this configuration")
    assert "public" in response["Cache-Control"]


def test_base_layout_tells_htmx_not_to_inject_its_indicator_style(client, db):
    content = client.get(reverse("account_login")).content.decode()
    assert '<meta name="htmx-config"' in content
    assert '"includeIndicatorStyles":false' in content.replace(" ", "")


# --- no inline script or style anywhere in our templates -----------------------------------

# A <script> without src that the browser would run (a JSON data block is not run), an inline
# event handler, a style attribute or a <style> block: each would need 'unsafe-inline'.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>",
                re.IGNORECASE), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"<style[\s>]", re.IGNORECASE), "<style> block"),
    (re.compile(r"\bhx-on", re.IGNORECASE), "hx-on (needs eval)"),
    (re.compile(r"href=\"javascript:", re.IGNORECASE), "javascript: link"),
]


def _our_templates():
    root = Path(settings.BASE_DIR)
    skip = {"node_modules", ".venv", "var", "test-artifacts"}
    for path in root.rglob("*.html"):
        parts = set(path.relative_to(root).parts)
        if parts & skip or "templates" not in parts:
            continue
        yield path


def test_no_template_of_ours_has_inline_script_or_style():
    found = []
    for path in _our_templates():
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not found, "\n".join(found)
