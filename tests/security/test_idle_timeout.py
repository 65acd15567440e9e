"""Finding 10: a Bits or Lånekassen session idle for SESSION_IDLE_TIMEOUT_SECONDS is logged out;
a bank user's session is not cut short by it (their session cookie's age applies)."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

pytestmark = pytest.mark.django_db

IDLE = 30 * 60


@pytest.fixture(autouse=True)
def _timeout(settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = IDLE


class Clock:
    """time.time() as the middleware reads it, moved forward by the test."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def logged_in(client):
    return SESSION_KEY in client.session


@pytest.mark.parametrize("who", ["bits_user", "lk_user"])
def test_bits_and_lanekassen_are_logged_out_after_thirty_idle_minutes(request, client_for,
                                                                       clock, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("dashboard")).status_code == 200
    clock.advance(IDLE + 1)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2F"
    assert not logged_in(client)
    page = client.get(response["Location"])
    assert "uten aktivitet" in page.content.decode()


def test_activity_keeps_a_bits_session_open(client_for, bits_user, clock):
    client = client_for(bits_user)
    for _ in range(4):
        assert client.get(reverse("dashboard")).status_code == 200
        clock.advance(IDLE - 60)
    assert client.get(reverse("dashboard")).status_code == 200
    assert logged_in(client)


def test_idle_htmx_request_sends_the_whole_page_to_login(client_for, bits_user, clock):
    client = client_for(bits_user)
    client.get(reverse("dashboard"))
    clock.advance(IDLE + 1)
    response = client.get(reverse("incidents:list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("account_login"))
    assert not logged_in(client)


def test_bank_user_is_not_logged_out_by_the_staff_idle_timeout(client_for, bank_member, clock):
    client = client_for(bank_member)
    client.get(reverse("dashboard"))
    clock.advance(IDLE + 1)
    assert client.get(reverse("dashboard")).status_code == 200
    assert logged_in(client)
