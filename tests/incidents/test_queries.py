"""The case list, the Bits queue, Lånekassen's list and the CSV export cost the same number of
queries for 10 reports as for 1,000, first page and filtered search alike: nothing is fetched
per row. (1,000 keeps the tests quick; bench/case_list.py counts them again at 10,000.)"""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.slacase import SlaQueue, sla_queue_order
from incidents import selectors, services
from incidents.models import ErrorReport, Status
from tests.support.bulk import bulk_error_reports as _bulk

LIST_URL = reverse("incidents:list")
EXPORT_URL = reverse("incidents:export")


def _through_services(bank_member, bits_user):
    """A few reports made the real way: one new, one taken, one escalated."""
    def report(summary):
        return services.incident_report(
            by=bank_member, environment="test", severity="high", occurred_at=timezone.now(),
            request_ids=["req-a", "req-b"], summary=summary, description="Beskrivelse.")

    report("Ny feil")
    services.incident_take(report=report("Tatt feil"), by=bits_user)
    services.incident_escalate(report=report("Eskalert feil"), by=bits_user, note="Se her.")


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, queries


def _same_count(small, large):
    # Show the statements when they differ, so the one fetched per row is easy to find.
    assert len(large) == len(small), "\n".join(q["sql"] for q in large.captured_queries)


def test_bank_case_list_runs_the_same_queries_for_10_and_1000_reports(
        bank_member, other_bank_member, bits_user, client_for):
    _through_services(bank_member, bits_user)
    _bulk(7, reporter=bank_member, assignee=bits_user, start=1)
    _bulk(5, reporter=other_bank_member, assignee=bits_user, start=5000)
    assert ErrorReport.objects.filter(organisation__name="Testbank A").count() == 10
    client = client_for(bank_member)
    client.get(LIST_URL)  # caches (content types, sessions) warm up on the first request

    _response, small = _get(client, LIST_URL)
    _bulk(990, reporter=bank_member, assignee=bits_user, start=1100)
    response, large = _get(client, LIST_URL)

    _same_count(small, large)
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.count == 1000
    assert "FM-2000-5000" not in response.content.decode()  # the other bank's report


def test_bits_queue_runs_the_same_queries_for_10_and_1000_reports(
        bank_member, other_bank_member, bits_user, client_for):
    _through_services(bank_member, bits_user)
    _bulk(7, reporter=other_bank_member, assignee=bits_user, start=1)
    client = client_for(bits_user)
    client.get(LIST_URL)

    _response, small = _get(client, LIST_URL)
    _bulk(495, reporter=bank_member, assignee=bits_user, start=1100)
    _bulk(495, reporter=other_bank_member, assignee=None, start=2100)
    response, large = _get(client, LIST_URL)

    _same_count(small, large)
    assert response.context["is_queue"]
    rows = response.context["rows"]
    assert len(rows) == 25
    assert response.context["page"].paginator.count == 1000
    # The queue starts with what nobody has looked at yet.
    assert rows[0]["case"].status == Status.NEW
    assert all(row["sla"] is not None for row in rows)


def test_lanekassen_list_runs_the_same_queries_for_few_and_many_escalated_reports(
        bank_member, bits_user, lk_user, client_for):
    _through_services(bank_member, bits_user)
    _bulk(14, reporter=bank_member, assignee=bits_user, start=1)
    client = client_for(lk_user)
    client.get(LIST_URL)

    escalated = ErrorReport.objects.filter(escalated_at__isnull=False)
    response, small = _get(client, LIST_URL)
    assert response.context["page"].paginator.count == escalated.count() == 5
    _bulk(1000, reporter=bank_member, assignee=bits_user, start=1100)
    response, large = _get(client, LIST_URL)

    _same_count(small, large)
    # Lånekassen sees only what has been escalated to it.
    assert response.context["page"].paginator.count == escalated.count() > 25
    assert all(row["case"].escalated_at for row in response.context["rows"])


SEARCH = "?q=Feil+nummer&status=open"


def test_filtered_searches_run_the_same_queries_for_10_and_1000_reports(
        bank_member, other_bank_member, bits_user, lk_user, client_for):
    _through_services(bank_member, bits_user)
    _bulk(7, reporter=bank_member, assignee=bits_user, start=1)
    clients = {name: client_for(user) for name, user in (
        ("bank", bank_member), ("bits", bits_user), ("lanekassen", lk_user))}
    for client in clients.values():
        client.get(LIST_URL + SEARCH)

    small = {name: _get(client, LIST_URL + SEARCH)[1] for name, client in clients.items()}
    _bulk(495, reporter=bank_member, assignee=bits_user, start=1100)
    _bulk(495, reporter=other_bank_member, assignee=None, start=2100)
    for name, client in clients.items():
        response, large = _get(client, LIST_URL + SEARCH)
        _same_count(small[name], large)
        rows = [row["case"] for row in response.context["rows"]]
        assert len(rows) == 25, name
        assert all(r.is_open and "Feil nummer" in r.summary for r in rows), name


def test_queue_pages_follow_the_queue_order_across_open_and_closed_reports(
        bank_member, other_bank_member, bits_user):
    """The queue is paged from two index-ordered parts (open by rank, closed by due time):
    every page holds exactly the reports the single ordered query gives, with the page that
    spans open and closed reports, and reports due and made at the same moment, included."""
    _through_services(bank_member, bits_user)
    _bulk(60, reporter=bank_member, assignee=bits_user, start=1)
    _bulk(40, reporter=other_bank_member, assignee=None, start=100)
    twin = ErrorReport.objects.get(reference="FM-2000-0001")
    for n in (1, 2):  # due and made at the very moment of another report
        twin.pk, twin.reference = None, f"FM-2001-{n:04d}"
        twin.save()
    now = timezone.now()
    expected = list(sla_queue_order(ErrorReport.objects.all(), now=now))
    queue = SlaQueue(ErrorReport.objects.all(), now=now)

    assert queue.count() == len(expected) == 105
    pages = [queue[start:start + 25] for start in range(0, 105, 25)]
    assert [r for page in pages for r in page] == expected
    assert expected[0].status == Status.NEW
    assert {r.status for r in expected[-25:]} <= {Status.RESOLVED, Status.CLOSED}
    assert queue[3] == expected[3]
    assert queue[0:0] == []


def test_lanekassen_queue_pages_hold_only_escalated_reports_in_queue_order(
        bank_member, bits_user, lk_user):
    _through_services(bank_member, bits_user)
    _bulk(140, reporter=bank_member, assignee=bits_user, start=1)
    # Escalated once and closed since: Lånekassen still sees them, after the open ones.
    ErrorReport.objects.filter(status=Status.CLOSED).update(escalated_at=timezone.now())
    now = timezone.now()
    visible = selectors.incident_list_for_user(user=lk_user)
    expected = list(sla_queue_order(visible, now=now))
    queue = SlaQueue(visible, now=now)

    assert queue.count() == len(expected) == 61
    assert queue[0:25] + queue[25:50] + queue[50:75] == expected
    assert expected[-1].status == Status.CLOSED
    assert all(r.escalated_at for r in expected)


def _csv_rows(response):
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_export_runs_the_same_queries_for_10_and_1000_reports(
        bank_member, other_bank_member, bits_user, client_for):
    _through_services(bank_member, bits_user)
    _bulk(7, reporter=other_bank_member, assignee=bits_user, start=1)
    client = client_for(bits_user)
    client.get(EXPORT_URL)

    response, small = _get(client, EXPORT_URL)
    assert len(_csv_rows(response)) == 1 + 10
    _bulk(990, reporter=bank_member, assignee=bits_user, start=1100)
    response, large = _get(client, EXPORT_URL)

    _same_count(small, large)
    rows = _csv_rows(response)
    assert len(rows) == 1 + 1000
    assert rows[0][0] == "Referanse"
    by_reference = {row[0]: row for row in rows[1:]}
    assert by_reference["FM-2000-0001"][1] == "Testbank B"
    assert by_reference["FM-2000-0001"][-2] == bits_user.email
    assert by_reference["FM-2000-0003"][-2] == ""  # nobody has taken it
    assert by_reference["FM-2000-0001"][-1] == "req-00000001"


def test_bank_member_may_not_export(bank_member, client_for):
    assert client_for(bank_member).get(EXPORT_URL).status_code == 404
