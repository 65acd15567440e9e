"""An FAQ draft made from a question leaves out who asked."""

import pytest

from accounts.models import ContactPoint
from casework.errors import DomainError
from questions import faq, services
from questions.anonymise import anonymise
from questions.models import FaqStatus, Status
from tests.questions.builders import at

TEXT = ("Hei! Vi i Testbank A (orgnr 910 000 004, også 910000004) får 403. Kontakt "
        "kari.nordmann@bank-a.example.com eller ring +47 22 00 00 01 / 22000001. Kunden er "
        "01085301957 (og 010853 01957). X-Request-Id: req-abc-123, og "
        "3f6c1a2e-0b7d-4c55-9e21-aa01bb22cc33. Tor Teknisk har sett på det. Testbank A ASA "
        "bruker Consent-ID. Saldoen var 12 684,79 kr den 15.01.2026 og 2026-01-15.")


def test_identifying_details_are_replaced_by_markers():
    cleaned = anonymise(TEXT, organisation_names=["Testbank A ASA"], orgnrs=["910000004"],
                        person_names=["Tor Teknisk"])

    for secret in ("Testbank A", "910", "kari.nordmann", "bank-a.example", "22 00 00 01",
                   "22000001", "01085301957", "010853 01957", "req-abc-123", "3f6c1a2e",
                   "Tor Teknisk"):
        assert secret not in cleaned, secret
    for marker in ("[banken]", "[orgnr]", "[e-post]", "[telefon]", "[fødselsnummer]",
                   "[request-id]", "[navn]"):
        assert marker in cleaned, marker
    # What explains the question stays: headers, amounts and dates.
    for kept in ("403", "Consent-ID", "X-Request-Id", "12 684,79", "15.01.2026", "2026-01-15"):
        assert kept in cleaned, kept


def test_empty_text_stays_empty():
    assert anonymise("", organisation_names=["Testbank A"]) == ""


def test_draft_from_an_answered_question_is_anonymised_and_linked(personas, bank):
    ContactPoint.objects.create(organisation=bank, kind="technical", name="Tor Teknisk",
                                email="teknisk@bank-a.example.com")
    question = at(Status.IN_PROGRESS, personas, title="Testbank A får 403",
                  text="Tor Teknisk i Testbank A (910000004) får 403 på kunde 01085301957.")
    question = services.question_answer(
        question=question, by=personas["bits"],
        answer="Hei Testbank A! 403 betyr at samtykket mangler. Hilsen Bits")

    entry = faq.faq_draft_from_question(question=question, by=personas["bits"])

    assert entry.status == FaqStatus.DRAFT
    assert entry.source_question == question
    assert entry.title == "[banken] får 403"
    text = entry.title + entry.question + entry.answer
    for secret in ("Testbank A", "Tor Teknisk", "910000004", "01085301957"):
        assert secret not in text
    assert "403 betyr at samtykket mangler" in entry.answer


@pytest.mark.parametrize("who", ["bank_member", "other_bank", "lanekassen"])
def test_only_bits_makes_a_draft_from_a_question(personas, who):
    question = at(Status.ANSWERED, personas)
    with pytest.raises(DomainError):
        faq.faq_draft_from_question(question=question, by=personas[who])


def test_an_unanswered_question_cannot_become_a_draft(personas):
    question = at(Status.IN_PROGRESS, personas)
    with pytest.raises(DomainError):
        faq.faq_draft_from_question(question=question, by=personas["bits"])
