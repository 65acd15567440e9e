"""XSS in a real browser: every field a person types that another person sees gets the usual
payloads (tests/attack/world.py builds the world with them, through the services), and the
pages that show them are loaded in headless Chromium as the people who see them. No dialog
may fire and no injected element may exist.
"""

import pytest

from tests.attack.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = ('<script>alert(1)</script>"><img src=x onerror=alert(1)><svg onload=alert(1)>'
           '[x](javascript:alert(1)) {{7*7}}')
INJECTED = ('img[src="x"], [onerror], [onload], a[href^="javascript" i], '
            'svg[onload], script:not([src]):not([type="application/json"]):not([nonce])')


def hostile(label):
    return f"{label} {PAYLOAD}"


def _pages(world):
    """(persona, path) for every page that shows a field typed by someone else."""
    o = world.objects
    bits_sees = [o["incident"].get_absolute_url(), o["breach"].get_absolute_url(),
                 o["question"].get_absolute_url(), o["change_request"].get_absolute_url(),
                 o["registration"].get_absolute_url(), o["onboarding"].get_absolute_url(),
                 "/feilmeldinger/", "/feilmeldinger/sikkerhetsbrudd/", "/sporsmal/",
                 "/endringsonsker/", "/onboarding/", "/", "/varsler/",
                 o["faq"].get_absolute_url(), "/sporsmal/faq/"]
    lanekassen_sees = [o["breach"].get_absolute_url(), o["registration"].get_absolute_url(),
                       "/onboarding/", "/onboarding/kontaktpunkter/"]
    bank_sees = [o["faq"].get_absolute_url(), "/sporsmal/faq/", o["notice"].get_absolute_url(),
                 "/driftsmeldinger/", "/", o["incident"].get_absolute_url(),
                 "/konto/kontaktpunkter/"]
    return ([("bits", p) for p in bits_sees] + [("lanekassen_admin", p) for p in lanekassen_sees]
            + [("bank_admin", p) for p in bank_sees])


def _context_for(browser, live, user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="nb-NO")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live}])
    return context


def test_no_payload_runs_or_is_injected_on_any_page(browser, live):
    world = build_world(text=hostile)
    dialogs, injected, loaded, shown = [], [], [], set()
    contexts = {}
    for persona, path in _pages(world):
        if persona not in contexts:
            contexts[persona] = _context_for(browser, live, world.users[persona])
        page = contexts[persona].new_page()
        page.on("dialog", lambda dialog, path=path: (dialogs.append(path), dialog.dismiss()))
        response = page.goto(f"{live}{path}", wait_until="load")
        loaded.append((persona, path, response.status if response else None))
        found = page.eval_on_selector_all(INJECTED, "els => els.map(e => e.outerHTML)")
        injected += [(path, html[:120]) for html in found]
        if "onerror=alert(1)" in page.inner_text("body"):
            shown.add(path)
        page.close()
    for context in contexts.values():
        context.close()
    assert all(status == 200 for _p, _u, status in loaded), loaded
    assert not dialogs, f"a payload ran on {dialogs}"
    assert not injected, injected
    # The payloads reached the pages, as text: every case page and the FAQ and notice show one.
    o = world.objects
    for key in ("incident", "breach", "question", "change_request", "registration", "faq",
                "notice"):
        assert o[key].get_absolute_url() in shown, f"no payload shown on the {key} page"
