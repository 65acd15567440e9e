from django.utils import timezone

from incidents import services
from incidents.models import Status


def test_bank_member_reports_and_bits_sees_it(bank_member, bits_user, client_for):
    report = services.incident_report(
        by=bank_member, environment="test", severity="high", occurred_at=timezone.now(),
        request_ids=["abc-123"], summary="401 på alle kall", description="Alle kall feiler.",
    )
    assert report.reference.startswith("FM-")
    assert report.status == Status.NEW
    response = client_for(bits_user).get("/feilmeldinger/")
    assert response.status_code == 200
    assert report.reference in response.content.decode()
    detail = client_for(bits_user).get(report.get_absolute_url())
    assert detail.status_code == 200
    assert "Ta saken" in detail.content.decode()
