"""The main menu on a phone: a disclosure button ("Meny", aria-expanded, aria-controls) opens
and closes it; on a wide screen the menu shows without a button; without JavaScript the menu
is simply open, so every page stays reachable."""

import pytest

from tests.support.browser import expect, log_in

pytestmark = pytest.mark.browser


def _page(browser, live, *, width, javascript=True):
    context = browser.new_context(locale="nb-NO", viewport={"width": width, "height": 900},
                                  java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context.new_page()


def test_on_a_phone_the_menu_button_opens_and_closes_the_menu(live, browser, bank_member):
    page = _page(browser, live, width=390)
    log_in(page, live, bank_member)
    button = page.get_by_role("button", name="Meny")
    menu = page.get_by_role("navigation", name="Hovedmeny")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "main-nav")
    expect(menu).to_be_hidden()

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Spørsmål")).to_be_visible()
    menu.get_by_role("link", name="Spørsmål").focus()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()

    button.press("Enter")
    menu.get_by_role("link", name="Spørsmål").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spørsmål")
    page.context.close()


def test_on_a_wide_screen_the_menu_shows_without_a_button(live, browser, bank_member):
    page = _page(browser, live, width=1280)
    log_in(page, live, bank_member)
    expect(page.get_by_role("button", name="Meny")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Hovedmeny")
           .get_by_role("link", name="Spørsmål")).to_be_visible()
    page.context.close()


def test_without_javascript_the_menu_stays_open_on_a_phone(live, browser, bank_member):
    page = _page(browser, live, width=390, javascript=False)
    log_in(page, live, bank_member)
    expect(page.get_by_role("button", name="Meny")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Hovedmeny")
           .get_by_role("link", name="Spørsmål")).to_be_visible()
    page.context.close()
