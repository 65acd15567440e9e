"""Finding 10 in a real browser: the key pages, with their htmx updates, run under the strict
Content-Security-Policy without a single violation (Chromium reports each one in the console and
as a `securitypolicyviolation` event): nothing inline is left that the policy would block, and
htmx injects no <style>.

Pages: login, dashboard, an error report with a reply sent by htmx, notices, asking a question
with the suggestions that appear while typing, the FAQ search; for Bits the same error report;
for Lånekassen's admin the notice form, the borrower search and the Django admin (which needs
no exception to the policy)."""

import re

import pytest
from django.utils import timezone

from incidents import services as incident_services
from tests.questions.builders import published
from tests.support.browser import expect, log_in

pytestmark = pytest.mark.browser

# Collected in the page itself as well as from the console: a violation inside an htmx swap
# is reported as an event even where the console message is worded differently.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
# A Permissions-Policy the browser cannot parse is reported in the console too.
CSP_WORDS = re.compile(r"Content Security Policy|Refused to|securitypolicyviolation|"
                       r"Permissions-Policy", re.I)


class Watched:
    """A page whose CSP violations (console and events) and script errors are collected."""

    def __init__(self, page):
        self.page = page
        self.console = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def _console(self, message):
        if message.type in ("error", "warning") or CSP_WORDS.search(message.text):
            self.console.append(f"{message.type}: {message.text}")

    def visit(self, url):
        response = self.page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        self.check(url)

    def check(self, where):
        self.page.wait_for_load_state("load")
        events = self.page.evaluate("window.__cspViolations || []")
        problems = [line for line in self.console if CSP_WORDS.search(line)] + events
        assert not problems, f"{where}: {problems}"
        assert not [line for line in self.console if line.startswith("pageerror")], self.console


def type_into(field, text):
    """Key by key, so that htmx's keyup trigger fires."""
    field.click()
    field.press_sequentially(text, delay=10)


@pytest.fixture
def report(bank_member):
    return incident_services.incident_report(
        by=bank_member, environment="test", severity="high", occurred_at=timezone.now(),
        request_ids=["req-1"], summary="401 på alle kall", description="Alle kall feiler.\n"
        "Siden i morges.")


def test_bank_pages_and_their_htmx_updates_run_without_csp_violations(
        live, new_page, bank_member, bits_user, report):
    published(bits_user, title="Hvor lenge gjelder samtykket fra Altinn?",
              answer="Et samtykke gjelder til datoen i ValidToDate, høyst ett år.")
    bank = Watched(new_page())
    bank.visit(f"{live}/accounts/login/")
    log_in(bank.page, live, bank_member)
    bank.check("dashboard")

    bank.visit(f"{live}{report.get_absolute_url()}")
    bank.page.get_by_role("textbox", name="Melding").fill("Det gjelder også kall uten samtykke.")
    bank.page.get_by_role("button", name="Send melding").click()
    expect(bank.page.get_by_text("Det gjelder også kall uten samtykke.")).to_be_visible()
    expect(bank.page.get_by_role("textbox", name="Melding")).to_have_value("")
    bank.check("error report after an htmx reply")

    bank.visit(f"{live}/driftsmeldinger/")
    bank.visit(f"{live}/feilmeldinger/")

    bank.visit(f"{live}/sporsmal/ny/")
    type_into(bank.page.get_by_label("Tittel"), "Hvor lenge gjelder samtykket")
    expect(bank.page.locator("#suggestions")).to_contain_text("ValidToDate")
    bank.check("question ask page with suggestions")

    bank.visit(f"{live}/sporsmal/faq/")
    search = bank.page.get_by_role("searchbox")
    if search.count():
        type_into(search.first, "samtykke")
        bank.page.wait_for_timeout(800)
    bank.check("FAQ search")


def test_bits_pages_run_without_csp_violations(live, new_page, bits_user, report):
    bits = Watched(new_page())
    log_in(bits.page, live, bits_user, totp=True)
    bits.check("Bits dashboard")
    bits.visit(f"{live}{report.get_absolute_url()}")
    bits.visit(f"{live}/onboarding/")
    bits.visit(f"{live}/driftsmeldinger/")


def test_lanekassen_pages_and_the_django_admin_run_without_csp_violations(
        live, new_page, lk_admin, report):
    admin = Watched(new_page())
    log_in(admin.page, live, lk_admin, totp=True)
    admin.visit(f"{live}/driftsmeldinger/ny/")
    admin.visit(f"{live}/saldo-api/laantakere/")
    admin.visit(f"{live}/admin/")
    admin.visit(f"{live}/admin/incidents/errorreport/")
    admin.visit(f"{live}/admin/incidents/errorreport/{report.pk}/change/")
    admin.visit(f"{live}/admin/accounts/user/")
    admin.visit(f"{live}/admin/accounts/user/{lk_admin.pk}/change/")
