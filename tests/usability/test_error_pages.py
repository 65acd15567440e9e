"""404, 403 and 500 are pages in the portal's layout and language, with a way home; with DEBUG
on (the embedded default), an unknown address does not list every URL of the portal."""

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("tests.usability.urls")

HEADER = 'class="site-header"'
HOME_LINK = 'href="/">'


def _assert_portal_page(response, status, *texts):
    assert response.status_code == status
    content = response.content.decode()
    assert HEADER in content, content[:500]
    assert HOME_LINK in content
    for text in texts:
        assert text in content


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_address_gives_the_portals_404_page(client_for, bank_member, settings, debug):
    settings.DEBUG = debug
    response = client_for(bank_member).get("/finnes-ikke/")
    _assert_portal_page(response, 404, "Fant ikke siden")
    assert "feilmeldinger/" not in response.content.decode().split("<main")[1]
    assert "DEBUG = True" not in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_a_case_one_may_not_see_gives_the_portals_404_page(client_for, bank_member, settings,
                                                             debug):
    settings.DEBUG = debug
    response = client_for(bank_member).get("/feilmeldinger/999999/")
    _assert_portal_page(response, 404, "Fant ikke siden")


def test_404_for_anonymous_is_in_the_layout_too(client, settings):
    settings.DEBUG = True
    _assert_portal_page(client.get("/finnes-ikke/"), 404, "Fant ikke siden")


def test_404_page_is_in_english_when_the_language_is_english(client_for, bank_member, settings):
    settings.DEBUG = True
    client = client_for(bank_member)
    client.cookies["django_language"] = "en"
    _assert_portal_page(client.get("/finnes-ikke/"), 404, "Page not found")


def test_missing_static_file_is_not_dressed_as_a_portal_page(client, settings):
    settings.DEBUG = True
    response = client.get("/static/finnes-ikke.css")
    assert response.status_code == 404
    assert HEADER not in response.content.decode()


def test_403_page_is_in_the_layout(client_for, bank_member):
    _assert_portal_page(client_for(bank_member).get("/test-403/"), 403, "Ingen tilgang")


def test_500_page_is_in_the_layout(bank_member):
    client = Client(raise_request_exception=False)
    client.force_login(bank_member)
    _assert_portal_page(client.get("/test-500/"), 500, "Noe gikk galt")


def test_500_page_is_in_english_when_the_language_is_english():
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    _assert_portal_page(client.get("/test-500/"), 500, "Something went wrong")
