"""Callers nobody knows: calls refused before the bank is known count against the client
address; past the allowance every call from it gets 429 before the key is looked at, and the
lookup log keeps only a sample of those refusals (1st, 2nd, 4th, 8th, ...). Also the throttles'
one round trip to Redis."""

import json
import uuid

import pytest
from django.core.cache import cache

from balances import keycache, sharedcache
from balances.models import LookupLog
from tests.balances.conftest import to_meta

pytestmark = pytest.mark.django_db

PATH = "/test/saldo/v1/Accounts"


@pytest.fixture
def allowance(settings):
    settings.SALDO_ADDRESS_FAILURE_RATE = 3
    settings.SALDO_ADDRESS_FAILURE_WINDOW_SECONDS = 60
    return 3


def call(saldo, address="192.0.2.10", **replace):
    headers = saldo.headers(**replace)
    return saldo.client.get(PATH, REMOTE_ADDR=address, **to_meta(headers))


def bad_key(saldo, address="192.0.2.10"):
    return call(saldo, address, ApiKey=f"slk_test_guess{uuid.uuid4().hex}")


def test_an_address_past_its_allowance_gets_429_before_the_key_is_looked_at(
        saldo, allowance, monkeypatch):
    assert [bad_key(saldo).status_code for _ in range(allowance)] == [401] * allowance
    looked_up = []
    monkeypatch.setattr(keycache, "key_grant", lambda **kw: looked_up.append(kw))
    response = call(saldo)  # even with the bank's good key
    assert response.status_code == 429
    data = json.loads(response.content)
    assert data["title"] == "Too busy"
    assert data["detail"] == "more than 3 refused calls in 60 s from this address"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-Request-Id"] == data["requestId"]
    assert looked_up == []


def test_malformed_calls_count_against_the_address_too(saldo, allowance):
    for _ in range(allowance):
        assert call(saldo, omit=("PSU_ID",)).status_code == 400
    assert call(saldo).status_code == 429


def test_good_calls_do_not_use_up_the_allowance(saldo, allowance):
    for _ in range(allowance + 2):
        assert call(saldo).status_code == 200
    assert [bad_key(saldo).status_code for _ in range(allowance)] == [401] * allowance


def test_failures_after_the_bank_is_known_do_not_count_against_the_address(saldo, allowance):
    """A bank's bad token or missing consent is its own business (throttled per bank)."""
    for _ in range(allowance + 2):
        assert call(saldo, token="not.a.jwt").status_code == 401
        assert call(saldo, omit=("Consent-ID",)).status_code == 403
    assert call(saldo).status_code == 200


def test_another_address_has_its_own_allowance(saldo, allowance):
    for _ in range(allowance):
        bad_key(saldo, "192.0.2.10")
    assert bad_key(saldo, "192.0.2.10").status_code == 429
    assert bad_key(saldo, "192.0.2.11").status_code == 401


def test_an_ipv6_network_shares_one_allowance(saldo, allowance):
    for host in range(1, allowance + 1):
        assert bad_key(saldo, f"2001:db8:0:1::{host}").status_code == 401
    assert bad_key(saldo, "2001:db8:0:1::ffff").status_code == 429
    assert bad_key(saldo, "2001:db8:0:2::1").status_code == 401


def test_behind_a_trusted_proxy_the_forwarded_address_counts(saldo, allowance, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def via_proxy(client_address):
        headers = saldo.headers(ApiKey="slk_test_guess")
        return saldo.client.get(PATH, REMOTE_ADDR="10.0.0.1",
                                HTTP_X_FORWARDED_FOR=f"198.51.100.7, {client_address}",
                                **to_meta(headers))

    for _ in range(allowance):
        assert via_proxy("203.0.113.5").status_code == 401
    assert via_proxy("203.0.113.5").status_code == 429
    # The same proxy, another client; and the made-up entry on the left counts for nothing.
    assert via_proxy("203.0.113.6").status_code == 401


def test_refusals_are_logged_at_the_1st_2nd_4th_8th_and_16th_only(saldo, allowance):
    for _ in range(allowance):
        bad_key(saldo)
    assert LookupLog.objects.count() == allowance  # each failure within the allowance
    statuses = [bad_key(saldo).status_code for _ in range(20)]
    assert statuses == [429] * 20
    refusals = list(LookupLog.objects.filter(status=429).order_by("pk"))
    assert [log.error for log in refusals] == [
        f"client 192.0.2.10 throttled: refusal {n} in this window" for n in (1, 2, 4, 8, 16)]
    assert all(log.organisation is None and log.request_id for log in refusals)
    assert LookupLog.objects.count() == allowance + 5


def test_a_flood_from_one_address_leaves_a_bounded_log(saldo, settings):
    settings.SALDO_ADDRESS_FAILURE_RATE = 10
    for _ in range(300):
        bad_key(saldo)
    # 10 failures in full, then refusals 1, 2, 4, ..., 256 of 290.
    assert LookupLog.objects.count() == 10 + 9


def test_the_allowance_comes_back_with_the_next_window(saldo, allowance, monkeypatch):
    for _ in range(allowance):
        bad_key(saldo)
    assert bad_key(saldo).status_code == 429
    later = sharedcache.time.time() + 60

    class Clock:
        @staticmethod
        def time():
            return later

    monkeypatch.setattr(sharedcache, "time", Clock)
    assert bad_key(saldo).status_code == 401


def test_the_portal_sandbox_is_not_throttled_by_address(saldo, allowance):
    from balances import api

    for _ in range(allowance):
        bad_key(saldo, "127.0.0.1")
    meta = {key: value for key, value in to_meta(saldo.headers()).items()
            if key != "HTTP_APIKEY"}
    status, _body, _retry = api.run(meta, api.Call(environment="test"),
                                    sandbox_organisation=saldo.organisation)
    assert status == 200


# --- On Redis -------------------------------------------------------------------------------------


@pytest.fixture
def redis_cache(settings, redis_server):
    local = settings.CACHES
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": redis_server.url}}
    cache.clear()
    yield redis_server
    cache.clear()
    settings.CACHES = local  # before the server stops: the suite's own teardown clears it


@pytest.fixture
def round_trips(monkeypatch):
    """Commands sent to Redis, one entry per round trip (a pipeline is one)."""
    from redis.connection import Connection

    sent = []
    real_send = Connection.send_packed_command

    def counting(self, command, *args, **kwargs):
        sent.append(command)
        return real_send(self, command, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    return sent


def test_counting_on_redis_is_one_round_trip_that_the_cache_reads(redis_cache, round_trips):
    window = sharedcache.window("saldo:test-counter", 60)
    assert sharedcache.count(window) == 1
    round_trips.clear()  # the first one also opened the connection
    assert sharedcache.count(window) == 2
    assert len(round_trips) == 1
    assert sharedcache.counted(window) == 2
    assert sharedcache._redis().ttl(cache.make_key(window.key)) in range(1, 62)


def test_reading_and_counting_on_redis_is_one_round_trip(redis_cache, round_trips):
    cache.set("saldo:test-entry", {"a": 1})
    window = sharedcache.window("saldo:test-counter", 60)
    sharedcache.count(sharedcache.window("saldo:test-other", 60))  # opens the connection
    round_trips.clear()
    found, counted = sharedcache.read(["saldo:test-entry", "saldo:test-absent"], window)
    assert (found, counted) == ({"saldo:test-entry": {"a": 1}}, 1)
    assert len(round_trips) == 1


def test_the_throttles_work_on_redis(saldo, redis_cache, settings):
    settings.SALDO_THROTTLE_RATE = 2
    settings.SALDO_THROTTLE_WINDOW_SECONDS = 60
    settings.SALDO_ADDRESS_FAILURE_RATE = 1
    assert saldo.get().status_code == 200  # the grant, pickled into Redis, read back
    assert saldo.get().status_code == 200
    assert saldo.get().status_code == 429
    assert bad_key(saldo).status_code == 401
    assert bad_key(saldo).status_code == 429


def test_a_warm_call_on_redis_is_one_round_trip_and_one_query(
        saldo, redis_cache, round_trips, django_assert_num_queries):
    headers = saldo.headers()
    assert saldo.get({**headers, "X-Request-Id": str(uuid.uuid4())}).status_code == 200
    assert saldo.get({**headers, "X-Request-Id": str(uuid.uuid4())}).status_code == 200
    round_trips.clear()
    with django_assert_num_queries(1):  # the lookup log
        response = saldo.get({**headers, "X-Request-Id": str(uuid.uuid4())})
    assert response.status_code == 200 and b'"Name": "Omkostninger"' in response.content
    assert len(round_trips) == 1


def test_the_round_trip_survives_a_restart_of_redis(redis_cache):
    window = sharedcache.window("saldo:test-counter", 60)
    assert sharedcache.count(window) == 1
    redis_cache.stop()
    redis_cache.start()  # empty again; the connection this thread held is broken
    assert sharedcache.count(window) == 1
    assert sharedcache.count(window) == 2


def test_a_reply_left_unread_is_not_taken_for_the_next_ones(redis_cache):
    cache.set("saldo:test-text", "not a number")
    with pytest.raises(Exception, match="not an integer"):
        sharedcache.read(["saldo:test-entry"], sharedcache.Window("saldo:test-text", 60, 60))
    cache.set("saldo:test-entry", {"a": 1})
    assert sharedcache.read(["saldo:test-entry"]) == ({"saldo:test-entry": {"a": 1}}, None)


def test_each_thread_holds_its_own_connection(redis_cache):
    import threading

    client = sharedcache._redis()
    mine = sharedcache._connection(client)
    assert sharedcache._connection(client) is mine
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(sharedcache._connection(client)))
    thread.start()
    thread.join()
    assert theirs[0] is not mine
