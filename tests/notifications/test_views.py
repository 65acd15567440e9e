"""The notification list, opening one (marks it read, goes to its case), and marking all read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import services
from notifications.models import Notification


@pytest.fixture
def report(bank_member, bits_user):
    """Reporting tells every Bits handler; taking it tells the bank."""
    report = services.incident_report(
        by=bank_member, environment="test", severity="high",
        occurred_at=timezone.now() - timedelta(hours=1), request_ids=["req-1"],
        summary="Tomt svar", description="Saldo er tom.")
    return services.incident_take(report=report, by=bits_user)


def test_anonymous_is_sent_to_login_from_notifications(client, db):
    for response in (client.get("/varsler/"), client.post("/varsler/les-alle/"),
                     client.post("/varsler/1/")):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["bank_member", "bank_admin", "other_bank_member", "bits_user",
                                 "lk_user"])
def test_notification_list_renders_for_every_persona(request, who, client_for, report):
    response = client_for(request.getfixturevalue(who)).get("/varsler/")
    assert response.status_code == 200
    assert "Varsler" in response.content.decode()


def test_each_person_sees_only_own_notifications(client_for, report, bank_member, bits_user,
                                                 other_bank_member):
    bits_body = client_for(bits_user).get("/varsler/").content.decode()
    assert f"{report.reference}: Ny feilmelding fra Testbank A" in bits_body
    bank_body = client_for(bank_member).get("/varsler/").content.decode()
    assert f"{report.reference}: Bits behandler feilmeldingen" in bank_body
    assert "Ny feilmelding fra" not in bank_body
    other = client_for(other_bank_member).get("/varsler/")
    assert report.reference not in other.content.decode()
    assert "Du har ingen varsler." in other.content.decode()


def test_header_shows_the_unread_count(client_for, report, bank_member):
    response = client_for(bank_member).get("/")
    assert response.context["unread_notification_count"] == 1
    assert "1 ulest" in response.content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_the_case(client_for, report,
                                                                    bank_member):
    notification = Notification.objects.get(recipient=bank_member)
    response = client_for(bank_member).post(f"/varsler/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_is_a_link_that_marks_it_read_when_followed(client_for, report,
                                                                  bank_member):
    # Issue 15: notifications are links (they open in a new tab), no longer POST buttons.
    notification = Notification.objects.get(recipient=bank_member)
    page = client_for(bank_member).get("/varsler/").content.decode()
    assert f'href="/varsler/{notification.pk}/"' in page
    response = client_for(bank_member).get(f"/varsler/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_gets_404(client_for, report, bits_user, other_bank_member):
    notification = Notification.objects.get(recipient=bits_user)
    response = client_for(other_bank_member).post(f"/varsler/{notification.pk}/")
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_notification_with_an_outside_url_does_not_redirect_there(client_for, bank_member):
    notification = Notification.objects.create(recipient=bank_member, title="Lenke",
                                               url="https://evil.example.com/")
    response = client_for(bank_member).post(f"/varsler/{notification.pk}/")
    assert response["Location"] == "/varsler/"


def test_mark_all_read_marks_only_own(client_for, report, bank_member, bits_user):
    Notification.objects.create(recipient=bank_member, title="Annen", url="/")
    response = client_for(bank_member).post("/varsler/les-alle/")
    assert response.status_code == 302
    assert response["Location"] == "/varsler/"
    assert not Notification.objects.filter(recipient=bank_member, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=bits_user, read_at__isnull=True).exists()
    assert client_for(bank_member).get("/").context["unread_notification_count"] == 0


def test_notification_list_pages_by_30(client_for, bank_member):
    Notification.objects.bulk_create(
        [Notification(recipient=bank_member, title=f"Varsel {i}", url="/") for i in range(32)])
    client = client_for(bank_member)
    first = client.get("/varsler/")
    assert len(first.context["page"].object_list) == 30
    assert "?side=2" in first.content.decode()
    assert len(client.get("/varsler/", {"side": 2}).context["page"].object_list) == 2
