"""Logging in and out through allauth: e-mail and password, TOTP for Bits and Lånekassen, rate
limits on failures, password reset by e-mail, no open sign-up, and no password-only admin login."""

from django.contrib.auth import SESSION_KEY
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD
from tests.support.totp import totp_now

LOGIN = "/accounts/login/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"


def logged_in_as(client):
    return client.session.get(SESSION_KEY)


def login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_login_page_renders_for_anonymous(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_bank_member_logs_in_with_email_and_password(client, bank_member):
    response = login(client, "member@bank-a.example.com")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_as(client) == str(bank_member.pk)
    assert client.get("/").status_code == 200


def test_login_is_case_insensitive_for_the_email(client, bank_member):
    login(client, "Member@Bank-A.example.com")
    assert logged_in_as(client) == str(bank_member.pk)


def test_wrong_password_is_refused_with_a_message(client, bank_member):
    response = login(client, bank_member.email, "feil-passord-123")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert logged_in_as(client) is None


def test_inactive_user_cannot_log_in(client, bank_member):
    bank_member.is_active = False
    bank_member.save()
    login(client, bank_member.email)
    assert logged_in_as(client) is None


def test_logout_needs_post_and_ends_the_session(client, bank_member):
    login(client, bank_member.email)
    assert client.get("/accounts/logout/").status_code == 200  # a confirmation page, no logout
    assert logged_in_as(client) == str(bank_member.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_as(client) is None
    assert client.get("/").status_code == 302


def test_password_reset_sends_a_mail_with_a_link(client, bank_member):
    response = client.post("/accounts/password/reset/", {"email": bank_member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [bank_member.email]
    assert message.subject.startswith("[Saldo forvaltning] ")
    assert "/accounts/password/reset/key/" in message.body


def test_password_reset_link_sets_a_new_password(client, bank_member):
    client.post("/accounts/password/reset/", {"email": bank_member.email})
    link = next(w for w in mail.outbox[0].body.split() if "/accounts/password/reset/key/" in w)
    path = link[link.index("/accounts/"):]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    new = "helt-nytt-passord-42"
    response = client.post(action, {"password1": new, "password2": new})
    assert response.status_code == 302
    bank_member.refresh_from_db()
    assert bank_member.check_password(new)


def test_password_reset_for_an_unknown_address_sends_no_reset_link(client, db):
    client.post("/accounts/password/reset/", {"email": "ukjent@example.com"})
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_there_is_no_open_sign_up(client, db):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert 'name="password1"' not in page.content.decode()
    client.post("/accounts/signup/", {"email": "ny@example.com", "password1": PASSWORD,
                                      "password2": PASSWORD})
    assert not User.objects.filter(email="ny@example.com").exists()
    assert logged_in_as(client) is None


def test_failed_logins_are_rate_limited_per_account(client, bank_member):
    for _ in range(5):
        response = login(client, bank_member.email, "feil-passord-123")
        assert response.status_code == 200
    # Even the right password is refused for a while now.
    response = login(client, bank_member.email)
    assert response.status_code == 200
    assert logged_in_as(client) is None
    assert "For mange innloggingsforsøk" in response.content.decode()


def test_failed_logins_for_one_account_do_not_lock_another(client, bank_member, bank_admin):
    for _ in range(5):
        login(client, bank_member.email, "feil-passord-123")
    login(client, bank_admin.email)
    assert logged_in_as(client) == str(bank_admin.pk)


def test_bits_user_logs_in_with_password_then_totp_code(client, bits_user):
    response = login(client, bits_user.email)
    assert response.status_code == 302
    assert response["Location"] == MFA_AUTHENTICATE
    assert logged_in_as(client) is None  # the password alone is not enough
    response = client.post(MFA_AUTHENTICATE, {"code": totp_now()})
    assert response.status_code == 302
    assert logged_in_as(client) == str(bits_user.pk)
    assert client.get("/feilmeldinger/").status_code == 200


def test_wrong_totp_code_does_not_log_in(client, lk_user):
    login(client, lk_user.email)
    code = totp_now()
    wrong = f"{(int(code) + 500000) % 1000000:06d}"
    response = client.post(MFA_AUTHENTICATE, {"code": wrong})
    assert response.status_code == 200
    assert logged_in_as(client) is None


def test_bank_member_without_totp_is_not_asked_for_a_code(client, bank_member):
    response = login(client, bank_member.email)
    assert response["Location"] == "/"


def test_admin_login_goes_through_allauth(client, lk_admin):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 302  # on to allauth's login


def test_admin_login_form_does_not_accept_a_password_alone(client, lk_admin):
    response = client.post("/admin/login/", {"username": lk_admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert logged_in_as(client) is None


def test_logged_in_user_cannot_switch_to_an_admin_by_password_alone(client_for, bank_member,
                                                                     lk_admin):
    client = client_for(bank_member)
    response = client.post("/admin/login/", {"username": lk_admin.email, "password": PASSWORD})
    # Told the admin is not for them (a redirect to the login would loop back here).
    assert response.status_code == 403
    assert logged_in_as(client) == str(bank_member.pk)


def test_lanekassen_admin_reaches_the_admin_after_password_and_totp(client, lk_admin):
    login(client, lk_admin.email)
    client.post(MFA_AUTHENTICATE, {"code": totp_now()})
    assert logged_in_as(client) == str(lk_admin.pk)
    assert client.get("/admin/").status_code == 200
