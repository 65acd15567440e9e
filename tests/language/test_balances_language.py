"""Lånekassen's borrower page and the test-customer list read in the reader's language: the
ledger's lines and the test customers' descriptions are English in the English UI, bokmål in
the Norwegian one (the engine and the API keep the ledger's own words)."""

import html

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from balances.labels import TEST_CASE_DESCRIPTIONS
from balances.services import borrower_ledger_replace
from balances.testcustomers import load_test_customers, test_customer_ledgers

pytestmark = pytest.mark.django_db

ALL_FOUR_FNR = "04125300311"  # HAUK HAUGNES: disbursements, repayments, fee, costs, interest
STILL_STUDYING_FNR = "01085301957"  # STEINAR BRUUN: loan only


@pytest.fixture
def borrowers():
    ledgers = test_customer_ledgers()
    customers = {c.fnr: c for c in load_test_customers()}
    return [borrower_ledger_replace(environment="test", fnr=fnr, name=customers[fnr].name,
                                    events=ledgers[fnr], test_case=customers[fnr].case,
                                    description=customers[fnr].description)
            for fnr in (ALL_FOUR_FNR, STILL_STUDYING_FNR)]


def _page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_borrower_page_in_english_shows_english_ledger_lines(client_for, lk_user, borrowers):
    User.objects.filter(pk=lk_user.pk).update(language="en")
    url = reverse("balances:borrower", args=[borrowers[0].pk])
    page = _page(client_for(lk_user), url, dato="2026-11-30")
    assert "Loan disbursed" in page and "Payment to Loan" in page
    assert "Interest 01." in page  # a booking: "Interest dd.mm.yyyy–dd.mm.yyyy"
    assert "<td>Fee</td>" in page and "<td>Charges</td>" in page
    assert "all four sub-accounts" in page
    for norwegian in ("Utbetalt lån", "Innbetaling til", "Renter 01.", "alle fire delkontoer"):
        assert norwegian not in page
    assert '"Name": "Gebyr"' in page  # the API's answer keeps the API's names


def test_the_borrower_page_in_bokmal_keeps_the_ledgers_words(client_for, lk_user, borrowers):
    url = reverse("balances:borrower", args=[borrowers[0].pk])
    page = _page(client_for(lk_user), url, dato="2026-11-30")
    assert "Utbetalt lån" in page and "Innbetaling til Lån" in page and "Renter 01." in page
    assert "alle fire delkontoer" in page
    assert "Loan disbursed" not in page and "all four sub-accounts" not in page


@pytest.mark.parametrize(("language", "shown", "not_shown"), [
    ("en", ["loan only (under one million)", "all four sub-accounts"],
     ["bare lån (under én million)", "alle fire delkontoer"]),
    ("nb", ["bare lån (under én million)", "alle fire delkontoer"],
     ["loan only (under one million)", "all four sub-accounts"]),
])
def test_the_test_customer_list_reads_in_the_readers_language(client_for, lk_user, borrowers,
                                                              language, shown, not_shown):
    User.objects.filter(pk=lk_user.pk).update(language=language)
    page = _page(client_for(lk_user), reverse("balances:borrowers"))
    for text in shown:
        assert text in page
    for text in not_shown:
        assert text not in page


def test_every_published_test_case_has_a_label_whose_english_is_the_published_text():
    customers = load_test_customers()
    assert {c.case for c in customers} == set(TEST_CASE_DESCRIPTIONS)
    with translation.override("en"):
        for customer in customers:
            assert str(TEST_CASE_DESCRIPTIONS[customer.case]) == customer.description
