"""Containment from the case: suspension through balances (the API refuses the bank's next
real call, and lets it through once lifted), one suspension when two caseworkers act, and the
lookup-log figure (distinct persons, never an fnr)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from balances.models import LookupLog
from balances.selectors import lookup_log_summary
from casework.errors import DomainError
from casework.models import AuditEvent
from incidents.breaches import containment, services
from tests.balances.conftest import (  # noqa: F401 - fixtures for real API calls
    _issuer_pem,
    issuer_key,
    saldo,
    saldo_settings,
    test_key,
    two_borrowers,
)
from tests.factories import member_of
from tests.incidents.breaches.conftest import report

pytestmark = pytest.mark.django_db


def test_suspending_from_the_case_refuses_the_next_real_call_and_lifting_lets_it_through(
        saldo, security_contact, lk_user):  # noqa: F811
    breach = services.breach_confirm_receipt(breach=report(security_contact), by=lk_user)
    assert saldo.get().status_code == 200
    containment.breach_api_suspend(breach=breach, by=lk_user, reason="Lekket nøkkel")
    refused = saldo.get()
    assert refused.status_code != 200
    containment.breach_api_unsuspend(breach=breach, by=lk_user)
    assert saldo.get().status_code == 200
    verbs = list(AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(breach), object_id=breach.pk,
        verb__startswith="api_").values_list("verb", flat=True))
    assert verbs == ["api_suspended", "api_unsuspended"]


def test_second_caseworker_suspending_is_told_and_nothing_more_happens(
        saldo, security_contact, lk_user, lanekassen_org):  # noqa: F811
    other = member_of(lanekassen_org, totp=True, email="annen@lanekassen.example.com")
    breach = services.breach_confirm_receipt(breach=report(security_contact), by=lk_user)
    containment.breach_api_suspend(breach=breach, by=lk_user, reason="Lekket nøkkel")
    with pytest.raises(DomainError, match="allerede suspendert"):
        containment.breach_api_suspend(breach=breach, by=other, reason="Også jeg")
    assert AuditEvent.objects.filter(verb="api_suspended").count() == 1


def _log(bank, fnr_hash, status=200, key="key1", at=None):
    return LookupLog.objects.create(organisation=bank, environment="test", request_id="r",
                                    fnr_hash=fnr_hash, status=status, latency_ms=1.0,
                                    api_key_prefix=key, created_at=at or timezone.now())


def test_lookup_log_summary_counts_distinct_persons_and_shows_no_fnr(bank, other_bank):
    now = timezone.now()
    for fnr_hash, status, key in [("h1", 200, "k1"), ("h1", 200, "k1"), ("h2", 403, "k2"),
                                  ("h3", 200, "k2"), ("", 400, "k1")]:
        _log(bank, fnr_hash, status, key, now - timedelta(hours=1))
    _log(bank, "h9", at=now - timedelta(days=10))  # outside the period
    _log(other_bank, "h8", at=now - timedelta(hours=1))  # another bank
    summary = lookup_log_summary(organisation=bank, start=now - timedelta(days=1), end=now)
    assert summary == {"calls": 5, "persons": 3, "by_status": {200: 3, 400: 1, 403: 1},
                       "by_key": {"k1": 3, "k2": 2}}


def test_lanekassen_records_the_figure_and_the_page_shows_no_fnr(client_for, bank,
                                                                  security_contact, lk_user):
    breach = report(security_contact)
    for fnr_hash in ("hash-aaa", "hash-bbb", "hash-bbb"):
        _log(bank, fnr_hash, at=breach.occurred_from + timedelta(hours=1))
    containment.breach_lookup_figure_record(breach=breach, by=lk_user)
    breach.refresh_from_db()
    assert breach.persons_looked_up == 2
    page = client_for(lk_user).get(breach.get_absolute_url()).content.decode()
    assert 'id="api-persons">2<' in page
    assert "hash-aaa" not in page and "hash-bbb" not in page
    bank_page = client_for(security_contact).get(breach.get_absolute_url()).content.decode()
    assert 'id="api-summary"' not in bank_page
