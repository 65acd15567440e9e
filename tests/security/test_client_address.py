"""Finding 9: the login limits (allauth) and the registration limit key on the client's address
as casework.http.client_address gives it: behind TRUSTED_PROXY_COUNT trusted proxies, the
address the nearest trusted proxy saw in X-Forwarded-For; with none, REMOTE_ADDR, and a forged
X-Forwarded-For changes nothing.

Every request here comes from the same REMOTE_ADDR (the proxy, or the attacker without one)."""

import pytest
from allauth.account.adapter import get_adapter
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
REGISTER = "/onboarding/registrer/"
PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.5"
CLIENT_B = "198.51.100.7"
LOCKED_LOGIN = "For mange innloggingsforsøk"
LOCKED_REGISTRATION = "For mange registreringer"


def through(forwarded_for=None, remote_addr=PROXY):
    """A browser whose requests reach the portal from `remote_addr`, with X-Forwarded-For."""
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client(**meta)


def failed_logins(client, count):
    # Unknown addresses: each failure counts only against the client's address, not an account.
    for n in range(count):
        response = client.post(LOGIN, {"login": f"ukjent{n}@example.com",
                                       "password": "feil-passord-123"})
        assert response.status_code == 200


def log_in(client, user):
    return client.post(LOGIN, {"login": user.email, "password": PASSWORD})


def test_behind_one_proxy_ten_failed_logins_from_one_client_do_not_lock_out_another(
        settings, bank_member):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = through(CLIENT_A)
    failed_logins(attacker, 10)
    # The limit still holds for the client that failed...
    response = log_in(attacker, bank_member)
    assert LOCKED_LOGIN in response.content.decode()
    assert SESSION_KEY not in attacker.session
    # ...and the next person through the same proxy logs in.
    colleague = through(CLIENT_B)
    response = log_in(colleague, bank_member)
    assert response.status_code == 302, response.content.decode()[:500]
    assert colleague.session[SESSION_KEY] == str(bank_member.pk)


def test_behind_one_proxy_the_address_the_proxy_saw_counts_not_one_the_client_wrote(
        settings, bank_member):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client writes its own X-Forwarded-For; the proxy appends the address it saw.
    for n in range(10):
        failed_logins(through(f"192.0.2.{n}, {CLIENT_A}"), 1)
    response = log_in(through(f"192.0.2.99, {CLIENT_A}"), bank_member)
    assert LOCKED_LOGIN in response.content.decode()


def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(settings, bank_member):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        failed_logins(through(f"192.0.2.{n}", remote_addr=CLIENT_A), 1)
    response = log_in(through("192.0.2.99", remote_addr=CLIENT_A), bank_member)
    assert LOCKED_LOGIN in response.content.decode()


def test_allauth_asks_the_portals_client_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY,
                                   HTTP_X_FORWARDED_FOR=f"192.0.2.1, {CLIENT_A}")
    assert get_adapter(request).get_client_ip(request) == CLIENT_A
    settings.TRUSTED_PROXY_COUNT = 0
    assert get_adapter(request).get_client_ip(request) == PROXY


def registrations(client, count, data=None):
    # The limit counts attempts, valid or not: an incomplete form is enough.
    data = {"name": "Spambanken"} if data is None else data
    return [client.post(REGISTER, data).content.decode() for _ in range(count)]


def test_behind_one_proxy_registrations_from_one_client_do_not_block_another(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = through(CLIENT_A)
    pages = registrations(attacker, 11)
    assert LOCKED_REGISTRATION not in pages[9]
    assert LOCKED_REGISTRATION in pages[10]
    [page] = registrations(through(CLIENT_B), 1)
    assert LOCKED_REGISTRATION not in page


def test_registration_limit_ignores_a_forged_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        registrations(through(f"192.0.2.{n}", remote_addr=CLIENT_A), 1)
    [page] = registrations(through("192.0.2.99", remote_addr=CLIENT_A), 1)
    assert LOCKED_REGISTRATION in page


def test_an_empty_registration_post_over_the_limit_is_refused_not_a_server_error():
    client = through(remote_addr=CLIENT_A)
    registrations(client, 10)
    response = client.post(REGISTER, {})
    assert response.status_code == 200
    assert LOCKED_REGISTRATION in response.content.decode()
