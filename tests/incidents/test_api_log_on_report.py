"""C.1: the error report page shows the Saldo API log lines for the request ids the bank gave."""

import pytest
from django.utils import timezone

from balances.models import LookupLog
from incidents import services


@pytest.fixture
def report(bank_member):
    return services.incident_report(
        by=bank_member, environment="test", severity="high", occurred_at=timezone.now(),
        request_ids=["req-feil-1", "req-feil-2"], summary="500 fra API-et",
        description="To kall feilet.")


def _log(organisation, request_id, status):
    return LookupLog.objects.create(organisation=organisation, environment="test",
                                    request_id=request_id, status=status, latency_ms=12.5,
                                    error="Intern feil" if status == 500 else "")


@pytest.mark.parametrize("who", ["bank_member", "bits"])
def test_report_page_shows_the_banks_log_lines_for_its_request_ids(
        report, personas, client_for, bank, other_bank, who):
    _log(bank, "req-feil-1", 500)
    _log(bank, "req-annet", 200)           # another call of the bank: not in the report
    _log(other_bank, "req-feil-2", 500)    # same id from another bank: never shown
    page = client_for(personas[who]).get(report.get_absolute_url()).content.decode()
    assert "req-feil-1" in page and "Intern feil" in page
    assert "req-annet" not in page
    assert page.count("<code>req-feil-2</code>") == 1  # only in the facts list, not as a log line


def test_report_page_says_when_no_call_is_logged(report, bank_member, client_for):
    page = client_for(bank_member).get(report.get_absolute_url()).content.decode()
    assert "Ingen kall i loggen" in page

