"""Issue 15: the error-report journey with the keyboard only (Tab, Shift+Tab, Enter, Space and
typing; no mouse clicks): the bank reports, Bits (TOTP: the code field has focus on load) opens
it from a notification link, takes it and asks for more; the bank answers in place and hears
it (the live region), and the facts box no longer says the clock is paused."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from incidents.models import ErrorReport, Status
from tests.factories import PASSWORD
from tests.support.browser import expect
from tests.support.totp import totp_now

pytestmark = pytest.mark.browser

REFERENCE_RE = re.compile(r"FM-\d{4}-\d{4}")
MAX_TABS = 120


def tab_to(page, locator, *, backwards=False):
    """Press Tab (or Shift+Tab) until `locator` has focus, as a keyboard user would."""
    target = locator.first
    target.wait_for()
    for _ in range(MAX_TABS):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{locator} cannot be reached with Tab")


def datetime_layout(page, url, label):
    """The order Chromium lays out a date field's segments in, and whether its clock has 12 or
    24 hours, follow its own locale, not the page's. Find both on a page of their own: the date
    order by typing 02 01 2026, 13:00 (a 12-hour clock reads 13 as 1 PM); the clock by typing
    23:00 (a 12-hour clock reads "2" as 02 and moves on). Returns strftime formats for both."""

    def typed(time):
        probe = page.context.new_page()
        try:
            probe.goto(url)
            field = probe.get_by_label(label)
            tab_to(probe, field)
            probe.keyboard.type("02012026")
            probe.keyboard.press("Tab")
            probe.keyboard.type(time)
            return field.input_value()
        finally:
            probe.close()

    dates = "%m%d%Y" if typed("1300").startswith("2026-02-01") else "%d%m%Y"
    times = "%H%M" if typed("2300").endswith("T23:00") else "%I%M%p"
    return dates, times


def type_datetime(page, when, layout):
    """Type into a datetime-local field from its first segment: the date, Tab (a year may have
    more than four digits, so it does not move on by itself), the time (with AM or PM where the
    clock has 12 hours)."""
    dates, times = layout
    page.keyboard.type(when.strftime(dates))
    page.keyboard.press("Tab")
    page.keyboard.type(when.strftime(times))


def log_in(page, live, user, *, totp=False):
    page.goto(f"{live}/accounts/login/")
    tab_to(page, page.get_by_label("E-post"))
    page.keyboard.type(user.email)
    tab_to(page, page.get_by_label("Passord"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    if totp:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        # The code field has focus when the page opens: just type.
        expect(page.get_by_label("Kode")).to_be_focused()
        page.keyboard.type(totp_now())
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()


@pytest.fixture
def sla_targets(live):
    """The SLA clock the facts box shows (seeded by a migration; a live-server test before this
    one may have flushed it)."""
    from casework.models import SlaTarget

    SlaTarget.objects.get_or_create(process="incident", severity="normal", defaults={
        "first_response_minutes": 8 * 60, "resolution_minutes": 5 * 8 * 60})


def test_error_report_journey_with_the_keyboard_only(live, sla_targets, new_page, bank_member,
                                                     bits_user):
    # 1. The bank member reports a fault.
    bank = new_page()
    log_in(bank, live, bank_member)
    tab_to(bank, bank.get_by_role("link", name="Meld en feil"))
    bank.keyboard.press("Enter")
    expect(bank.get_by_role("heading", level=1, name="Meld en feil")).to_be_visible()
    tab_to(bank, bank.get_by_role("radio", name="Test"))
    bank.keyboard.press("Space")
    expect(bank.get_by_role("radio", name="Test")).to_be_checked()
    occurred = timezone.localtime(timezone.now() - timedelta(hours=1))
    layout = datetime_layout(bank, bank.url, "Når skjedde feilen?")
    tab_to(bank, bank.get_by_label("Når skjedde feilen?"))
    type_datetime(bank, occurred, layout)
    expect(bank.get_by_label("Når skjedde feilen?")).to_have_value(
        occurred.strftime("%Y-%m-%dT%H:%M"))
    tab_to(bank, bank.get_by_label("X-Request-Id"))
    bank.keyboard.type("req-keyboard-1")
    tab_to(bank, bank.get_by_label("Sammendrag"))
    bank.keyboard.type("401 på alle saldooppslag")
    tab_to(bank, bank.get_by_label("Beskrivelse"))
    bank.keyboard.type("Alle kall gir 401 siden i dag.")
    tab_to(bank, bank.get_by_role("button", name="Send feilmelding"))
    bank.keyboard.press("Enter")
    heading = bank.get_by_role("heading", level=1)
    expect(heading).to_contain_text(REFERENCE_RE)
    reference = REFERENCE_RE.search(heading.inner_text()).group()

    # 2. Bits opens it from the notification (a link), takes it and asks for more.
    bits = new_page()
    log_in(bits, live, bits_user, totp=True)
    tab_to(bits, bits.get_by_role("link", name=re.compile(r"^Varsler")))
    bits.keyboard.press("Enter")
    tab_to(bits, bits.get_by_role("link", name=re.compile(reference)))
    bits.keyboard.press("Enter")
    expect(bits.get_by_role("heading", level=1)).to_contain_text(reference)
    tab_to(bits, bits.get_by_role("button", name="Ta saken", exact=True))
    bits.keyboard.press("Enter")
    expect(bits.get_by_text("Utført: Ta saken.")).to_be_visible()
    request_form = bits.get_by_role("complementary").locator("form").filter(
        has=bits.get_by_role("button", name="Be banken om mer informasjon", exact=True))
    tab_to(bits, request_form.get_by_role("textbox"))
    bits.keyboard.type("Hvilket fødselsnummer gjelder det?")
    tab_to(bits, request_form.get_by_role("button"))
    bits.keyboard.press("Enter")
    expect(bits.get_by_text("Utført: Be banken om mer informasjon.")).to_be_visible()

    # 3. The bank answers in place; it is told, the facts box follows, nothing reloads.
    bank.reload()
    expect(bank.locator("#facts")).to_contain_text("Pauset (venter på banken)")
    bank.evaluate("window.__noReload = 'still here'")
    tab_to(bank, bank.get_by_role("textbox", name="Melding"))
    bank.keyboard.type("Det gjelder fnr 041253.")
    tab_to(bank, bank.get_by_role("button", name="Send svar"))
    bank.keyboard.press("Enter")
    expect(bank.locator("#conversation-status")).to_contain_text(
        "Meldingen er sendt. Saken har nå status: Under behandling hos Bits.")
    expect(bank.locator("#facts")).not_to_contain_text("Pauset (venter på banken)")
    expect(bank.locator("#status")).to_have_text("Under behandling hos Bits")
    assert bank.evaluate("window.__noReload") == "still here"

    # 4. A reply of blanks only (the browser lets it through, the server does not): focus
    # moves to the error summary.
    tab_to(bank, bank.get_by_role("textbox", name="Melding"))
    bank.keyboard.type("   ")
    tab_to(bank, bank.get_by_role("button", name=re.compile("^Send")))
    bank.keyboard.press("Enter")
    expect(bank.locator("[data-error-summary]")).to_be_focused()

    assert ErrorReport.objects.get(reference=reference).status == Status.IN_PROGRESS


FIELD_PAGE = "data:text/html;charset=utf-8," + quote(
    "<html lang=nb><label for=when>Når</label><input id=when type=datetime-local>")


@pytest.mark.parametrize("clock", ["00:05", "09:30", "12:00", "12:59", "13:45", "20:01", "23:59"])
def test_typing_a_time_of_day_lands_whatever_the_hour(new_page, clock):
    """The journey above types "an hour ago", so it met every hour of the day in CI; a 12-hour
    clock once took 20:01 as 02:00. Each of these must land as typed."""
    page = new_page()
    page.goto(FIELD_PAGE)
    layout = datetime_layout(page, FIELD_PAGE, "Når")
    hour, minute = map(int, clock.split(":"))
    when = timezone.localtime().replace(year=2026, month=2, day=1, hour=hour, minute=minute)
    tab_to(page, page.get_by_label("Når"))
    type_datetime(page, when, layout)
    expect(page.get_by_label("Når")).to_have_value(f"2026-02-01T{clock}")
