"""casework.http.client_address: REMOTE_ADDR without proxies; behind N trusted proxies the Nth
entry from the right of X-Forwarded-For, never anything the client wrote further left."""

import pytest
from django.test import RequestFactory

from casework.http import client_address


def request(remote="192.0.2.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_it_is_remote_addr_and_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request("192.0.2.1", forwarded="203.0.113.9")) == "192.0.2.1"


def test_the_default_trusts_no_proxy(settings):
    del settings.TRUSTED_PROXY_COUNT
    assert client_address(request("192.0.2.1", forwarded="203.0.113.9")) == "192.0.2.1"


def test_behind_one_proxy_it_is_the_last_forwarded_entry(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client made up the first entry; our proxy appended the address it saw.
    got = client_address(request("10.0.0.1", forwarded="198.51.100.66, 203.0.113.9"))
    assert got == "203.0.113.9"


def test_behind_two_proxies_it_is_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    got = client_address(request("10.0.0.2", forwarded="6.6.6.6, 203.0.113.9, 10.0.0.1"))
    assert got == "203.0.113.9"


def test_with_fewer_entries_than_proxies_it_is_the_leftmost(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request("10.0.0.2", forwarded="203.0.113.9")) == "203.0.113.9"


def test_behind_a_proxy_without_forwarded_for_it_is_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request("192.0.2.1")) == "192.0.2.1"
    assert client_address(request("192.0.2.1", forwarded=" , ")) == "192.0.2.1"


@pytest.mark.parametrize("entry, expected", [
    ("203.0.113.9:5123", "203.0.113.9"),
    ("[2001:db8::1]:443", "2001:db8::1"),
    ("2001:DB8:0:0::1", "2001:db8::1"),
    (" 203.0.113.9 ", "203.0.113.9"),
])
def test_forwarded_entries_are_normalised(settings, entry, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request("10.0.0.1", forwarded=entry)) == expected


def test_a_forwarded_entry_that_is_no_address_falls_back_to_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request("10.0.0.1", forwarded="unknown")) == "10.0.0.1"


def test_without_any_address_it_is_empty(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request("")) == ""
