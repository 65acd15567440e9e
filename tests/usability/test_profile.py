"""Issue 15, item 9: the profile page — name, language, e-mail preferences (in the portal
always), and links to password, e-mail address, second factor and the notice feeds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.profiles import user_profile_update
from casework.errors import DomainError
from incidents import services as incidents
from notifications.models import Notification, OutboxMessage
from notifications.services import notify

pytestmark = pytest.mark.django_db


def test_the_profile_page_links_password_email_second_factor_and_feeds(client_for, bank_member):
    html = client_for(bank_member).get("/konto/profil/").content.decode()
    for href in ("/accounts/password/change/", "/accounts/email/", "/accounts/2fa/",
                 "/driftsmeldinger/abonnement/"):
        assert f'href="{href}"' in html, href


def test_every_page_links_to_the_profile(client_for, bank_member):
    assert 'href="/konto/profil/"' in client_for(bank_member).get("/").content.decode()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/konto/profil/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_saving_the_profile_changes_name_language_and_email_choices(client_for, bank_member):
    response = client_for(bank_member).post("/konto/profil/", {
        "name": "Kari Nordmann", "language": "en",
        "email_kinds": ["questions.question"]})
    assert response.status_code == 302
    user = User.objects.get(pk=bank_member.pk)
    assert (user.name, user.language) == ("Kari Nordmann", "en")
    assert "incidents.errorreport" in user.email_opt_out
    assert "questions.question" not in user.email_opt_out
    # Security breaches cannot be turned off, so they are not even offered.
    assert "incidents.breach" not in user.email_opt_out


def test_an_unknown_language_is_refused(client_for, bank_member):
    response = client_for(bank_member).post("/konto/profil/", {"name": "", "language": "xx"})
    assert response.status_code == 200 and "data-error-summary" in response.content.decode()
    assert User.objects.get(pk=bank_member.pk).language == "nb"


def test_nobody_changes_someone_elses_profile(bank_member, other_bank_member):
    with pytest.raises(DomainError):
        user_profile_update(user=bank_member, by=other_bank_member, name="x", language="nb",
                            email_kinds_wanted=[])


def test_an_opted_out_kind_is_told_in_the_portal_but_not_by_email(bank_member, bits_user):
    User.objects.filter(pk=bits_user.pk).update(email_opt_out=["incidents.errorreport"])
    report = incidents.incident_report(
        by=bank_member, environment="test", severity="normal",
        occurred_at=timezone.now() - timedelta(hours=1), request_ids=["req-1"],
        summary="401", description="Alle kall gir 401.")
    assert Notification.objects.filter(recipient=bits_user).count() == 1
    assert not OutboxMessage.objects.filter(to=bits_user.email).exists()
    assert report.reference in Notification.objects.get(recipient=bits_user).title


def test_a_critical_event_is_mailed_even_to_someone_who_opted_out(bits_user):
    User.objects.filter(pk=bits_user.pk).update(email_opt_out=["incidents.breach"])
    bits_user.refresh_from_db()
    notify(users=[bits_user], title="Sikkerhetsbrudd", url="/", key="incidents.breach:1:2",
           critical=True)
    assert OutboxMessage.objects.filter(to=bits_user.email).exists()
