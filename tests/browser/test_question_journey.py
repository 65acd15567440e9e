"""A question's whole journey (D.1) through real pages in headless Chromium.

A bank member types a question and sees a matching FAQ answer appear as they type, but files
the question anyway → the Bits handler (TOTP) forwards it to Lånekassen → the Lånekassen
caseworker (TOTP) gives guidance in an internal note → Bits relays it, with an FAQ answer put
into the reply from the search box next to it → the bank accepts → Bits turns the question into
an FAQ entry (anonymised) and publishes it → another bank finds it by typing. Screenshots of
each step go under test-artifacts/browser/question_journey/ (git-ignored).
"""

import re

import pytest

from questions.models import FaqEntry, FaqStatus, Question, Status
from tests.questions.builders import published
from tests.support.browser import act, expect, log_in, screenshots

pytestmark = pytest.mark.browser

REFERENCE_RE = re.compile(r"SP-\d{4}-\d{4}")
TITLE = "Gjelder samtykket fra Altinn for alle kontoene i Saldo?"
TEXT = ("Vi i Testbank A (orgnr 910000004) lurer på om ett samtykke gjelder både Lån og "
        "Renter, eller om vi må be kunden om samtykke per konto. Kontakt kari@bank-a.example.com.")


@pytest.fixture
def shot():
    return screenshots("question_journey")


def type_into(field, text):
    """Type as a person does: key by key, so htmx's keyup trigger fires."""
    field.click()
    field.press_sequentially(text, delay=15)


def test_question_travels_from_bank_through_bits_and_lanekassen_into_the_faq(
        live, new_page, shot, bank_member, other_bank_member, bits_user, lk_user):
    known = published(bits_user, title="Hvor lenge gjelder samtykket fra Altinn?",
                      answer="Et samtykke gjelder til datoen i ValidToDate, høyst ett år.")

    # 1. The bank member types a question; a matching FAQ answer appears while typing.
    bank = new_page()
    log_in(bank, live, bank_member)
    bank.get_by_role("link", name="Spørsmål", exact=True).click()
    bank.get_by_role("link", name="Still et spørsmål").click()
    expect(bank.get_by_role("heading", level=1, name="Still et spørsmål")).to_be_visible()
    bank.get_by_label("Kategori").select_option(label="Faglig / regelverk")
    type_into(bank.get_by_label("Tittel"), TITLE)
    suggestions = bank.locator("#suggestions")
    expect(suggestions.get_by_role("link", name=known.title)).to_be_visible()
    expect(suggestions.locator("mark").first).to_be_visible()
    expect(suggestions.get_by_role("button", name="Dette svarte på spørsmålet mitt")) \
        .to_be_visible()
    shot(bank, "suggestion-while-typing")

    # A long text is cut before it is sent for suggestions (a GET has a length limit).
    text_field = bank.get_by_label("Spørsmålet")
    text_field.fill("samtykke og saldo " * 400)
    with bank.expect_request(lambda r: "/ny/forslag/" in r.url) as sent:
        text_field.press("End")
        text_field.press_sequentially(" ok", delay=15)
    assert len(sent.value.url) < 4000, len(sent.value.url)

    # ... but it does not answer this one: the question is filed anyway.
    text_field.fill(TEXT)
    bank.get_by_role("button", name="Send spørsmålet").click()
    heading = bank.get_by_role("heading", level=1)
    expect(heading).to_contain_text(REFERENCE_RE)
    reference = REFERENCE_RE.search(heading.inner_text()).group()
    expect(bank.locator("#status")).to_have_text("Ny")
    shot(bank, "asked")

    # 2. Bits forwards it to Lånekassen for professional guidance.
    bits = new_page()
    log_in(bits, live, bits_user, totp=True)
    bits.get_by_role("link", name="Spørsmål", exact=True).click()
    expect(bits.get_by_role("heading", level=1, name="Kø: spørsmål")).to_be_visible()
    bits.get_by_role("link", name=reference).click()
    act(bits, "Send til Lånekassen for faglig veiledning",
        "Gjelder ett samtykke alle delkontoene?")
    expect(bits.locator("#status")).to_have_text("Hos Lånekassen")
    shot(bits, "forwarded")

    # 3. Lånekassen answers Bits in an internal note.
    lk = new_page()
    log_in(lk, live, lk_user, totp=True)
    lk.get_by_role("link", name="Spørsmål", exact=True).click()
    lk.get_by_role("link", name=reference).click()
    act(lk, "Gi faglig veiledning til Bits",
        "Ja: samtykket gjelder tjenesten, altså alle delkontoene (Lån, Renter, Gebyr).")
    expect(lk.locator("#status")).to_have_text("Veiledning mottatt fra Lånekassen")
    shot(lk, "guidance-given")

    # 4. Bits relays it in its own words, with an FAQ answer put into the reply.
    bits.reload()
    expect(bits.locator("#conversation")).to_contain_text("alle delkontoene (Lån, Renter")
    relay = bits.get_by_label("Lånekassens veiledning med Bits' egne ord (synlig for banken)")
    relay.fill("Ett samtykke dekker alle delkontoene i svaret.")
    type_into(bits.get_by_label("Søk i FAQ"), "samtykke")
    bits.locator("#faq-pick-results").get_by_role("button", name="Sett inn i svaret").first \
        .click()
    expect(relay).to_have_value(re.compile(r"ValidToDate.*\n\nLes mer i FAQ-en: .*/faq/\d+/",
                                           re.S))
    shot(bits, "faq-inserted")
    bits.get_by_role("button", name="Gi banken svaret", exact=True).click()
    expect(bits.get_by_text("Utført: Gi banken svaret.")).to_be_visible()
    expect(bits.locator("#status")).to_have_text("Besvart")

    # 5. The bank sees Bits' answer, not Lånekassen's note, and accepts it.
    bank.reload()
    expect(bank.locator("#conversation")).to_contain_text("Ett samtykke dekker alle")
    expect(bank.locator("#conversation")).not_to_contain_text("Gebyr).")
    act(bank, "Godta svaret")
    expect(bank.locator("#status")).to_have_text("Lukket")
    shot(bank, "accepted")

    # 6. Bits turns the question into an FAQ entry: a draft without the bank, then published.
    bits.reload()
    bits.get_by_role("button", name="Lag FAQ-svar av spørsmålet").click()
    expect(bits.get_by_role("heading", level=1, name="Rediger FAQ-svar")).to_be_visible()
    details = bits.get_by_label("Utdypning av spørsmålet")
    expect(details).to_have_value(re.compile(r"\[banken\].*\[orgnr\].*\[e-post\]", re.S))
    assert "Testbank A" not in details.input_value()
    shot(bits, "faq-draft")
    bits.get_by_role("button", name="Lagre").click()
    bits.get_by_role("button", name="Publiser").click()
    expect(bits.get_by_text("Utført: Publiser.")).to_be_visible()
    entry = FaqEntry.objects.get(source_question__reference=reference)
    assert entry.status == FaqStatus.PUBLISHED

    # 7. Another bank finds it by typing, and never sees who asked.
    other = new_page()
    log_in(other, live, other_bank_member)
    other.goto(f"{live}/sporsmal/ny/")
    type_into(other.get_by_label("Tittel"), "samtykke delkontoene")
    expect(other.locator("#suggestions").get_by_role("link", name=entry.title)).to_be_visible()
    other.locator("#suggestions").get_by_role("link", name=entry.title).click()
    expect(other.get_by_role("heading", level=1)).to_have_text(entry.title)
    expect(other.locator("main")).to_contain_text("Ett samtykke dekker alle delkontoene")
    expect(other.locator("main")).not_to_contain_text("Testbank A")
    expect(other.locator("main")).not_to_contain_text(reference)
    shot(other, "found-by-another-bank")

    assert Question.objects.get(reference=reference).status == Status.CLOSED
