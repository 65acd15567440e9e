"""Each persona's home page shows what waits for them, linked, with how long it has waited;
nothing of another bank; an empty state when nothing waits; constant queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ContactPoint
from balances import services as balances
from balances.models import LookupLog
from balances.rollup import lookup_rollup_tick
from incidents import services as incidents
from incidents.models import ErrorReport
from tests.support.bulk import bulk_error_reports

pytestmark = pytest.mark.django_db


def _report(by, summary="Saldo mangler", severity="high"):
    return incidents.incident_report(
        by=by, environment="production", severity=severity, occurred_at=timezone.now(),
        request_ids=["req-1"], summary=summary, description="Tom saldo.")


def _queue(response):
    return [(item["label"], item["url"]) for item in response.context["queue"]]


def test_nothing_waiting_says_so(client_for, bank_member):
    response = client_for(bank_member).get(reverse("dashboard"))
    assert response.context["queue"] == []
    assert "Ingenting venter på deg nå." in response.content.decode()


def test_bank_user_sees_its_cases_waiting_for_it_and_nothing_of_another_bank(
        client_for, bank_member, other_bank_member, bits_user):
    ours = _report(bank_member)
    incidents.incident_request_info(report=ours, by=bits_user, message="Logg?")
    theirs = _report(other_bank_member, summary="Hemmelig B")
    incidents.incident_request_info(report=theirs, by=bits_user, message="Logg?")
    _report(bank_member, summary="Hos Bits")  # Bits' move, not ours
    response = client_for(bank_member).get(reverse("dashboard"))
    assert _queue(response) == [(ours.reference, ours.get_absolute_url())]
    body = response.content.decode()
    assert "venter i" in body
    assert theirs.reference not in body and "Testbank B" not in body and "Hemmelig B" not in body


def test_bank_user_sees_keys_nearing_the_end_of_their_grace(client_for, bank_member, bank,
                                                           bank_admin):
    key, _plain = balances.api_key_issue(organisation=bank, environment="production",
                                         by=bank_admin)
    key.expires_at = timezone.now() + timedelta(days=3)
    key.save()
    far, _plain = balances.api_key_issue(organisation=bank, environment="test", by=bank_admin)
    far.expires_at = timezone.now() + timedelta(days=60)
    far.save()
    labels = [label for label, _url in _queue(client_for(bank_member).get(reverse("dashboard")))]
    assert labels == [f"Nøkkel {key.prefix}… (Produksjon) slutter å virke"]


def test_bank_admin_is_asked_to_reconfirm_contact_points(client_for, bank_admin, bank_member,
                                                        bank):
    ContactPoint.objects.create(organisation=bank, kind="technical", name="Drift",
                                email="drift@bank-a.example.com",
                                confirmed_at=timezone.now() - timedelta(days=400))
    admin_queue = _queue(client_for(bank_admin).get(reverse("dashboard")))
    assert admin_queue == [("Bekreft kontaktpunktene", reverse("accounts:contact_points"))]
    assert _queue(client_for(bank_member).get(reverse("dashboard"))) == []


def test_bank_home_shows_its_api_traffic_of_the_last_seven_days(client_for, bank_member, bank,
                                                              other_bank):
    for org, status in ((bank, 200), (bank, 200), (bank, 500), (other_bank, 401)):
        LookupLog.objects.create(organisation=org, environment="production", request_id="r",
                                 status=status, latency_ms=20)
    lookup_rollup_tick()
    response = client_for(bank_member).get(reverse("dashboard"))
    traffic = response.context["traffic"]
    assert traffic["calls"] == 3
    assert traffic["errors"] == [{"status": 500, "calls": 1, "share": 33.3}]
    assert 'role="img"' in response.content.decode()


def test_bits_queue_across_processes_is_ordered_by_sla_risk(client_for, bank_member, bits_user):
    on_track = _report(bank_member, severity="low")
    breached = _report(bank_member, severity="critical")
    ErrorReport.objects.filter(pk=breached.pk).update(
        first_response_due=timezone.now() - timedelta(minutes=1))
    response = client_for(bits_user).get(reverse("dashboard"))
    queue = response.context["queue"]
    refs = [item["label"].split()[0] for item in queue if item["process"] == "Feilmelding"]
    assert refs == [breached.reference, on_track.reference]
    assert queue[0]["sla"].state == "breached"
    assert "Brutt" in response.content.decode()


def test_lanekassen_sees_escalations(client_for, bank_member, bits_user, lk_user):
    report = _report(bank_member)
    incidents.incident_take(report=report, by=bits_user)
    incidents.incident_escalate(report=report, by=bits_user, note="Feil i reskontro")
    _report(bank_member, summary="Ikke eskalert")
    queue = _queue(client_for(lk_user).get(reverse("dashboard")))
    assert queue == [(f"{report.reference} Testbank A", report.get_absolute_url())]


@pytest.mark.parametrize("persona", ["bank_member", "bits", "lanekassen"])
def test_home_page_runs_the_same_number_of_queries_for_10_and_1000_rows(
        client_for, personas, bank, persona):
    """Rows of both kinds the home page reads: error reports in every status (waiting for the
    bank, in Bits' queue, escalated to Lånekassen) and API calls."""
    client = client_for(personas[persona])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("dashboard"))
            assert response.status_code == 200
        return response, ctx.captured_queries

    def rows(n, start):
        bulk_error_reports(n, reporter=personas["bank_member"], assignee=personas["bits"],
                           start=start)
        LookupLog.objects.bulk_create([LookupLog(
            organisation=bank, environment="production", request_id=f"r{start + i}",
            status=200, latency_ms=20) for i in range(n)])
        lookup_rollup_tick()

    rows(10, start=1)
    client.get(reverse("dashboard"))
    _response, few = count()
    rows(990, start=100)
    response, many = count()
    assert len(many) == len(few), "\n".join(q["sql"] for q in many)
    assert response.context["queue"], "the page lists what waits (not an empty state)"
