"""Question pages over the personas: who sees what (another bank gets 404), who may do what,
what a person is told when the input is wrong, Bits' FAQ box next to the reply, and the admin.
The FAQ's own pages are in test_faq_views.py."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.models import Attachment, Message
from questions import services
from questions.models import Question, Status
from tests.questions.builders import TITLE, ask, at, published

V = Message.Visibility


def text_of(response):
    return response.content.decode()


def offered_actions(response):
    return set(re.findall(r'name="action" value="(\w+)"', text_of(response)))


# --- the case page ------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status_code"), [
    ("bank_member", 200), ("bank_admin", 200), ("other_bank", 404), ("bits", 200),
    ("lanekassen", 404)])
def test_question_page_per_persona_before_forwarding(personas, client_for, who, status_code):
    question = at(Status.NEW, personas)
    assert client_for(personas[who]).get(question.get_absolute_url()).status_code == status_code


@pytest.mark.parametrize(("who", "status_code"), [
    ("bank_member", 200), ("other_bank", 404), ("bits", 200), ("lanekassen", 200)])
def test_question_page_per_persona_once_forwarded(personas, client_for, who, status_code):
    question = at(Status.FORWARDED, personas)
    assert client_for(personas[who]).get(question.get_absolute_url()).status_code == status_code


def test_anonymous_is_sent_to_log_in(personas, client):
    question = at(Status.NEW, personas)
    response = client.get(question.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_other_bank_gets_404_on_attachment_action_and_message(personas, client_for):
    log = SimpleUploadedFile("logg.txt", b"403 Forbidden\n", content_type="text/plain")
    question = ask(personas["bank_member"], files=[log])
    attachment = Attachment.objects.get()
    other = client_for(personas["other_bank"])
    ref = question.reference

    assert other.get(reverse("questions:attachment", args=[ref, attachment.pk])).status_code \
        == 404
    assert other.post(reverse("questions:action", args=[ref, "accept"])).status_code == 404
    assert other.post(reverse("questions:message", args=[ref]),
                      {"body": "Hei", "visibility": "public"}).status_code == 404
    assert not Message.objects.exists()
    own = client_for(personas["bank_admin"]).get(
        reverse("questions:attachment", args=[ref, attachment.pk]))
    assert own.status_code == 200 and b"403 Forbidden" in b"".join(own.streaming_content)


def test_internal_attachment_is_404_for_the_bank(personas, client_for):
    question = at(Status.IN_PROGRESS, personas)
    note = SimpleUploadedFile("intern.txt", b"internt\n", content_type="text/plain")
    services.question_comment(case=question, by=personas["bits"], body="Internt",
                              visibility=V.INTERNAL, files=[note])
    attachment = Attachment.objects.get()
    url = reverse("questions:attachment", args=[question.reference, attachment.pk])
    assert client_for(personas["bank_member"]).get(url).status_code == 404
    assert client_for(personas["bits"]).get(url).status_code == 200


@pytest.mark.parametrize(("status", "who", "offered"), [
    (Status.NEW, "bits", {"take", "answer", "request_info", "forward"}),
    (Status.NEW, "bank_member", set()),
    (Status.FORWARDED, "lanekassen", {"give_guidance"}),
    (Status.FORWARDED, "bits", set()),
    (Status.GUIDANCE_GIVEN, "bits", {"relay", "request_info", "forward"}),
    (Status.ANSWERED, "bank_admin", {"accept", "follow_up"}),
    (Status.ANSWERED, "bits", set()),
    (Status.CLOSED, "bank_member", set()),
])
def test_case_page_offers_the_actions_of_the_persona(personas, client_for, status, who,
                                                     offered):
    question = at(status, personas)
    assert offered_actions(client_for(personas[who]).get(question.get_absolute_url())) == offered


def test_the_whole_flow_through_the_action_view(personas, client_for):
    question = at(Status.NEW, personas)
    bits, lk = client_for(personas["bits"]), client_for(personas["lanekassen"])
    bank = client_for(personas["bank_member"])

    def act(client, name, text=""):
        return client.post(reverse("questions:action", args=[question.reference, name]),
                           {"text": text})

    act(bits, "forward", "Hva sier forskriften?")
    act(lk, "give_guidance", "Forskriften § 2 sier at …")
    act(bits, "relay", "Kort fortalt: dette er lov.")
    act(bank, "accept")
    question.refresh_from_db()
    assert question.status == Status.CLOSED
    page = text_of(bank.get(question.get_absolute_url()))
    assert "Kort fortalt: dette er lov." in page
    assert "Forskriften § 2" not in page and "Hva sier forskriften?" not in page


def test_an_action_that_needs_text_is_refused_without_it(personas, client_for):
    question = at(Status.NEW, personas)
    response = client_for(personas["bits"]).post(
        reverse("questions:action", args=[question.reference, "answer"]), {"text": " "},
        follow=True)
    assert "Fyll ut teksten" in text_of(response)
    question.refresh_from_db()
    assert question.status == Status.NEW


def test_htmx_reply_by_the_bank_hands_the_question_back_and_updates_the_status(personas,
                                                                                client_for):
    question = at(Status.AWAITING_BANK, personas)
    response = client_for(personas["bank_member"]).post(
        reverse("questions:message", args=[question.reference]),
        {"body": "Det gjelder test.", "visibility": "public"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert re.search(r'id="status" hx-swap-oob="true">Under behandling hos Bits<',
                     text_of(response))


def test_bits_sees_the_faq_box_next_to_the_reply_and_the_bank_does_not(personas, client_for):
    question = at(Status.IN_PROGRESS, personas)
    bits_page = text_of(client_for(personas["bits"]).get(question.get_absolute_url()))
    assert 'hx-get="/sporsmal/faq/sett-inn/"' in bits_page
    assert "questions/faq-insert.js" in bits_page
    assert "<script>" not in bits_page  # no inline script: the CSP to come forbids it
    bank_page = text_of(client_for(personas["bank_member"]).get(question.get_absolute_url()))
    assert "faq-insert" not in bank_page


def test_faq_box_offers_the_answer_text_and_link_for_insertion(personas, client_for):
    entry = published(personas["bits"], answer="Bruk <Consent-ID> fra Altinn.")
    response = client_for(personas["bits"]).get(reverse("questions:faq_pick"),
                                                {"faq_q": "Consent-ID"})
    html = text_of(response)
    assert 'data-faq-insert-text="Bruk &lt;Consent-ID&gt; fra Altinn."' in html
    assert f'data-faq-insert-url="http://testserver/sporsmal/faq/{entry.pk}/"' in html
    assert client_for(personas["bank_member"]).get(reverse("questions:faq_pick")).status_code \
        == 404


# --- the list and the home page -------------------------------------------------------------

def test_list_shows_a_bank_only_its_own_questions(personas, client_for):
    mine = ask(personas["bank_member"], title="Vårt spørsmål")
    theirs = ask(personas["other_bank"], title="Deres spørsmål")
    page = text_of(client_for(personas["bank_admin"]).get(reverse("questions:list")))
    assert mine.reference in page and theirs.reference not in page
    queue = text_of(client_for(personas["bits"]).get(reverse("questions:list")))
    assert mine.reference in queue and theirs.reference in queue and "Kø: spørsmål" in queue


def test_list_filters_by_status_and_ignores_a_bad_value(personas, client_for):
    answered = at(Status.ANSWERED, personas)
    new = at(Status.NEW, personas)
    bits = client_for(personas["bits"])
    page = text_of(bits.get(reverse("questions:list"), {"status": "answered"}))
    assert answered.reference in page and new.reference not in page
    assert bits.get(reverse("questions:list"), {"status": "nonsense", "category": "x"}) \
        .status_code == 200


def test_home_page_shows_what_waits_for_each_side(personas, client_for):
    at(Status.NEW, personas)
    at(Status.ANSWERED, personas)
    bits_home = text_of(client_for(personas["bits"]).get(reverse("dashboard")))
    assert "Nye spørsmål" in bits_home
    bank_home = text_of(client_for(personas["bank_member"]).get(reverse("dashboard")))
    assert "Besvarte spørsmål å godta" in bank_home and "Still et spørsmål" in bank_home


# --- asking, and the bad input it must survive ----------------------------------------------

def test_ask_page_is_for_bank_users_only(personas, client_for):
    assert client_for(personas["bank_member"]).get(reverse("questions:ask")).status_code == 200
    assert client_for(personas["bits"]).get(reverse("questions:ask")).status_code == 404


def test_ask_form_asks_for_suggestions_as_the_user_types(personas, client_for):
    html = text_of(client_for(personas["bank_member"]).get(reverse("questions:ask")))
    for name in ("title", "text"):
        field = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html).group()
        assert 'hx-trigger="keyup changed delay:400ms, search"' in field
        assert 'hx-get="/sporsmal/ny/forslag/"' in field


def test_asking_through_the_form(personas, client_for):
    response = client_for(personas["bank_member"]).post(reverse("questions:ask"), {
        "category": "professional", "environment": "", "title": "Gjelder samtykket i 90 dager?",
        "text": "Hvor lenge gjelder et samtykke fra Altinn?"}, follow=True)
    question = Question.objects.get()
    assert question.category == "professional" and question.environment == ""
    assert f"Spørsmålet er registrert som {question.reference}." in text_of(response)


@pytest.mark.parametrize(("text", "message"), [
    ("", "Feltet er påkrevet."),
    ("x" * 20_000, "Teksten kan være på høyst 10000 tegn (den har 20000)."),
])
def test_empty_or_too_long_question_gets_a_clear_form_error(personas, client_for, text,
                                                            message):
    response = client_for(personas["bank_member"]).post(reverse("questions:ask"), {
        "category": "technical", "title": "Et spørsmål", "text": text})
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Question.objects.exists()


# --- Django admin -----------------------------------------------------------------------------

ADMIN = "/admin/questions/question/"


def test_admin_gives_guidance_through_the_same_service(personas, client_for, lk_admin):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from casework.models import AuditEvent

    question = at(Status.FORWARDED, personas)
    client = client_for(lk_admin)
    assert question.reference in text_of(client.get(ADMIN))
    client.post(ADMIN, {"action": "action_give_guidance", ACTION_CHECKBOX_NAME: [question.pk],
                        "text": "Veiledning fra admin"})
    question.refresh_from_db()
    assert question.status == Status.GUIDANCE_GIVEN
    assert AuditEvent.objects.get(verb="guidance_given").actor == lk_admin


def test_admin_cannot_do_what_the_service_refuses(personas, client_for, lk_admin):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    question = at(Status.NEW, personas)
    client_for(lk_admin).post(ADMIN, {"action": "action_take",
                                      ACTION_CHECKBOX_NAME: [question.pk]})
    question.refresh_from_db()
    assert question.status == Status.NEW  # only Bits takes a question
    response = client_for(lk_admin).post(f"{ADMIN}{question.pk}/change/",
                                         {"status": Status.CLOSED, "title": "Endret"})
    question.refresh_from_db()
    assert (question.status, question.title) == (Status.NEW, TITLE)
    assert response.status_code in (200, 302, 403)


def test_bits_queue_query_count_does_not_grow_with_the_questions(personas, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(personas["bits"])
    counts = []
    for total in (2, 12):
        while Question.objects.count() < total:
            at(Status.IN_PROGRESS, personas)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("questions:list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
