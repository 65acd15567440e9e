"""Helpers for the journeys in headless Chromium: the browser's flags, logging in (with the TOTP
step for Bits and Lånekassen), case actions and numbered screenshots. The fixtures (`browser`,
`new_page`, `live`) are in tests/support/fixtures.py.

Importing this module skips the importing test module when Playwright is not installed."""

import re
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.support.totp import totp_now

expect = pytest.importorskip("playwright.sync_api").expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
STEP_TIMEOUT_MS = 10_000


def screenshots(journey):
    """A `take(page, name)` that saves numbered full-page screenshots under
    test-artifacts/browser/<journey>/ (emptied first; git-ignored)."""
    directory = ARTIFACTS / journey
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    counter = iter(range(1, 100))

    def take(page, name):
        page.screenshot(path=str(directory / f"{next(counter):02d}-{name}.png"), full_page=True)

    return take


def log_in(page, base_url, user, *, totp=False, on_totp_page=None):
    """Log in by e-mail and password; with `totp`, also pass allauth's TOTP step (calling
    `on_totp_page(page)` once the code is filled in, before it is sent)."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    if totp:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Kode").fill(totp_now())
        if on_totp_page:
            on_totp_page(page)
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
