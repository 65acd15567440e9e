"""Invitations (the only way in), and the language switch."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from casework.models import AuditEvent
from notifications.models import OutboxMessage
from tests.factories import member_of

INVITATIONS = "/konto/invitasjoner/"
NEW_PASSWORD = "et-nytt-og-langt-passord-7"


def accept_url(invitation):
    return f"/konto/invitasjon/{invitation.token}/"


def invite(client, organisation, email="ny@bank-a.example.com", role="member", name="Ny Person"):
    return client.post(INVITATIONS, {"organisation": organisation.pk, "email": email,
                                     "name": name, "role": role})


@pytest.fixture
def invitation(bank, bank_admin):
    return Invitation.objects.create(organisation=bank, email="ny@bank-a.example.com",
                                     name="Ny Person", invited_by=bank_admin)


# --- the invitations page ---------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), [
    ("bank_member", 404), ("bank_admin", 200), ("other_bank_member", 404), ("bits_user", 200),
    ("lk_user", 404), ("lk_admin", 200),
])
def test_invitations_page_per_persona(request, who, status, client_for):
    response = client_for(request.getfixturevalue(who)).get(INVITATIONS)
    assert response.status_code == status


def test_anonymous_is_sent_to_login_from_invitations(client, db):
    response = client.get(INVITATIONS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_bank_admin_sees_own_members_and_invitations_only(client_for, bank_admin, bank_member,
                                                         other_bank_member, other_bank):
    Invitation.objects.create(organisation=other_bank, email="hemmelig@bank-b.example.com")
    body = client_for(bank_admin).get(INVITATIONS).content.decode()
    assert bank_member.email in body
    assert other_bank_member.email not in body
    assert "hemmelig@bank-b.example.com" not in body


def test_bank_admin_invites_to_own_bank(client_for, bank_admin, bank):
    response = invite(client_for(bank_admin), bank)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.organisation == bank
    assert invitation.invited_by == bank_admin
    assert invitation.email == "ny@bank-a.example.com"
    mail = OutboxMessage.objects.get(to="ny@bank-a.example.com")
    assert accept_url(invitation) in mail.body
    assert AuditEvent.objects.filter(verb="invitation_created", actor=bank_admin).exists()


def test_bank_admin_cannot_invite_to_another_bank(client_for, bank_admin, other_bank):
    response = invite(client_for(bank_admin), other_bank, email="inntrenger@example.com")
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert "Organisasjon: Velg et gyldig valg." in response.content.decode()
    assert not Invitation.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_bank_member_cannot_invite(client_for, bank_member, bank):
    response = invite(client_for(bank_member), bank)
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_bits_invites_to_banks_and_bits_but_not_lanekassen(client_for, bits_user, other_bank,
                                                           bits_org, lanekassen_org):
    client = client_for(bits_user)
    assert invite(client, other_bank, email="a@bank-b.example.com").status_code == 302
    assert invite(client, bits_org, email="b@bits.example.com",
                  role="admin").status_code == 302
    # Only Lånekassen's own admin invites Lånekassen users (tests/security).
    assert invite(client, lanekassen_org, email="c@lanekassen.example.com",
                  role="admin").status_code == 200
    assert {(i.organisation, i.role) for i in Invitation.objects.all()} == {
        (other_bank, "member"), (bits_org, "admin")}


def test_bits_sees_the_organisation_choice(client_for, bits_user, bank, other_bank):
    form = client_for(bits_user).get(INVITATIONS).context["form"]
    assert set(form.fields["organisation"].queryset) >= {bank, other_bank}


def test_invitation_to_an_existing_email_is_answered_as_any_and_its_owner_is_told(
        client_for, bank_admin, bank, bank_member):
    # The inviter learns nothing about who has an account (issue 14); the owner gets a mail
    # without the link instead of an invitation it could not use.
    response = invite(client_for(bank_admin), bank, email=bank_member.email.upper())
    assert response.status_code == 302
    assert Invitation.objects.get().email == bank_member.email
    [mail] = OutboxMessage.objects.filter(to=bank_member.email)
    assert "/konto/invitasjon/" not in mail.body


def test_invitation_with_a_bad_email_says_so(client_for, bank_admin, bank):
    response = invite(client_for(bank_admin), bank, email="ikke-en-adresse")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert 'value="ikke-en-adresse"' in response.content.decode()
    assert not Invitation.objects.exists()


# --- accepting --------------------------------------------------------------------------------

def test_invitation_page_shows_who_is_invited(client, invitation):
    response = client.get(accept_url(invitation))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Testbank A" in body and "ny@bank-a.example.com" in body


def test_accepting_creates_user_and_membership_and_logs_in(client, invitation, bank):
    response = client.post(accept_url(invitation), {
        "name": "Nora Ny", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email="ny@bank-a.example.com")
    assert user.name == "Nora Ny"
    assert user.check_password(NEW_PASSWORD)
    assert user.membership.organisation == bank
    assert user.membership.role == Membership.Role.MEMBER
    assert client.session[SESSION_KEY] == str(user.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert client.get("/feilmeldinger/").status_code == 200


def test_invited_user_can_log_in_again_with_email_and_password(client, invitation):
    client.post(accept_url(invitation), {"name": "Nora Ny", "password1": NEW_PASSWORD,
                                         "password2": NEW_PASSWORD})
    client.post("/accounts/logout/")
    assert SESSION_KEY not in client.session
    client.post("/accounts/login/", {"login": "ny@bank-a.example.com", "password": NEW_PASSWORD})
    assert client.session[SESSION_KEY] == str(User.objects.get(email="ny@bank-a.example.com").pk)


def test_accepting_an_admin_invitation_gives_the_admin_role(client, bank, bits_user):
    invitation = Invitation.objects.create(organisation=bank, email="sjef@bank-a.example.com",
                                           role=Membership.Role.ADMIN, invited_by=bits_user)
    client.post(accept_url(invitation), {"name": "Sjef", "password1": NEW_PASSWORD,
                                         "password2": NEW_PASSWORD})
    assert User.objects.get(email="sjef@bank-a.example.com").membership.role == "admin"


def test_new_bits_user_is_sent_to_set_up_totp_after_accepting(client, bits_org, bits_user):
    invitation = Invitation.objects.create(organisation=bits_org, email="ny@bits.example.com",
                                           invited_by=bits_user)
    response = client.post(accept_url(invitation), {
        "name": "Ny i Bits", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_used_invitation_shows_the_invalid_page(client, invitation):
    client.post(accept_url(invitation), {"name": "Nora Ny", "password1": NEW_PASSWORD,
                                         "password2": NEW_PASSWORD})
    client.post("/accounts/logout/")
    response = client.get(accept_url(invitation))
    assert response.status_code == 404
    assert "Invitasjonen virker ikke" in response.content.decode()
    again = client.post(accept_url(invitation), {"name": "Igjen", "password1": NEW_PASSWORD,
                                                 "password2": NEW_PASSWORD})
    assert again.status_code == 404
    assert User.objects.filter(email="ny@bank-a.example.com").count() == 1


def test_expired_invitation_shows_the_invalid_page(client, invitation):
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    response = client.post(accept_url(invitation), {
        "name": "Nora Ny", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404
    assert "Invitasjonen virker ikke" in response.content.decode()
    assert not User.objects.filter(email="ny@bank-a.example.com").exists()


def test_unknown_token_shows_the_invalid_page(client, db):
    response = client.get("/konto/invitasjon/finnes-ikke/")
    assert response.status_code == 404
    assert "Invitasjonen virker ikke" in response.content.decode()


def test_accepting_with_mismatched_passwords_keeps_the_name_and_says_why(client, invitation):
    response = client.post(accept_url(invitation), {
        "name": "Nora Ny", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Passordene er ikke like." in body
    assert 'value="Nora Ny"' in body
    assert not User.objects.filter(email="ny@bank-a.example.com").exists()


def test_accepting_with_a_weak_password_is_refused(client, invitation):
    response = client.post(accept_url(invitation), {
        "name": "Nora Ny", "password1": "kort", "password2": "kort"})
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email="ny@bank-a.example.com").exists()


def test_accepting_when_the_email_got_an_account_meanwhile_is_refused(client, invitation,
                                                                      other_bank):
    member_of(other_bank, email="ny@bank-a.example.com")
    response = client.post(accept_url(invitation), {
        "name": "Nora Ny", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert "Det finnes allerede en bruker med denne e-postadressen." in response.content.decode()
    assert SESSION_KEY not in client.session
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


# --- language ---------------------------------------------------------------------------------

def test_pages_are_in_norwegian_by_default(client_for, bank_member):
    body = client_for(bank_member).get("/").content.decode()
    assert '<html lang="nb"' in body


def test_language_switch_to_english(client_for, bank_member):
    client = client_for(bank_member)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/feilmeldinger/"})
    assert response.status_code == 302
    assert response["Location"] == "/feilmeldinger/"
    body = client.get("/feilmeldinger/").content.decode()
    assert '<html lang="en"' in body


def test_language_switch_works_before_login(client, db):
    client.post("/i18n/setlang/", {"language": "en"})
    assert '<html lang="en"' in client.get("/accounts/login/").content.decode()


def test_language_switch_is_allowed_for_staff_without_totp(client_for, bits_org):
    client = client_for(member_of(bits_org, email="ny@bits.example.com"))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
