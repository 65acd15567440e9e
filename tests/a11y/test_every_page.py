"""Every page every person can reach, in both languages, passes axe-core's WCAG 2.1 A/AA rules
and fits the screen: at 390 px (a phone) and 1280 px no document is wider than its viewport.

Each persona logs in (Bits and Lånekassen with their second factor) and crawls breadth-first
from the home page (tests/a11y/crawl.py); Lånekassen's administrator also crawls the Django
admin. New pages are found through their links, so they are covered without editing this test.
In Norwegian each persona checks every pattern it reaches (what a page shows depends on who
looks); in English, where only the words change, each pattern is checked once for all. A page
that exists only as the answer to a form (the sandbox's result) is submitted once per language.
Screenshots at phone width are saved under test-artifacts/browser/a11y/ (git-ignored).
"""

import time

import pytest

from tests.a11y.crawl import AXE, Findings, axe_into, check_page, crawl
from tests.support.browser import ARTIFACTS, log_in

pytestmark = pytest.mark.browser

PERSONAS = {
    # persona: (second factor, extra start pages, most pages in Norwegian and in English)
    "bank_member": (False, (), (80, 80)),
    "bank_admin": (False, (), (80, 80)),
    "bits": (True, (), (80, 80)),
    # The admin has a changelist, an add page and a change page per model; in English the
    # breadth-first crawl's first 80 cover the index and the changelists.
    "lanekassen_admin": (True, ("/admin/",), (160, 80)),
}
# Pages that are the answer to a form: (page, the button that sends it).
FORM_RESULTS = [("/saldo-api/sandkasse/", "main form[method=post] button[type=submit]")]


def _switch_language(page, live, code):
    page.goto(live + "/")
    page.locator(f"form.lang-switch button[value={code}]").click()
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == code


def _form_results(page, live, label, findings):
    for path, button in FORM_RESULTS:
        response = page.goto(live + path)
        if response is None or response.status != 200 or not page.locator(button).count():
            continue
        page.locator(button).first.click()
        page.wait_for_load_state("load")
        findings.visited.append(page.url + " (result)")
        check_page(page, page.url + " (result)", label, findings)


def _screenshots(page, live, persona):
    directory = ARTIFACTS / "a11y"
    directory.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(directory / f"{persona}-last.png"), full_page=True)
    page.goto(live + "/")
    page.screenshot(path=str(directory / f"{persona}-home.png"), full_page=True)


def test_every_reachable_page_passes_axe_and_fits_the_screen(live, browser, world):
    assert AXE.exists(), "axe-core is missing: run `make assets` (npm ci)"
    findings = Findings()
    seen_in_english = set()
    timings = []
    for persona, (totp, also, caps) in PERSONAS.items():
        started = time.monotonic()
        context = browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        axe_into(context)
        page = context.new_page()
        before = len(findings.visited)
        try:
            log_in(page, live, world[persona], totp=totp)
            for language, seen, max_pages in (("nb", set(), caps[0]),
                                              ("en", seen_in_english, caps[1])):
                if language != "nb":
                    _switch_language(page, live, language)
                label = f"[{persona} {language}]"
                findings.extend(crawl(page, live, label=label, also=also, seen=seen,
                                      max_pages=max_pages))
                _form_results(page, live, label, findings)
            _screenshots(page, live, persona)
        finally:
            context.close()
        timings.append(f"{persona}: {len(findings.visited) - before} pages in "
                       f"{time.monotonic() - started:.0f} s")
    slowest = sorted(findings.seconds, key=lambda t: -(t[0] + t[1]))[:8]
    print("\n".join(timings + [f"  {load:.1f} s + {check:.1f} s {url}"
                               for load, check, url in slowest]))

    assert len(findings.visited) > 100, findings.visited
    assert not (findings.errors or findings.violations or findings.too_wide), findings.report()
