"""Two people of one bank press "support" at the same moment, from two sessions: the bank has
exactly one vote, and neither of them gets an error. Needs PostgreSQL (real row locks and
concurrent transactions): run under scripts/testenv.py."""

import threading

import pytest
from django.db import connection, connections

from casework.models import AuditEvent
from changerequests import services
from changerequests.models import Vote
from tests.changerequests import builders as b
from tests.factories import member_of


@pytest.fixture
def postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL: run under scripts/testenv.py")


def _at_once(calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test reports any error
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.parametrize("attempt", range(3))
def test_two_users_of_one_bank_voting_at_the_same_moment_leave_one_vote(
        postgres_only, personas, other_bank, attempt):
    request = b.opened(personas)
    colleague = member_of(other_bank, email=f"kollega{attempt}@bank-b.example.com")

    results, errors = _at_once([
        lambda: services.vote_cast(request=request, by=personas["other_bank"]),
        lambda: services.vote_cast(request=request, by=colleague),
    ])

    assert errors == []
    assert sorted(created for _vote, created in results) == [False, True]
    assert Vote.objects.filter(request=request, organisation=other_bank).count() == 1
    assert AuditEvent.objects.filter(verb="supported", object_id=request.pk).count() == 1


def test_same_user_double_click_from_two_tabs_leaves_one_vote(postgres_only, personas):
    request = b.opened(personas)
    results, errors = _at_once([
        lambda: services.vote_cast(request=request, by=personas["other_bank"])] * 2)
    assert errors == []
    assert Vote.objects.filter(request=request).count() == 2  # Testbank A's and B's
