"""Finding 3: spreadsheet formula injection in CSV exports. Every cell that starts like a
formula (= + - @, tab, CR) is written with a leading apostrophe, so it is shown as text."""

import csv
import io
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.utils import timezone

from accounts.models import Membership
from incidents import services
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def test_csv_safe_quotes_formula_starts():
    from casework.csvexport import csv_safe

    for value in ["=1+1", "+1+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]:
        assert csv_safe(value) == "'" + value
    for value in ["Testbank A", "req-abc-1", "", "1-2", "a=b"]:
        assert csv_safe(value) == value
    assert csv_safe(None) == ""
    # Numbers we compute are not user text: they stay numbers.
    assert csv_safe(42) == 42
    assert csv_safe(-4.5) == -4.5


def test_csv_writer_applies_csv_safe_to_every_cell():
    from casework.csvexport import csv_writer

    response = HttpResponse(content_type="text/csv")
    csv_writer(response).writerows([["=A", "+B", "ok"], ["@C", "-D", None]])
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert rows == [["'=A", "'+B", "ok"], ["'@C", "'-D", ""]]


def test_incident_export_quotes_bank_name_and_request_ids(client_for, bits_user, bank):
    bank.name = '=HYPERLINK("https://evil.example","Klikk")'
    bank.save()
    reporter = member_of(bank, role=Membership.Role.MEMBER, email="r@bank-a.example.com")
    report = services.incident_report(
        by=reporter, environment="test", severity="high",
        occurred_at=timezone.now() - timedelta(hours=1), request_ids=["+1+1"],
        summary="@SUM(1)", description="x")
    response = client_for(bits_user).get("/feilmeldinger/eksport.csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    [row] = [r for r in rows[1:] if r[0] == report.reference]
    assert row[1] == "'" + bank.name
    assert row[5] == "'@SUM(1)"
    assert row[10] == "'+1+1"
    for cell in row:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
