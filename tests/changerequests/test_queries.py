"""The list, the ranking, the agenda and the roadmap cost the same number of queries for 10
requests as for 500 requests with 5,000 votes: nothing is fetched per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from changerequests.models import ChangeRequest, Status, Vote
from tests.changerequests import builders as b

pytestmark = pytest.mark.django_db
STATUSES = [Status.OPEN, Status.RECOMMENDED, Status.WITH_LANEKASSEN, Status.DEFERRED,
            Status.ACCEPTED, Status.IN_DEVELOPMENT, Status.IN_TEST, Status.REJECTED]
MEETING = timezone.localdate()


def _bulk(count, *, proposer, banks, votes_per_request, start):
    """`count` requests opened to all banks, spread over statuses, in one insert, each with
    `votes_per_request` votes (one per bank)."""
    now = timezone.now()
    requests = ChangeRequest.objects.bulk_create([
        ChangeRequest(reference=f"EO-2026-{i:04d}", organisation=proposer.membership.organisation,
                      proposed_by=proposer, title=f"Ønske {i}", problem="P", proposal="F",
                      benefit="N", urgency=["low", "medium", "high"][i % 3],
                      part=["api", "consent", "portal"][i % 3], status=STATUSES[i % len(STATUSES)],
                      opened_at=now, value=i % 5 + 1, effort=(i * 3) % 5 + 1,
                      planned_release=f"2026.{i % 4}", forum_meeting_on=MEETING,
                      created_at=now, status_changed_at=now)
        for i in range(start, start + count)])
    Vote.objects.bulk_create([
        Vote(request=r, organisation=bank, cast_by=proposer)
        for n, r in enumerate(requests) for bank in banks[:votes_per_request - n % 2]])


@pytest.fixture
def banks(db):
    return Organisation.objects.bulk_create([
        Organisation(name=f"Bank {n}", orgnr=f"95{n:07d}") for n in range(11)])


PAGES = {
    "list_bank": ("bank_member", "changerequests:list", {}),
    "list_filtered": ("other_bank", "changerequests:list", {"status": "undecided",
                                                            "ordering": "active"}),
    "list_bits": ("bits", "changerequests:list", {"ordering": "newest"}),
    "prioritisation": ("bits", "changerequests:prioritisation", {}),
    "agenda": ("lanekassen", "changerequests:agenda", {"dato": MEETING.isoformat()}),
    "agenda_csv": ("bits", "changerequests:agenda_csv", {"dato": MEETING.isoformat()}),
    "roadmap": ("other_bank", "changerequests:roadmap", {}),
}


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_the_same_queries_for_10_and_500_requests_with_5000_votes(
        p, client_for, banks, page):
    who, name, params = PAGES[page]
    b.opened(p)  # one made the real way, with the proposer's vote
    client = client_for(p[who])
    url = reverse(name)
    _bulk(10, proposer=p["bank_member"], banks=banks, votes_per_request=11, start=100)
    few = _queries(client, url, params)

    _bulk(490, proposer=p["bank_member"], banks=banks, votes_per_request=11, start=200)
    assert Vote.objects.count() >= 5000
    many = _queries(client, url, params)
    assert many == few, f"{page}: {few} queries for 10 requests, {many} for 500"
