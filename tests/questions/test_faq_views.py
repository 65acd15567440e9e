"""FAQ pages over the personas: the suggestions while a bank types, "this answered my
question", drafts only Bits and Lånekassen see, an entry that never names the asking bank,
votes, statistics and review."""

import re

import pytest
from django.urls import reverse

from questions import faq, services
from questions.models import Deflection, FaqEntry, FaqStatus, FaqVote, Question, Status
from tests.questions.builders import TITLE, ask, at, published


def text_of(response):
    return response.content.decode()


# --- suggestions while typing and deflection ---------------------------------------------------

def test_suggestions_show_faq_answers_and_the_banks_own_questions_only(personas, client_for):
    entry = published(personas["bits"], title="Hva betyr 403 fra Saldo-API-et?")
    mine = ask(personas["bank_member"], title="403 på alle kall")
    theirs = ask(personas["other_bank"], title="403 etter nøkkelbytte")
    html = text_of(client_for(personas["bank_admin"]).get(
        reverse("questions:suggest"), {"title": "403", "text": ""}, HTTP_HX_REQUEST="true"))
    assert entry.get_absolute_url() in html and "<mark>403</mark>" in html
    assert mine.reference in html and theirs.reference not in html


@pytest.mark.parametrize("title", ["og i på", "!!!", "   "])
def test_suggestions_for_nothing_searchable_say_so(personas, client_for, title):
    response = client_for(personas["bank_member"]).get(reverse("questions:suggest"),
                                                       {"title": title})
    assert response.status_code == 200
    assert "data-faq=" not in text_of(response)


def test_this_answered_my_question_files_nothing_and_counts_for_bits(personas, client_for):
    entry = published(personas["bits"])
    response = client_for(personas["bank_member"]).post(
        reverse("questions:deflect"), {"entry": entry.pk, "query": "Hva er 403?"})
    assert response.status_code == 302 and response.url == entry.get_absolute_url()
    assert not Question.objects.exists()
    deflection = Deflection.objects.get()
    assert (deflection.faq_entry, deflection.user, deflection.query) == (
        entry, personas["bank_member"], "Hva er 403?")
    assert deflection.organisation == personas["bank_member"].membership.organisation
    stats = text_of(client_for(personas["bits"]).get(reverse("questions:faq_stats")))
    assert re.search(r'id="deflections">1<', stats)


def test_deflection_on_a_draft_is_404(personas, client_for):
    draft = faq.faq_create(by=personas["bits"], category="technical", title="Utkast",
                           answer="Ikke klart")
    response = client_for(personas["bank_member"]).post(reverse("questions:deflect"),
                                                        {"entry": draft.pk})
    assert response.status_code == 404
    assert not Deflection.objects.exists()


# --- the FAQ ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status_code"), [
    ("bank_member", 404), ("other_bank", 404), ("bits", 200), ("lanekassen", 200)])
def test_faq_draft_is_visible_to_bits_and_lanekassen_only(personas, client_for, who,
                                                          status_code):
    draft = faq.faq_create(by=personas["bits"], category="technical", title="Utkast",
                           answer="Ikke klart")
    assert client_for(personas[who]).get(draft.get_absolute_url()).status_code == status_code
    listing = text_of(client_for(personas[who]).get(reverse("questions:faq_list")))
    assert ("Utkast" in listing) == (status_code == 200)


def test_published_entry_never_names_the_asking_bank_to_another_bank(personas, client_for):
    question = at(Status.IN_PROGRESS, personas, title="Testbank A: hva betyr 403?",
                  text="Vi i Testbank A (910000004) får 403.")
    question = services.question_answer(question=question, by=personas["bits"],
                                        answer="Hei Testbank A, 403 betyr manglende samtykke.")
    entry = faq.faq_draft_from_question(question=question, by=personas["bits"])
    faq.faq_publish(entry=entry, by=personas["bits"])

    other = client_for(personas["other_bank"])
    for url in (entry.get_absolute_url(), reverse("questions:faq_list"),
                reverse("questions:faq_list") + "?q=403"):
        page = text_of(other.get(url))
        assert "403" in page
        assert "Testbank A" not in page and "910000004" not in page
        assert question.reference not in page
    staff_page = text_of(client_for(personas["lanekassen"]).get(entry.get_absolute_url()))
    assert question.reference in staff_page


def test_bits_makes_a_draft_from_an_answered_question_in_one_click(personas, client_for):
    question = at(Status.ANSWERED, personas)
    response = client_for(personas["bits"]).post(
        reverse("questions:faq_draft", args=[question.reference]))
    entry = FaqEntry.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("questions:faq_edit", args=[entry.pk])
    assert entry.status == FaqStatus.DRAFT and entry.source_question == question


def test_bank_cannot_make_a_draft(personas, client_for):
    question = at(Status.ANSWERED, personas)
    client_for(personas["bank_member"]).post(
        reverse("questions:faq_draft", args=[question.reference]))
    client_for(personas["other_bank"]).post(
        reverse("questions:faq_draft", args=[question.reference]))
    assert not FaqEntry.objects.exists()


def test_bits_writes_edits_and_publishes_an_entry(personas, client_for):
    bits = client_for(personas["bits"])
    bits.post(reverse("questions:faq_create"), {
        "category": "technical", "title": "Hva er PSU_ID?", "answer": "Fødselsnummeret."})
    entry = FaqEntry.objects.get()
    bits.post(reverse("questions:faq_edit", args=[entry.pk]), {
        "category": "technical", "title": "Hva er PSU_ID?",
        "answer": "Kundens fødselsnummer, 11 siffer."})
    bits.post(reverse("questions:faq_action", args=[entry.pk, "publish"]))
    entry.refresh_from_db()
    assert entry.status == FaqStatus.PUBLISHED and entry.answer.endswith("11 siffer.")
    assert entry.last_reviewed_on is not None


@pytest.mark.parametrize("who", ["bank_member", "lanekassen"])
def test_only_bits_writes_and_publishes(personas, client_for, who):
    client = client_for(personas[who])
    assert client.get(reverse("questions:faq_create")).status_code == 404
    draft = faq.faq_create(by=personas["bits"], category="technical", title="Utkast",
                           answer="Ikke klart")
    client.post(reverse("questions:faq_action", args=[draft.pk, "publish"]))
    draft.refresh_from_db()
    assert draft.status == FaqStatus.DRAFT


def test_empty_faq_answer_gets_a_form_error(personas, client_for):
    response = client_for(personas["bits"]).post(reverse("questions:faq_create"), {
        "category": "technical", "title": "Tittel", "answer": ""})
    assert response.status_code == 200 and "Feltet er påkrevet." in text_of(response)
    assert not FaqEntry.objects.exists()


def test_one_vote_per_reader_and_it_can_be_changed(personas, client_for):
    entry = published(personas["bits"])
    bank = client_for(personas["bank_member"])
    url = reverse("questions:faq_vote", args=[entry.pk])
    bank.post(url, {"helpful": "1"})
    bank.post(url, {"helpful": "1"})
    assert FaqVote.objects.get().helpful is True
    response = bank.post(url, {"helpful": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true"' in text_of(response)
    assert FaqVote.objects.get().helpful is False
    client_for(personas["other_bank"]).post(url, {"helpful": "1"})
    assert FaqVote.objects.count() == 2


def test_bits_sees_views_votes_and_what_is_due_for_review(personas, client_for):
    from datetime import timedelta

    from django.utils import timezone

    entry = published(personas["bits"])
    old = published(personas["bits"], title="Gammelt svar")
    FaqEntry.objects.filter(pk=old.pk).update(
        last_reviewed_on=timezone.localdate() - timedelta(days=400))
    client_for(personas["bank_member"]).get(entry.get_absolute_url())
    client_for(personas["other_bank"]).get(entry.get_absolute_url())
    client_for(personas["bits"]).get(entry.get_absolute_url())  # Bits' own reading
    faq.faq_vote(entry=entry, by=personas["bank_member"], helpful=True)
    faq.faq_vote(entry=entry, by=personas["other_bank"], helpful=False)

    entry.refresh_from_db()
    assert entry.views == 2
    html = text_of(client_for(personas["bits"]).get(reverse("questions:faq_stats")))
    row = re.search(rf"{re.escape(entry.title)}</a></td>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "1", "1", "0"]
    old_row = re.search(r"Gammelt svar</a></td>(.*?)</tr>", html, re.S).group(1)
    assert "Trenger gjennomgang" in old_row
    assert client_for(personas["bank_member"]).get(reverse("questions:faq_stats")) \
        .status_code == 404


def test_reviewing_an_entry_resets_its_review_date(personas, client_for):
    from datetime import timedelta

    from django.utils import timezone

    entry = published(personas["bits"])
    FaqEntry.objects.filter(pk=entry.pk).update(
        last_reviewed_on=timezone.localdate() - timedelta(days=400))
    client_for(personas["bits"]).post(reverse("questions:faq_action", args=[entry.pk, "review"]))
    entry.refresh_from_db()
    assert entry.last_reviewed_on == timezone.localdate()


def test_archiving_or_deleting_an_entry_never_deletes_its_question(personas):
    question = at(Status.ANSWERED, personas)
    entry = faq.faq_draft_from_question(question=question, by=personas["bits"])
    faq.faq_archive(entry=entry, by=personas["bits"])
    assert Question.objects.filter(pk=question.pk).exists()
    FaqEntry.objects.filter(pk=entry.pk).delete()
    assert Question.objects.filter(pk=question.pk).exists()
    link = FaqEntry._meta.get_field("source_question")
    from django.db import models

    assert link.remote_field.on_delete is models.SET_NULL


def test_archived_entry_is_gone_for_banks(personas, client_for):
    entry = published(personas["bits"])
    faq.faq_archive(entry=entry, by=personas["bits"])
    assert client_for(personas["bank_member"]).get(entry.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("q", ["og i på", "!!!", "%", "<>"])
def test_faq_search_of_only_stop_words_or_symbols_says_so(personas, client_for, q):
    published(personas["bits"])
    response = client_for(personas["bank_member"]).get(reverse("questions:faq_list"), {"q": q})
    assert response.status_code == 200
    assert "Søket inneholder bare småord eller tegn" in text_of(response)


def test_faq_search_for_markup_shows_it_as_text(personas, client_for):
    published(personas["bits"], title="Hva gjør <script> i svaret?")
    html = text_of(client_for(personas["bank_member"]).get(
        reverse("questions:faq_list"), {"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;<mark>script</mark>&gt;" in html


def test_faq_search_highlights_and_answers_htmx_with_the_results_only(personas, client_for):
    published(personas["bits"], title=TITLE)
    response = client_for(personas["other_bank"]).get(
        reverse("questions:faq_list"), {"q": "saldo-api"}, HTTP_HX_REQUEST="true")
    html = text_of(response)
    assert "<mark>Saldo</mark>-<mark>API</mark>" in html
    assert "<html" not in html


@pytest.mark.parametrize("entry", ["abc", "", "99999", "-1"])
def test_deflection_of_a_made_up_entry_is_404(personas, client_for, entry):
    response = client_for(personas["bank_member"]).post(reverse("questions:deflect"),
                                                        {"entry": entry})
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/sporsmal/faq/abc/", "/sporsmal/SP-0000-0000/",
                                 "/sporsmal/faq/999999/"])
def test_made_up_addresses_are_404(personas, client_for, url):
    assert client_for(personas["bits"]).get(url).status_code == 404
