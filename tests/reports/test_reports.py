"""The reports against figures worked out by hand, their date ranges, CSV, who may see them,
and constant queries for 10 and for 1,000 rows."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from balances.models import LookupLog
from balances.rollup import lookup_rollup_tick
from incidents import services
from reports.selectors.cases import sla_report

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


def oslo(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        def set(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


def _critical(by):
    return services.incident_report(
        by=by, environment="production", severity="critical", occurred_at=timezone.now(),
        request_ids=["req-1"], summary="Saldo mangler", description="Tom saldo.")


def test_sla_report_counts_business_hours_across_a_weekend_and_leaves_out_the_pause(
        clock, bank_member, bits_user):
    """Critical: first response 30 min, resolution 4 h (240 min) in opening hours
    (winter: 08:00–15:45).

    A: reported Friday 10 Jan 2025 15:30, taken Monday 08:20 → 15 + 20 = 35 min (breached over
    the weekend); asked the bank 09:00, it replied 11:00 (120 min paused); resolved 13:00 →
    15 + 300 − 120 = 195 min (within target).
    B: reported Tuesday 14 Jan 09:00, taken 09:10 → 10 min (within); resolved 14:00 → 300 min
    (breached).
    """
    clock.set(oslo(2025, 1, 10, 15, 30))
    a = _critical(bank_member)
    clock.set(oslo(2025, 1, 13, 8, 20))
    services.incident_take(report=a, by=bits_user)
    clock.set(oslo(2025, 1, 13, 9, 0))
    services.incident_request_info(report=a, by=bits_user, message="Logg?")
    clock.set(oslo(2025, 1, 13, 11, 0))
    services.incident_bank_reply(report=a, by=bank_member, message="Her.")
    clock.set(oslo(2025, 1, 13, 13, 0))
    services.incident_resolve(report=a, by=bits_user, guidance="Rettet.")
    clock.set(oslo(2025, 1, 14, 9, 0))
    b = _critical(bank_member)
    clock.set(oslo(2025, 1, 14, 9, 10))
    services.incident_take(report=b, by=bits_user)
    clock.set(oslo(2025, 1, 14, 14, 0))
    services.incident_resolve(report=b, by=bits_user, guidance="Rettet.")

    table = sla_report(user=bits_user, start=date(2025, 1, 1), end=date(2025, 1, 31))["tables"][0]
    assert table.rows == [["2025-01", "feilmeldinger", "Kritisk", 2,
                           1, 50.0, 0.375, 0.58, 1, 50.0, 4.125, 5.0]]


def _calls(org, n, *, status=200, day=None):
    day = day or timezone.localdate()
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=9)
    LookupLog.objects.bulk_create([LookupLog(
        organisation=org, created_at=moment, environment="production", request_id=f"x{i}",
        status=status, latency_ms=40, api_key_prefix=f"key{i % 3}") for i in range(n)])


def test_api_usage_report_shows_calls_error_share_latency_and_keys(client_for, bits_user, bank,
                                                                    other_bank):
    _calls(bank, 8)
    _calls(bank, 2, status=401)
    _calls(other_bank, 5, status=500)
    lookup_rollup_tick()
    response = client_for(bits_user).get(reverse("reports:report", args=["api-bruk"]))
    assert response.status_code == 200
    rows = {r[0]: r for r in response.context["result"]["tables"][0].rows}
    # Bank, environment, calls, error %, 401 %, 500 %, median, p95, keys.
    assert rows["Testbank A"] == ["Testbank A", "Produksjon", 10, 20.0, 20.0, 0.0, 37.5, 48.8, 3]
    assert rows["Testbank B"][2:6] == [5, 100.0, 0.0, 100.0]


def test_api_usage_report_can_be_narrowed_to_one_bank_with_its_field(client_for, bits_user,
                                                                    bank, other_bank):
    _calls(bank, 4)
    _calls(other_bank, 5, status=500)
    lookup_rollup_tick()
    client = client_for(bits_user)
    url = reverse("reports:report", args=["api-bruk"])
    page = client.get(url).content.decode()
    assert '<label' in page and 'for="id_bank"' in page and "Alle banker" in page

    response = client.get(url, {"bank": other_bank.pk})
    assert response.status_code == 200
    assert [r[0] for r in response.context["result"]["tables"][0].rows] == ["Testbank B"]
    assert "for Testbank B." in response.content.decode()
    # The CSV link carries the choice.
    csv = client.get(url + "?" + response.context["query"] + "&format=csv&table=api")
    assert "Testbank B" in csv.content.decode("utf-8-sig")
    assert "Testbank A" not in csv.content.decode("utf-8-sig")


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1.5"])
def test_a_bank_that_is_not_in_the_list_gets_a_clear_message(client_for, bits_user, value):
    response = client_for(bits_user).get(reverse("reports:report", args=["api-bruk"]),
                                         {"bank": value})
    assert response.status_code == 400
    assert "Vi fant ikke den banken" in response.content.decode()
    assert response.context["result"] is None


def test_an_organisation_that_is_not_a_bank_is_refused(client_for, bits_user):
    bits = bits_user.membership.organisation  # Bits: refused like an unknown bank
    response = client_for(bits_user).get(reverse("reports:report", args=["api-bruk"]),
                                         {"bank": bits.pk})
    assert response.status_code == 400


def test_csv_export_has_the_table_and_neutralises_formulas(client_for, bits_user, bank):
    bank.name = "=Bank"
    bank.save()
    _calls(bank, 3)
    response = client_for(bits_user).get(reverse("reports:report", args=["api-bruk"]),
                                         {"format": "csv", "table": "api"})
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Bank;Miljø;Kall")
    assert "'=Bank;Produksjon;3" in body


@pytest.mark.parametrize("params, message", [
    ({"fra": "2025-03-01", "til": "2025-02-01"}, "Til-datoen er før fra-datoen"),
    ({"fra": "2019-01-01", "til": "2025-01-01"}, "høyst fem år"),
])
def test_a_bad_range_gets_a_clear_message(client_for, bits_user, params, message):
    response = client_for(bits_user).get(reverse("reports:report", args=["sla"]), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_exactly_five_years_is_allowed(client_for, bits_user):
    response = client_for(bits_user).get(reverse("reports:report", args=["saksmengde"]),
                                         {"fra": "2020-01-01", "til": "2024-12-31"})
    assert response.status_code == 200


@pytest.mark.parametrize("slug", ["sla", "saksmengde", "api-bruk", "onboarding",
                                  "driftsmeldinger", "faq", "endringsonsker"])
def test_every_report_opens_for_bits_and_lanekassen(client_for, bits_user, lk_user, slug):
    for user in (bits_user, lk_user):
        response = client_for(user).get(reverse("reports:report", args=[slug]))
        assert response.status_code == 200
        assert 'role="img"' in response.content.decode()


def test_banks_and_strangers_get_404_on_reports(client_for, bank_member, bank_admin):
    for user in (bank_member, bank_admin):
        assert client_for(user).get(reverse("reports:index")).status_code == 404
        assert client_for(user).get(
            reverse("reports:report", args=["api-bruk"])).status_code == 404
    response = client_for(None).get(reverse("reports:index"))
    assert response.status_code == 302


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _reports(org, by, n, start=0):
    from incidents.models import ErrorReport

    now = timezone.now()
    ErrorReport.objects.bulk_create([ErrorReport(
        reference=f"FM-T-{start + i:05}", organisation=org, reported_by=by,
        environment="production", severity="high", occurred_at=now, summary="s",
        description="d", status="resolved", created_at=now - timedelta(hours=i % 48),
        first_response_at=now, resolved_at=now) for i in range(n)])


@pytest.mark.parametrize("slug", ["api-bruk", "saksmengde", "sla", "onboarding",
                                  "driftsmeldinger", "faq", "endringsonsker"])
def test_reports_run_the_same_number_of_queries_for_10_and_1000_rows(
        client_for, bits_user, bank, bank_member, slug):
    client = client_for(bits_user)
    url = reverse("reports:report", args=[slug])
    _calls(bank, 10)
    _reports(bank, bank_member, 10)
    lookup_rollup_tick()
    client.get(url)  # sessions, content types and the calendar are read once
    few = _queries(client, url)
    _calls(bank, 990, day=timezone.localdate() - timedelta(days=3))
    _reports(bank, bank_member, 990, start=10)
    lookup_rollup_tick()
    assert _queries(client, url) == few
