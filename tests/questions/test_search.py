"""Search that understands Norwegian (questions/search.py).

The behaviour that needs PostgreSQL's full-text search and pg_trgm is tested on PostgreSQL only
(run under scripts/testenv.py); the rest, and the query counts, on both databases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questions.models import Category, FaqEntry, FaqStatus
from questions.search import highlight, query_parse, snippet
from questions.selectors import faq_search, question_search_own
from tests.questions.builders import ask, published

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="full-text search (norwegian/simple) and pg_trgm need PostgreSQL; SQLite has the "
           "simpler fallback. Run under scripts/testenv.py.")


@pytest.fixture
def faq_entries(bits_user):
    return {
        "studielan": published(
            bits_user, title="Hvordan vises studielån i Saldo-API-et?",
            answer="Saldoen på studielån kommer som kontoen «Lån» med closingBooked-beløp."),
        "rente": published(
            bits_user, title="Når bokføres rente på lånet?",
            answer="Renten bokføres ved månedsslutt og ved hver hendelse."),
        "consent": published(
            bits_user, title="Hva er Consent-ID?",
            answer="Consent-ID er samtykketokenet fra Altinn. Uten det svarer API-et 403."),
        "maskinporten": published(
            bits_user, title="Hvilket scope trengs i Maskinporten?",
            answer="Scopet lanekassen:lan/v1/saldoopplysninger, utstedt til bankens orgnr."),
    }


def titles(entries):
    return [e.title for e in entries]


# --- PostgreSQL: full-text search, stems, trigrams --------------------------------------------

@postgresql_only
def test_studielanet_finds_an_entry_about_studielan(faq_entries, bank_member):
    found = faq_search(user=bank_member, text="studielånet")
    assert faq_entries["studielan"].title in titles(found)


@postgresql_only
def test_renter_finds_rente(faq_entries, bank_member):
    assert titles(faq_search(user=bank_member, text="renter"))[0] == faq_entries["rente"].title


@postgresql_only
def test_the_typo_studielan_finds_studielan(faq_entries, bank_member):
    assert faq_entries["studielan"].title in titles(faq_search(user=bank_member,
                                                                 text="studielan"))


@postgresql_only
def test_a_misspelt_word_is_found_by_trigram_similarity(faq_entries, bank_member):
    assert faq_entries["maskinporten"].title in titles(faq_search(user=bank_member,
                                                                    text="maskinportn"))


@postgresql_only
def test_lan_finds_the_compound_studielanet(bits_user, bank_member):
    entry = published(bits_user, title="Når oppdateres saldoen?",
                      answer="Studielånet oppdateres hver natt.")
    assert entry.title in titles(faq_search(user=bank_member, text="lån"))


@postgresql_only
def test_results_are_ranked_best_first(bits_user, bank_member):
    passing = published(bits_user, title="Hva betyr 404?",
                        answer="Personen finnes ikke. Samtykke er ikke relevant for 404.")
    best = published(bits_user, title="Hvordan henter banken samtykke?",
                     answer="Samtykke hentes i Altinn; samtykket gir et Consent-ID.")
    found = faq_search(user=bank_member, text="samtykke i Altinn")
    assert titles(found)[:2] == [best.title, passing.title]


@postgresql_only
def test_simple_configuration_finds_header_names_as_written(faq_entries, bank_member):
    assert titles(faq_search(user=bank_member, text="Consent-ID"))[0] == \
        faq_entries["consent"].title


# --- both databases ------------------------------------------------------------------------------

def test_only_published_entries_are_found_by_banks(bits_user, bank_member):
    from questions import faq

    faq.faq_create(by=bits_user, category=Category.TECHNICAL, title="Utkast om samtykke",
                   answer="Ikke ferdig.")
    assert faq_search(user=bank_member, text="samtykke") == []


def test_accent_folding_finds_studielan_without_the_ring(faq_entries, bank_member):
    assert faq_entries["studielan"].title in titles(faq_search(user=bank_member,
                                                                 text="studielan"))


@pytest.mark.parametrize("text", ["", "   ", "og i på", "hvordan kan jeg", "!!! ??? ...",
                                  "<script>", "%_%", "'; DROP TABLE", "x" * 5000])
def test_stop_words_symbols_and_nonsense_find_nothing_and_do_not_fail(faq_entries,
                                                                      bank_member, text):
    found = faq_search(user=bank_member, text=text)
    assert isinstance(found, list)
    if query_parse(text).is_empty:
        assert found == []


def test_a_query_of_stop_words_is_empty():
    assert query_parse("og i på det som").is_empty
    assert not query_parse("og samtykke").is_empty
    assert query_parse("og samtykke").words == ("samtykke",)


def test_highlight_escapes_first_and_marks_matching_words():
    html = highlight("<b>Studielånet</b> & renter på lån", "studielån renter")
    assert html == ("&lt;b&gt;<mark>Studielånet</mark>&lt;/b&gt; &amp; <mark>renter</mark> "
                    "på lån")


def test_highlight_never_lets_markup_through_in_a_query():
    assert "<script>" not in highlight("<script>alert(1)</script>", "<script>alert")


def test_snippet_shows_the_part_around_the_first_match():
    text = "Innledning. " * 40 + "Her står det om Consent-ID og samtykke." + " Slutt." * 40
    html = snippet(text, "samtykke", length=120)
    assert "<mark>samtykke</mark>" in html
    assert html.startswith("… ") and html.endswith(" …")


def test_own_questions_are_found_but_never_another_banks(personas):
    mine = ask(personas["bank_member"], title="Samtykke fra Altinn 3")
    theirs = ask(personas["other_bank"], title="Samtykke fra Altinn 2")
    found = question_search_own(user=personas["bank_admin"], text="samtykke")
    assert mine in found and theirs not in found


# --- query counts ------------------------------------------------------------------------------

def _seed(n):
    FaqEntry.objects.bulk_create([
        FaqEntry(category=Category.TECHNICAL, status=FaqStatus.PUBLISHED,
                 title=f"Spørsmål nummer {i} om samtykke og studielån",
                 answer=f"Svar {i}: Consent-ID og studielånet, rente og renter.")
        for i in range(n - FaqEntry.objects.count())])


@pytest.mark.parametrize("rows", [10, 1000])
def test_typing_search_runs_a_fixed_number_of_queries_however_many_entries(
        client, bank_member, django_assert_max_num_queries, rows):
    _seed(rows)
    client.force_login(bank_member)
    url = reverse("questions:suggest")
    params = {"title": "samtykke studielån", "text": "Hva betyr renter?"}
    with django_assert_max_num_queries(8):
        response = client.get(url, params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().count('data-faq="') == 5


def test_typing_search_query_count_is_the_same_for_10_and_1000_entries(client, bank_member):
    client.force_login(bank_member)
    url = reverse("questions:suggest")
    counts = []
    for rows in (10, 1000):
        _seed(rows)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"title": "studielån renter"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
