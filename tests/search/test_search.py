"""The header's search: a reference opens the case when the person may see it; an orgnr, a
bank's name, an X-Request-Id or words list what each case type finds for that person — and
nothing of what they may not see, with no hint that it exists."""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from balances.models import LookupLog
from incidents import services
from questions import services as question_services
from tests.support.bulk import bulk_error_reports as _bulk

URL = reverse("search")


def _report(by, summary="Saldo mangler for lånet", request_ids=("req-7f3a9c21-aa",)):
    return services.incident_report(
        by=by, environment="test", severity="high", occurred_at=timezone.now(),
        request_ids=list(request_ids), summary=summary, description="Svaret var tomt.")


def _search(client, text):
    return client.get(URL, {"q": text})


@pytest.fixture
def reports(bank_member, other_bank_member):
    return {"own": _report(bank_member),
            "other": _report(other_bank_member, summary="Tidsavbrudd hos bank B",
                             request_ids=["req-b0b0b0b0-bb"])}


def test_a_reference_the_user_may_see_opens_the_case(reports, bank_member, client_for):
    own = reports["own"]
    response = _search(client_for(bank_member), own.reference.lower())
    assert response.status_code == 302
    assert response["Location"] == own.get_absolute_url()


def test_other_banks_reference_finds_nothing_and_gives_no_hint(reports, bank_member,
                                                               client_for):
    other = reports["other"]
    response = _search(client_for(bank_member), other.reference)
    unknown = _search(client_for(bank_member), "FM-1999-9999")
    assert response.status_code == unknown.status_code == 200
    body = response.content.decode()
    assert other.summary not in body and "Testbank B" not in body.split("<main", 1)[1]
    # The same page as for a reference that does not exist, but for the reference itself.
    def main(html, reference):
        return html.split("<main", 1)[1].split("</main>", 1)[0].replace(reference, "X")

    assert main(body, other.reference) == main(unknown.content.decode(), "FM-1999-9999")


def test_bits_finds_a_banks_cases_by_orgnr_and_by_name(reports, bits_user, bank, client_for):
    client = client_for(bits_user)
    for text in (bank.orgnr, "testbank a"):
        body = _search(client, text).content.decode()
        assert reports["own"].reference in body
        assert reports["other"].reference not in body


def test_a_bank_user_finds_nothing_of_another_bank_by_its_name_or_orgnr(
        reports, bank_member, other_bank, client_for):
    client = client_for(bank_member)
    for text in (other_bank.orgnr, other_bank.name):
        body = _search(client, text).content.decode()
        assert reports["other"].reference not in body
        assert reports["own"].reference not in body


def test_lanekassen_finds_only_what_was_escalated(reports, bits_user, lk_user, client_for):
    services.incident_escalate(report=reports["own"], by=bits_user, note="Se på dette.")
    body = _search(client_for(lk_user), "testbank").content.decode()
    assert reports["own"].reference in body
    assert reports["other"].reference not in body


def test_an_x_request_id_finds_the_report_and_the_banks_own_log_line(
        reports, bank_member, bank, other_bank, bits_user, client_for):
    for org, rid in ((bank, "req-7f3a9c21-aa"), (other_bank, "req-7f3a9c21-aa")):
        LookupLog.objects.create(organisation=org, environment="test", request_id=rid,
                                 status=500 if org == bank else 404, latency_ms=12.0)
    body = _search(client_for(bank_member), "req-7f3a9c21-aa").content.decode()
    assert reports["own"].reference in body
    assert "status 500" in body and "status 404" not in body
    bits = _search(client_for(bits_user), "req-b0b0b0b0-bb").content.decode()
    assert reports["other"].reference in bits and reports["own"].reference not in bits


def test_words_find_cases_of_every_type_the_user_may_see(reports, bank_member,
                                                         other_bank_member, client_for):
    question = question_services.question_ask(
        by=bank_member, category="technical", title="Hvordan tolker vi saldo-feltet?",
        text="Feltet saldo er tomt for noen lån.")
    question_services.question_ask(by=other_bank_member, category="technical",
                                   title="Saldo hos bank B", text="Saldo for bank B.")
    body = _search(client_for(bank_member), "saldo").content.decode()
    assert reports["own"].reference in body and question.reference in body
    assert "Saldo hos bank B" not in body and reports["other"].reference not in body


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL, {"q": "FM-2026-0001"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_header_has_a_labelled_search_form(bank_member, client_for):
    body = client_for(bank_member).get(reverse("dashboard")).content.decode()
    assert 'role="search"' in body and 'for="site-search"' in body


@pytest.mark.parametrize("text", ["saldo", "910000004", "Testbank A", "req-00000003"])
def test_search_queries_do_not_grow_with_the_number_of_cases(text, bank_member, bits_user,
                                                             client_for):
    client = client_for(bits_user)
    _bulk(10, reporter=bank_member, start=1)
    client.get(URL, {"q": text})  # warm: the session, the site's caches
    with CaptureQueriesContext(connection) as small:
        assert _search(client, text).status_code == 200
    _bulk(490, reporter=bank_member, start=100)
    with CaptureQueriesContext(connection) as large:
        assert _search(client, text).status_code == 200
    assert len(large) == len(small), "\n".join(q["sql"] for q in large.captured_queries)


def test_a_control_character_in_the_search_is_a_space_not_an_error(bank_member, client_for):
    """A NUL in the query made PostgreSQL refuse the search (a 500)."""
    report = services.incident_report(
        by=bank_member, environment="test", severity="normal", occurred_at=timezone.now(),
        request_ids=["req-1"], summary="Saldo mangler", description="Tom.")
    response = _search(client_for(bank_member), "saldo\x00mangler\x07")
    assert response.status_code == 200
    assert response.context["q"] == "saldo mangler"
    assert report.reference in response.content.decode()
