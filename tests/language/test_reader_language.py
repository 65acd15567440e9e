"""Issue 15, item 5: each person reads notifications and e-mails in their own language (the one
saved on their profile), whoever caused them; and the Norwegian UI is Norwegian throughout."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import User
from incidents import services as incidents
from notifications.models import Notification, OutboxMessage
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def _report(by):
    return incidents.incident_report(
        by=by, environment="test", severity="normal",
        occurred_at=timezone.now() - timedelta(hours=1), request_ids=["req-1"],
        summary="401 på saldooppslag", description="Alle kall gir 401.")


@pytest.fixture
def english_handler(bits_org):
    return member_of(bits_org, totp=True, email="english@bits.example.com", language="en")


@pytest.fixture
def norwegian_handler(bits_org):
    return member_of(bits_org, totp=True, email="norsk@bits.example.com")


def test_a_stored_notification_shows_in_the_readers_language(client_for, bank_member,
                                                             english_handler):
    report = _report(bank_member)
    incidents.incident_take(report=report, by=english_handler)
    incidents.incident_request_info(report=report, by=english_handler, message="Hvilket fnr?")
    # The bank answers in Norwegian; the handler reads English.
    with translation.override("nb"):
        incidents.incident_bank_reply(report=report, by=bank_member, message="Fnr 041253.")

    told = Notification.objects.filter(recipient=english_handler).order_by("pk").last()
    assert told.title == f"{report.reference}: The bank has replied"
    page = client_for(english_handler).get("/varsler/").content.decode()
    assert "The bank has replied" in page
    assert "Banken har svart" not in page


def test_an_email_to_an_english_reader_is_english_and_the_norwegian_colleagues_norwegian(
        bank_member, english_handler, norwegian_handler):
    with translation.override("nb"):
        report = _report(bank_member)

    english = OutboxMessage.objects.get(to=english_handler.email)
    norwegian = OutboxMessage.objects.get(to=norwegian_handler.email)
    bank_name = bank_member.organisation.name
    assert english.subject == f"{report.reference}: New error report from {bank_name}"
    assert "Hello " in english.body and "Open the case:" in english.body
    assert "Hei " not in english.body and "Åpne saken:" not in english.body
    assert norwegian.subject == f"{report.reference}: Ny feilmelding fra {bank_name}"
    assert "Hei " in norwegian.body and "Åpne saken:" in norwegian.body
    # In the portal, too.
    assert Notification.objects.get(recipient=english_handler).title.endswith(
        f"New error report from {bank_name}")
    assert Notification.objects.get(recipient=norwegian_handler).title.endswith(
        f"Ny feilmelding fra {bank_name}")


def test_an_english_actor_does_not_make_a_norwegian_readers_mail_english(
        bank_member, english_handler):
    report = _report(bank_member)
    incidents.incident_take(report=report, by=english_handler)
    with translation.override("en"):
        incidents.incident_request_info(report=report, by=english_handler, message="Which?")
    mail = OutboxMessage.objects.filter(to=bank_member.email).order_by("pk").last()
    assert mail.subject == f"{report.reference}: Bits trenger mer informasjon"
    assert "Hei " in mail.body


def test_switching_language_while_logged_in_is_saved_on_the_profile(client_for, bank_member):
    client = client_for(bank_member)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=bank_member.pk).language == "en"
    client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    assert User.objects.get(pk=bank_member.pk).language == "nb"


def test_a_new_session_starts_in_the_language_on_the_profile(client_for, bank_member):
    User.objects.filter(pk=bank_member.pk).update(language="en")
    response = client_for(bank_member).get("/konto/profil/")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_settings_use_nb_and_the_password_message_follows_the_ui(settings, language):
    assert settings.LANGUAGE_CODE == "nb"
    assert [code for code, _name in settings.LANGUAGES] == ["nb", "en"]
    with translation.override(language), pytest.raises(ValidationError) as raised:
        validate_password("a1")
    text = " ".join(raised.value.messages)
    if language == "nb":
        assert "too short" not in text and "for kort" in text
    else:
        assert "too short" in text


@pytest.mark.parametrize("profile, browser, said", [
    ("nb", "en-US,en;q=0.9", "Logget inn som"),
    ("en", "nb-NO,nb;q=0.9", "Successfully signed in as"),
])
def test_what_the_login_says_is_in_the_persons_language_not_the_browsers(
        client, bank, profile, browser, said):
    from django.urls import reverse

    from tests.factories import PASSWORD

    user = member_of(bank, email=f"{profile}@bank.example.com", language=profile)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD},
                           HTTP_ACCEPT_LANGUAGE=browser, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(said in text for text in shown), shown
